// Chaos, with three people watching. First `npm run scale-out`'s set-up (Redis with an append-only
// file, two soketi nodes behind HAProxy, two app instances), Ada, Ben and Cyd in three browsers on
// one channel: an app instance, a soketi node (three times) and Redis are each SIGKILLed — their
// process group, by its id — and started again. Then the demo (examples/basic with SESSION_SECRET)
// restarts under three people (e2e/restart.test.ts covers a restart slower than pusher-js's retries).
// After each fault the OTHER people's browsers prove the list is the truth again (who the realtime
// server has in the channel, with the statuses the app stored) and that a change made during the
// fault, or after it, reaches everyone. No time limits: the recovery times seen are printed as
// diagnostics; `npm run bench` (bench/scenarios/recovery.mjs) measures them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import {
  changeSeenByOthers as changeSeen,
  listsAreTheTruth as expectTruth,
  onlineIds,
  openPerson,
  sees as seesIn,
  startGroup,
  storedMembers,
  type Group,
  type Person,
} from './chaos-support.js';
import { freePort, launch, root, waitFor } from './support.js';

interface Running {
  stop(): Promise<void>;
}
interface ScaleOut {
  startBalancer(port: number, soketiPorts: number[]): Promise<Running>;
}

const WAIT = 60_000;
const ms = (since: number) => `${Math.round(performance.now() - since)} ms`;

describe('chaos: three people watch while an app instance, a soketi node and Redis are killed and come back', () => {
  let browser: Browser;
  let data = '';
  let redisPort = 0;
  let balancerPort = 0;
  let balancer: Running | undefined;
  let redis: Group | undefined;
  const soketiPorts: number[] = [];
  const nodes: (Group | undefined)[] = [];
  const appPorts: number[] = [];
  const instances: (Group | undefined)[] = [];
  const people: Person[] = [];
  let ada!: Person;
  let ben!: Person;
  let cyd!: Person;

  const startInstance = (i: number) => startGroup('instance', [appPorts[i]!, redisPort, balancerPort]);
  const startNode = (i: number) => startGroup('soketi', [soketiPorts[i]!, redisPort]);
  const others = (p: Person) => people.filter((q) => q !== p);

  before(async () => {
    data = await mkdtemp(join(tmpdir(), 'whatsup-chaos-'));
    redisPort = await freePort();
    redis = await startGroup('redis', [redisPort, data]);
    for (let i = 0; i < 2; i++) {
      soketiPorts.push(await freePort());
      nodes.push(await startNode(i));
    }
    balancerPort = await freePort();
    const scale = (await import(join(root, 'scripts', 'scale-out.mjs'))) as ScaleOut;
    balancer = await scale.startBalancer(balancerPort, soketiPorts);
    for (let i = 0; i < 2; i++) {
      appPorts.push(await freePort());
      instances.push(await startInstance(i));
    }
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    for (const i of instances) await i?.stop();
    await balancer?.stop();
    for (const n of nodes) await n?.stop();
    await redis?.stop();
    if (data) await rm(data, { recursive: true, force: true });
  });

  const sees = (viewer: Person, name: string, status: string) => seesIn(viewer, name, status);
  const changeSeenByOthers = (who: Person, status: string) => changeSeen(people, who, status);
  /** The truth here: who soketi has (asked through the balancer, so of every node), as stored. */
  const listsAreTheTruth = (label: string) =>
    expectTruth(
      people,
      async () => {
        const ids = await onlineIds(balancerPort);
        return (await storedMembers(ben.page)).members.filter((m) => ids.includes(m.id));
      },
      label,
    );

  it('should show the three people on two instances and two soketi nodes to each other', async () => {
    ada = await openPerson(browser, 'Ada', 0, `http://127.0.0.1:${appPorts[0]}/`);
    await ada.panel.signUp('Ada', 'Ada is here');
    ben = await openPerson(browser, 'Ben', 1, `http://127.0.0.1:${appPorts[1]}/`);
    await ben.panel.signUp('Ben', 'Ben is here');
    cyd = await openPerson(browser, 'Cyd', 0, `http://127.0.0.1:${appPorts[0]}/`);
    await cyd.panel.signUp('Cyd', 'Cyd is here');
    people.push(ada, ben, cyd);
    await listsAreTheTruth('at the start');
  });

  it("should keep the killed instance's pages listing everyone and live, refuse their edits clearly, and lose nothing once it is back", async (t) => {
    // Ada and Cyd were served by instance 1; their WebSockets are to soketi, through HAProxy.
    const killed = performance.now();
    await instances[0]!.kill();
    instances[0] = undefined;

    // Their HTTP goes to instance 1 only (no balancer in front of the instances here): an edit
    // fails at once, says so, and is rolled back; nobody sees it.
    await ada.panel.editStatusByKeyboard('Ada while instance 1 is down');
    const refusal = ada.page.locator('whatsup-presence #editor-error[role="alert"]');
    await refusal.waitFor({ timeout: WAIT });
    assert.equal(
      (await refusal.textContent())?.trim(),
      'Your status was not saved: The server could not be reached.',
    );
    await ada.page.keyboard.press('Escape');
    await sees(ada, 'Ada', 'Ada is here');
    // Their WebSockets still carry what others do.
    await changeSeenByOthers(ben, 'Ben while instance 1 is down');
    for (const p of [ben, cyd]) {
      assert.ok(
        (await p.panel.rows()).some((r) => r.name === 'Ada' && r.status === 'Ada is here'),
        `${p.name} never saw the refused edit`,
      );
    }
    for (const p of [ada, cyd]) assert.deepEqual((await p.panel.names()).sort(), ['Ada', 'Ben', 'Cyd']);

    const restarting = performance.now();
    instances[0] = await startInstance(0);
    const back = performance.now();
    t.diagnostic(
      `instance 1 SIGKILLed; started again in ${Math.round(back - restarting)} ms (${ms(killed)} after the kill)`,
    );
    await changeSeenByOthers(ada, 'Ada after instance 1 is back');
    t.diagnostic(`Ada's first edit after the restart seen by Ben and Cyd ${ms(back)} after it was back`);
    await changeSeenByOthers(cyd, 'Cyd after instance 1 is back');
    await listsAreTheTruth('after instance 1 came back');
    for (const p of people) assert.equal(p.sockets.droppedSince(killed), false, `${p.name} kept its socket`);
  });

  it('should fail the pages of a killed soketi node over through HAProxy, drop nobody and lose no change, three times', async (t) => {
    for (const [round, down] of [0, 1, 0].entries()) {
      const during = people[round % 3]!;
      const afterwards = people[(round + 1) % 3]!;
      const killed = performance.now();
      await nodes[down]!.kill();
      nodes[down] = undefined;
      // A change made while the node is gone and the pages move: it must reach everyone.
      await during.panel.editStatusByKeyboard(`${during.name}, node ${down + 1} down (round ${round + 1})`);
      // The node held somebody's socket (else this round proves nothing): theirs closed, and each
      // such page subscribes again, through HAProxy, on the live node.
      await waitFor(
        () => people.some((p) => p.sockets.droppedSince(killed)),
        WAIT,
        () => `round ${round + 1}: a socket on node ${down + 1} closes`,
      );
      const movedAgain = () =>
        waitFor(
          () =>
            people.every(
              (p) => !p.sockets.droppedSince(killed) || p.sockets.subscribedAfter(killed) !== undefined,
            ),
          WAIT,
          () => `the pages of node ${down + 1} subscribe again through HAProxy`,
        );
      await movedAgain();
      await Promise.all(
        others(during).map((p) =>
          sees(p, during.name, `${during.name}, node ${down + 1} down (round ${round + 1})`),
        ),
      );
      const duringSeen = ms(killed);
      await listsAreTheTruth(`round ${round + 1}, node ${down + 1} down`);
      const truthWhileDown = ms(killed);
      await movedAgain(); // a socket that closed late counts too
      const failover = people
        .filter((p) => p.sockets.droppedSince(killed))
        .map((p) => `${p.name} ${Math.round(p.sockets.subscribedAfter(killed)! - killed)} ms`);

      nodes[down] = await startNode(down);
      await changeSeenByOthers(afterwards, `${afterwards.name} after round ${round + 1}`);
      await listsAreTheTruth(`round ${round + 1}, node ${down + 1} back`);
      const leaves = await Promise.all(
        people.map(async (p) => `${p.name}: [${(await p.leaves()).join(', ')}]`),
      );
      t.diagnostic(
        `round ${round + 1}: node ${down + 1} SIGKILLed; subscribed again after the kill: ${failover.join(', ')}; ` +
          `${during.name}'s change during the failover seen by the others ${duringSeen}; every list the truth ${truthWhileDown}; ` +
          `member-left events so far: ${leaves.join(' ')}`,
      );
    }
  });

  it("should keep the pages live while Redis is killed, send the edit made meanwhile once it is back, and keep everyone's session and status", async (t) => {
    await changeSeenByOthers(ben, 'Ben before Redis goes');
    const adaBefore = (await ben.panel.rows()).find((r) => r.name === 'Ada')?.status;
    await redis!.kill();
    redis = undefined;

    const answer = await cyd.page.evaluate(async () => {
      const res = await fetch('/whatsup/members');
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    });
    assert.equal(answer.status, 503, answer.body);
    assert.match(answer.type ?? '', /application\/json/);
    assert.equal(JSON.parse(answer.body).code, 'store.unavailable');

    await ada.panel.editStatusByKeyboard('Ada while Redis is down');
    const pending = ada.page.locator('whatsup-presence [role="status"].pending');
    await pending.waitFor({ timeout: WAIT });
    assert.equal((await pending.textContent())?.trim(), "Can't save right now — retrying…");
    for (const p of [ben, cyd]) {
      assert.deepEqual((await p.panel.names()).sort(), ['Ada', 'Ben', 'Cyd'], `${p.name} keeps the list`);
      assert.ok(
        (await p.panel.rows()).some((r) => r.name === 'Ada' && r.status === adaBefore),
        `${p.name} shows nothing of the unsaved edit`,
      );
    }

    redis = await startGroup('redis', [redisPort, data]);
    const back = performance.now();
    await Promise.all([ben, cyd].map((p) => sees(p, 'Ada', 'Ada while Redis is down')));
    t.diagnostic(
      `Ada's edit from the outage, retried by her panel, seen by Ben and Cyd ${ms(back)} after Redis was ready`,
    );
    await pending.waitFor({ state: 'detached', timeout: WAIT });
    await changeSeenByOthers(cyd, 'Cyd after Redis is back');
    t.diagnostic(`Cyd's next change seen by Ada and Ben ${ms(back)} after Redis was ready`);
    await listsAreTheTruth('after Redis came back');
    t.diagnostic(`every list the truth ${ms(back)} after Redis was ready`);
    for (const p of people) assert.equal(await p.panel.form.count(), 0, `${p.name} is still signed in`);
    const stopped = nodes.flatMap((n, i) =>
      n?.running() ? [] : [`node ${i + 1}: ${n?.output().slice(-300)}`],
    );
    if (stopped.length) t.diagnostic(`soketi nodes that exited after Redis came back: ${stopped.join('; ')}`);
  });
});

describe('chaos: three people watch while the demo restarts', () => {
  let browser: Browser;
  let data = '';
  let port = 0;
  let demo: Group | undefined;
  const people: Person[] = [];

  before(async () => {
    data = await mkdtemp(join(tmpdir(), 'whatsup-chaos-demo-'));
    port = await freePort();
    demo = await startGroup('demo', [port, data]);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
    if (data) await rm(data, { recursive: true, force: true });
  });

  /** The truth here: who the embedded server has in the channel (as the app asks it), as stored. */
  const listsAreTheTruth = (label: string) =>
    expectTruth(
      people,
      async () => {
        const { members, online } = await storedMembers(people[1]!.page, true);
        if (!online) throw new Error('GET /members?online=1 gave no online ids');
        return members.filter((m) => online.includes(m.id));
      },
      label,
    );

  it('should keep everyone signed in with their status, and every page live and right again once it is back', async (t) => {
    for (const name of ['Ada', 'Ben', 'Cyd']) {
      const person = await openPerson(browser, name, 0, `http://127.0.0.1:${port}/`);
      await person.panel.signUp(name, `${name} is here`);
      people.push(person);
    }
    const [ada, ben, cyd] = people as [Person, Person, Person];
    await listsAreTheTruth('at the start');
    await changeSeen(people, ben, 'Ben before the restart');

    const stopped = performance.now();
    await demo!.stop();
    demo = undefined;
    // While it is down an edit fails at once and says so; nothing is half-applied.
    await cyd.panel.editStatusByKeyboard('Cyd while the demo is down');
    const refusal = cyd.page.locator('whatsup-presence #editor-error[role="alert"]');
    await refusal.waitFor({ timeout: WAIT });
    assert.equal(
      (await refusal.textContent())?.trim(),
      'Your status was not saved: The server could not be reached.',
    );
    await cyd.page.keyboard.press('Escape');
    for (const p of [ada, ben]) assert.deepEqual((await p.panel.names()).sort(), ['Ada', 'Ben', 'Cyd']);

    demo = await startGroup('demo', [port, data]);
    const back = performance.now();
    await Promise.all(
      people.map((p) =>
        waitFor(
          () => p.sockets.subscribedAfter(stopped) !== undefined,
          WAIT,
          () => `${p.name}'s page subscribes again`,
        ),
      ),
    );
    t.diagnostic(
      `the demo back ${Math.round(back - stopped)} ms after SIGTERM; pages subscribed again after it was back: ${people
        .map((p) => `${p.name} ${Math.round(p.sockets.subscribedAfter(stopped)! - back)} ms`)
        .join(', ')}`,
    );
    await changeSeen(people, ada, 'Ada after the restart');
    await changeSeen(people, cyd, 'Cyd after the restart');
    await listsAreTheTruth('after the restart');
    t.diagnostic(`every list the truth ${ms(back)} after the demo was back`);
    for (const p of people) assert.equal(await p.panel.form.count(), 0, `${p.name} is still signed in`);
    for (const p of [ada, cyd]) await seesIn(p, 'Ben', 'Ben before the restart');
  });
});
