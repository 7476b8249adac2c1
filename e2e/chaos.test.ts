// Chaos, with three people watching: `npm run scale-out`'s set-up (Redis with an append-only file,
// two soketi nodes behind HAProxy, two app instances), and Ada, Ben and Cyd in three browsers on one
// channel. An app instance, a soketi node (three times) and Redis are each SIGKILLed — their
// process group, by its id — and started again. After each, the OTHER people's browsers prove the
// list is the truth again (soketi's members, with the statuses the app stored) and that a change
// made during the fault, or after it, reaches everyone. No time limits: the recovery times seen are
// printed as diagnostics (docs/production.md#what-each-fault-does).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import {
  onlineIds,
  openPerson,
  sorted,
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

  /** Waits until `viewer` shows `name` with `status`. */
  const sees = (viewer: Person, name: string, status: string) =>
    waitFor(
      async () => (await viewer.panel.rows()).some((r) => r.name === name && r.status === status),
      WAIT,
      () => `${viewer.name} sees ${name}: ${status}`,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}; shown: ${JSON.stringify(await viewer.panel.rows())}`);
    });

  /** `who` changes their status through the panel; every other browser shows it. */
  const changeSeenByOthers = async (who: Person, status: string) => {
    await who.panel.editStatusByKeyboard(status);
    await Promise.all(others(who).map((p) => sees(p, who.name, status)));
  };

  /**
   * Every page's list, names and statuses, equals the truth: the people soketi has in the channel
   * (asked through the balancer, so of every node) with the statuses the app stored. And that truth
   * is all three: nobody was dropped, from a page or from the server.
   */
  const listsAreTheTruth = async (label: string) => {
    let last = '';
    await waitFor(
      async () => {
        try {
          const ids = await onlineIds(balancerPort);
          const stored = await storedMembers(ben.page);
          const truth = sorted(stored.filter((m) => ids.includes(m.id)));
          const shown = await Promise.all(people.map(async (p) => sorted(await p.panel.rows())));
          last = JSON.stringify({ truth, shown });
          return (
            truth.map((r) => r.name).join() === 'Ada,Ben,Cyd' &&
            shown.every((rows) => JSON.stringify(rows) === JSON.stringify(truth))
          );
        } catch (err) {
          last = String(err);
          return false;
        }
      },
      WAIT,
      () => `${label}: every list should be soketi's members with their stored statuses: ${last}`,
    );
  };

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
      const dropped = people.filter((p) => p.sockets.droppedSince(killed));
      await Promise.all(
        dropped.map((p) =>
          waitFor(
            () => p.sockets.subscribedAfter(killed) !== undefined,
            WAIT,
            () => `${p.name} subscribes again through HAProxy`,
          ),
        ),
      );
      const failover = dropped.map(
        (p) => `${p.name} ${Math.round(p.sockets.subscribedAfter(killed)! - killed)} ms`,
      );
      await Promise.all(
        others(during).map((p) =>
          sees(p, during.name, `${during.name}, node ${down + 1} down (round ${round + 1})`),
        ),
      );
      const duringSeen = ms(killed);
      await listsAreTheTruth(`round ${round + 1}, node ${down + 1} down`);
      const truthWhileDown = ms(killed);

      nodes[down] = await startNode(down);
      await changeSeenByOthers(afterwards, `${afterwards.name} after round ${round + 1}`);
      await listsAreTheTruth(`round ${round + 1}, node ${down + 1} back`);
      const leaves = await Promise.all(
        people.map(async (p) => `${p.name}: [${(await p.leaves()).join(', ')}]`),
      );
      t.diagnostic(
        `round ${round + 1}: node ${down + 1} SIGKILLed; subscribed again after the kill: ${failover.join(', ') || 'none'}; ` +
          `${during.name}'s change during the failover seen by the others ${duringSeen}; every list the truth ${truthWhileDown}; ` +
          `member-left events so far: ${leaves.join(' ')}`,
      );
      assert.ok(dropped.length > 0, `round ${round + 1}: node ${down + 1} held somebody's socket`);
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
