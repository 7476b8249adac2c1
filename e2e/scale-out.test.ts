// End-to-end: two app instances sharing Redis (sessions, statuses), realtime on two soketi nodes
// joined by soketi's Redis adapter — started by the same code as `npm run scale-out`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { Panel } from './panel.js';
import { freePort, launch, root, run, waitFor } from './support.js';

interface Running {
  stop(): Promise<void>;
  output(): string;
}
interface ScaleOut {
  freePort(): Promise<number>;
  startRedis(port: number, dataDir?: string): Promise<Running>;
  startSoketi(port: number, redisPort: number): Promise<Running>;
  startBalancer(port: number, soketiPorts: number[]): Promise<Running>;
  startInstance(port: number, options: { redisPort: number; soketiPort: number }): Promise<Running>;
}

describe('examples/scale-out end to end', () => {
  let scale: ScaleOut;
  let browser: Browser;
  let redisPort = 0;
  const soketiPorts: number[] = [];
  const appPorts: number[] = [];
  const soketis: Running[] = [];
  const instances: (Running | null)[] = [null, null];
  let redis: Running;
  const contexts: BrowserContext[] = [];
  const url = (i: number) => `http://127.0.0.1:${appPorts[i]}/`;

  before(async () => {
    const modulePath = join(root, 'scripts', 'scale-out.mjs');
    scale = (await import(modulePath)) as ScaleOut;
    redisPort = await scale.freePort();
    redis = await scale.startRedis(redisPort);
    for (let i = 0; i < 2; i++) {
      soketiPorts.push(await scale.freePort());
      soketis.push(await scale.startSoketi(soketiPorts[i]!, redisPort));
      appPorts.push(await scale.freePort());
      instances[i] = await scale.startInstance(appPorts[i]!, { redisPort, soketiPort: soketiPorts[i]! });
    }
    browser = await launch();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    for (const i of instances) await i?.stop();
    for (const s of soketis) await s.stop();
    await redis?.stop();
  });

  async function open(i: number, context?: BrowserContext) {
    const ctx = context ?? (await browser.newContext());
    if (!context) contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(url(i));
    return { context: ctx, page, panel: new Panel(page) };
  }

  async function expectStatus(panel: Panel, name: string, status: string, message: string) {
    await waitFor(
      async () => (await panel.rows()).some((r) => r.name === name && r.status === status),
      15_000,
      () => message,
    ).catch(async (err) => {
      throw new Error(`${err.message}; shown: ${JSON.stringify(await panel.rows())}`);
    });
  }

  let a: Awaited<ReturnType<typeof open>>;
  let b: Awaited<ReturnType<typeof open>>;

  it("should point each instance's pages at its own soketi node, without the secret", async () => {
    for (const i of [0, 1]) {
      const res = await fetch(`${url(i)}whatsup/config`);
      assert.equal(res.status, 200);
      const config = (await res.json()) as Record<string, unknown>;
      assert.equal(config.key, 'app-key');
      assert.equal(config.wsHost, '127.0.0.1');
      assert.equal(
        config.wsPort,
        soketiPorts[i],
        'instance 2 → node 2, so the Redis adapter carries the traffic',
      );
      assert.equal(config.forceTLS, false);
      assert.ok(!JSON.stringify(config).includes('app-secret'));
    }
  });

  it("should let A on instance 1 and B on instance 2 see each other and each other's status changes", async () => {
    a = await open(0);
    await a.panel.signUp('Ada', 'on instance one');
    b = await open(1);
    await b.panel.signUp('Ben', 'on instance two');
    await expectStatus(a.panel, 'Ben', 'on instance two', 'A sees B across instances and soketi nodes');
    await expectStatus(b.panel, 'Ada', 'on instance one', 'B sees A');
    await a.panel.editStatusByKeyboard('changed on one');
    await expectStatus(b.panel, 'Ada', 'changed on one', "B sees A's change live");
    await b.panel.editStatusByKeyboard('changed on two');
    await expectStatus(a.panel, 'Ben', 'changed on two', "A sees B's change live");
  });

  it('should show HTML in a status made on one instance as text on the other', async () => {
    const hostile = '<img src=x onerror="window.pwned=1">';
    await b.panel.editStatusByKeyboard(hostile);
    await expectStatus(a.panel, 'Ben', hostile, 'A sees the markup as text');
    assert.equal(await a.page.locator('whatsup-presence img[src="x"]').count(), 0, 'no element injected');
    assert.equal(await a.page.evaluate(() => (window as { pwned?: number }).pwned), undefined);
    await b.panel.editStatusByKeyboard('changed on two');
    await expectStatus(a.panel, 'Ben', 'changed on two', "A sees B's next change");
  });

  it('should accept a session made on instance 1 on instance 2', async () => {
    const other = await open(1, a.context);
    await other.panel.me.waitFor();
    assert.equal(await other.panel.form.count(), 0, 'no sign-up form: the session is in Redis');
    assert.equal((await other.panel.rows())[0]?.name, 'Ada');
    await other.page.close();
  });

  it('should keep serving B when instance 1 stops, and recover A on instance 2', async () => {
    await instances[0]!.stop();
    instances[0] = null;
    const res = await fetch(`${url(1)}whatsup/config`);
    assert.equal(res.status, 200, 'instance 2 still serves');
    // A's WebSocket is to soketi, not to the stopped instance: it still hears what others do.
    await b.panel.editStatusByKeyboard('while one is down');
    await expectStatus(a.panel, 'Ben', 'while one is down', "A's open page still live");
    await a.page.goto(url(1));
    await a.panel.me.waitFor();
    await expectStatus(a.panel, 'Ben', 'while one is down', 'A recovered on instance 2');
    await a.panel.editStatusByKeyboard('moved to two');
    await expectStatus(b.panel, 'Ada', 'moved to two', 'B still live');
  });

  it('should lose no status when an instance restarts', async () => {
    await instances[1]!.stop();
    instances[1] = await scale.startInstance(appPorts[1]!, { redisPort, soketiPort: soketiPorts[1]! });
    instances[0] = await scale.startInstance(appPorts[0]!, { redisPort, soketiPort: soketiPorts[0]! });
    const c = await open(0);
    await c.panel.signUp('Cyd', 'joined after the restart');
    await expectStatus(c.panel, 'Ada', 'moved to two', "C sees A's status from before the restart");
    await b.page.reload();
    await b.panel.me.waitFor();
    await expectStatus(b.panel, 'Ben', 'while one is down', "B's own status survived");
    await expectStatus(b.panel, 'Cyd', 'joined after the restart', 'B on node 2 sees C on node 1');
    await c.page.close();
    await waitFor(
      async () => !(await b.panel.names()).includes('Cyd'),
      15_000,
      () => 'B sees C leave, across soketi nodes',
    );
  });

  describe('when the environment is incomplete', () => {
    for (const [missing, pattern] of [
      [['REDIS_URL'], /set REDIS_URL/],
      [['SESSION_SECRET'], /set SESSION_SECRET/],
      [['PUSHER_SECRET'], /set PUSHER_SECRET too/],
      [['PUSHER_HOST'], /PUSHER_PORT is set but PUSHER_HOST is not/],
      [['PUSHER_HOST', 'PUSHER_PORT'], /set PUSHER_APP_ID, PUSHER_KEY, PUSHER_SECRET and PUSHER_HOST/],
    ] as const) {
      it(`should refuse to start without ${missing.join(' and ')}, saying so`, async () => {
        const env: Record<string, string> = {
          // A port in use: should the check ever let it through, listening fails instead of hanging the test.
          PORT: String(appPorts[1]),
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          SESSION_SECRET: 'secret',
          PUSHER_APP_ID: 'app-id',
          PUSHER_KEY: 'app-key',
          PUSHER_SECRET: 'app-secret',
          PUSHER_HOST: '127.0.0.1',
          PUSHER_PORT: String(soketiPorts[0]),
          PUSHER_CLUSTER: '',
          ...Object.fromEntries(missing.map((name) => [name, ''])),
        };
        const { code, output } = await run(
          process.execPath,
          [join(root, 'examples', 'scale-out', 'server.js')],
          env,
        );
        assert.equal(code, 1, output);
        assert.match(output, pattern);
      });
    }

    it('should refuse to start when Redis cannot be reached, without showing its password', async () => {
      const { code, output } = await run(
        process.execPath,
        [join(root, 'examples', 'scale-out', 'server.js')],
        {
          PORT: String(appPorts[1]),
          REDIS_URL: `redis://:hunter2@127.0.0.1:${await scale.freePort()}`,
          SESSION_SECRET: 'secret',
          PUSHER_APP_ID: 'app-id',
          PUSHER_KEY: 'app-key',
          PUSHER_SECRET: 'app-secret',
          PUSHER_HOST: '127.0.0.1',
          PUSHER_PORT: String(soketiPorts[0]),
        },
      );
      assert.equal(code, 1, output);
      assert.match(output, /cannot reach Redis at 127\.0\.0\.1:\d+/);
      assert.ok(!output.includes('hunter2'), output);
    });
  });
});

describe('examples/scale-out behind HAProxy, when a soketi node or Redis goes down', () => {
  let scale: ScaleOut;
  let browser: Browser;
  let redisPort = 0;
  let balancerPort = 0;
  let redis: Running;
  let data = '';
  const soketiPorts: number[] = [];
  const nodes: Running[] = [];
  const running: Running[] = [];
  const appPorts: number[] = [];

  before(async () => {
    scale = (await import(join(root, 'scripts', 'scale-out.mjs'))) as ScaleOut;
    redisPort = await scale.freePort();
    data = await mkdtemp(join(tmpdir(), 'whatsup-scale-out-'));
    redis = await scale.startRedis(redisPort, data);
    for (let i = 0; i < 2; i++) {
      soketiPorts.push(await scale.freePort());
      nodes.push(await scale.startSoketi(soketiPorts[i]!, redisPort));
    }
    balancerPort = await scale.freePort();
    running.push(await scale.startBalancer(balancerPort, soketiPorts));
    for (let i = 0; i < 2; i++) {
      appPorts.push(await scale.freePort());
      running.push(await scale.startInstance(appPorts[i]!, { redisPort, soketiPort: balancerPort }));
    }
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    for (const r of running.reverse()) await r.stop();
    for (const node of nodes) await node.stop();
    await redis?.stop();
    if (data) await rm(data, { recursive: true, force: true });
  });

  const open = async (i: number) => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`http://127.0.0.1:${appPorts[i]}/`);
    return { page, panel: new Panel(page) };
  };
  const sees = (panel: Panel, name: string, status: string) => {
    let rows: unknown = [];
    return waitFor(
      async () => (rows = await panel.rows()).some((r) => r.name === name && r.status === status),
      30_000,
      () => `${name}: ${status}; the rows were ${JSON.stringify(rows)}`,
    );
  };
  let a: Awaited<ReturnType<typeof open>>;
  let b: Awaited<ReturnType<typeof open>>;

  it('should move pages to the live node and keep them live, node after node', async (t) => {
    a = await open(0);
    await a.panel.signUp('Ada', 'here');
    b = await open(1);
    await b.panel.signUp('Ben', 'here');
    await sees(a.panel, 'Ben', 'here');
    for (const [round, down] of [0, 1, 0].entries()) {
      await nodes[down]!.stop();
      const began = performance.now();
      await b.panel.editStatusByKeyboard(`node ${down + 1} down, round ${round + 1}`);
      await sees(a.panel, 'Ben', `node ${down + 1} down, round ${round + 1}`);
      await a.panel.editStatusByKeyboard(`Ada, round ${round + 1}`);
      await sees(b.panel, 'Ada', `Ada, round ${round + 1}`);
      t.diagnostic(
        `round ${round + 1}: node ${down + 1} stopped; both pages live again after ${Math.round(performance.now() - began)} ms`,
      );
      nodes[down] = await scale.startSoketi(soketiPorts[down]!, redisPort);
    }
  });

  it('should answer JSON 503 store.unavailable while Redis is down, keep the pages live, and lose nothing when it is back', async (t) => {
    const ask = (page: typeof a.page, path: string, init: { method?: string; body?: string } = {}) =>
      page.evaluate(
        async ([path, init]) => {
          const res = await fetch(`/whatsup${path}`, {
            ...init,
            headers: init.body ? { 'content-type': 'application/json' } : {},
          });
          return {
            status: res.status,
            type: res.headers.get('content-type') ?? '',
            retryAfter: res.headers.get('retry-after'),
            body: await res.text(),
          };
        },
        [path, init] as const,
      );
    await b.panel.editStatusByKeyboard('before the outage');
    await sees(a.panel, 'Ben', 'before the outage');
    await redis.stop();

    for (const [page, path, init] of [
      [a.page, '/members', {}],
      [b.page, '/isLoggedIn', {}],
      [b.page, '/status', { method: 'POST', body: JSON.stringify({ status: 'said in the outage' }) }],
    ] as const) {
      const res = await ask(page, path, init);
      assert.equal(res.status, 503, `${path}: ${res.body}`);
      assert.match(res.type, /application\/json/);
      assert.equal(JSON.parse(res.body).code, 'store.unavailable');
      assert.equal(res.retryAfter, '1');
    }
    assert.ok(
      (await a.panel.rows()).some((r) => r.name === 'Ben' && r.status === 'before the outage'),
      'A keeps the list',
    );
    // Ben edits through his panel meanwhile: it says so, keeps the change and sends it again.
    await b.panel.editStatusByKeyboard('said while down');
    const pending = b.page.locator('whatsup-presence [role="status"].pending');
    await pending.waitFor({ timeout: 10_000 });
    assert.equal((await pending.textContent())?.trim(), "Can't save right now — retrying…");
    assert.equal(
      await b.page.locator('whatsup-presence [aria-invalid="true"]').count(),
      0,
      'no field is marked wrong: nothing was wrong with it',
    );

    redis = await scale.startRedis(redisPort, data);
    const back = performance.now();
    await waitFor(
      async () => (await ask(b.page, '/isLoggedIn')).status === 200,
      30_000,
      () => 'answers again',
    );
    t.diagnostic(
      `routes answer again ${Math.round(performance.now() - back)} ms after redis-server was ready`,
    );
    const members = JSON.parse((await ask(a.page, '/members')).body) as {
      members: { name: string; status: string }[];
    };
    // The panel's change goes through once Redis answers; the request refused in the outage never does.
    await sees(a.panel, 'Ben', 'said while down').catch(async (err: Error) => {
      const said = await b.page.locator('whatsup-presence').evaluate((el) => {
        const c = (el as unknown as { controller: Record<string, unknown> }).controller;
        return {
          statusError: c.statusError,
          pending: c.statusPending,
          state: c.state,
          conn: c.connectionState,
        };
      });
      const stored = (await ask(b.page, '/isLoggedIn')).body;
      throw new Error(`${err.message}; Ben's panel: ${JSON.stringify(said)}; his session: ${stored}`);
    });
    await pending.waitFor({ state: 'detached', timeout: 10_000 });
    t.diagnostic(
      `the panel's retried change seen by the other browser ${Math.round(performance.now() - back)} ms after redis-server was ready`,
    );
    const ben = members.members.find((m) => m.name === 'Ben');
    assert.ok(
      ben && ['before the outage', 'said while down'].includes(ben.status),
      `the session and the status survived; the refused change is not there: ${ben?.status}`,
    );
    await b.panel.editStatusByKeyboard('after the outage');
    await sees(a.panel, 'Ben', 'after the outage');
    t.diagnostic(
      `a change seen across nodes ${Math.round(performance.now() - back)} ms after redis-server was ready`,
    );
  });
});

describe('npm run scale-out, as a newcomer runs it', () => {
  let child: ChildProcess | undefined;

  after(() => {
    // Only if the test failed half-way: the script runs in its own process group, children included.
    if (child?.pid && child.exitCode === null && child.signalCode === null)
      process.kill(-child.pid, 'SIGKILL');
  });

  it('should start Redis, two soketi nodes behind HAProxy and two instances, print the URLs, and stop them all on Ctrl-C', async () => {
    const ports = {
      REDIS_PORT: await freePort(),
      SOKETI_PORT_1: await freePort(),
      SOKETI_PORT_2: await freePort(),
      BALANCER_PORT: await freePort(),
      APP_PORT_1: await freePort(),
      APP_PORT_2: await freePort(),
    };
    const data = await mkdtemp(join(tmpdir(), 'whatsup-scale-out-'));
    child = spawn(process.execPath, [join(root, 'scripts', 'scale-out.mjs')], {
      cwd: root,
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        SCALE_OUT_DATA: data,
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    await waitFor(
      () => output.includes('Ctrl-C') || child!.exitCode !== null,
      60_000,
      () => output,
    );
    assert.equal(child.exitCode, null, output);

    for (const app of [ports.APP_PORT_1, ports.APP_PORT_2]) {
      assert.ok(output.includes(`http://127.0.0.1:${app}/`), `the URL of :${app} is printed:\n${output}`);
      const config = (await (await fetch(`http://127.0.0.1:${app}/whatsup/config`)).json()) as {
        wsPort: number;
      };
      assert.equal(config.wsPort, ports.BALANCER_PORT, `:${app} sends its pages to the balancer`);
    }
    for (const soketi of [ports.SOKETI_PORT_1, ports.SOKETI_PORT_2]) {
      assert.ok((await fetch(`http://127.0.0.1:${soketi}/`)).ok, `soketi :${soketi} answers`);
    }
    assert.ok((await fetch(`http://127.0.0.1:${ports.BALANCER_PORT}/`)).ok, 'soketi answers through haproxy');
    assert.ok(await listening(ports.REDIS_PORT), 'redis-server listens');
    assert.ok(existsSync(join(data, 'redis', 'appendonlydir')), 'Redis keeps an append-only file');

    const exited = once(child, 'exit');
    child.kill('SIGINT'); // the script alone: it must stop what it started
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, output);
    for (const [name, port] of Object.entries(ports)) {
      assert.equal(await listening(port), false, `${name} ${port} is closed after Ctrl-C`);
    }
    await rm(data, { recursive: true, force: true });
  });
});

async function listening(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}
