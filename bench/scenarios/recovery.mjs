// Recovery: how long after a fault ends until things work again, with real processes.
// `npm run scale-out`'s pieces (scripts/scale-out.mjs: Redis with an append-only file, two soketi
// nodes behind HAProxy, two app instances publishing through it), then the demo (examples/basic):
//   1. Redis SIGKILLed, down 1 s, started again: from its "Ready to accept connections" until both
//      instances answer GET /whatsup/isLoggedIn 200 with a session, and until a POST /status is
//      heard by a pusher-js client on each soketi node (so it crossed the nodes through Redis).
//      Baseline: the same change heard on both nodes with nothing failing.
//   2. A soketi node SIGKILLed under three pages (Chromium, the real element, through HAProxy):
//      from the kill until each page on it has `subscription_succeeded` on a new socket.
//      Baseline: a pusher-js client connecting through HAProxy until `subscription_succeeded`.
//   3. An app instance SIGKILLed and started again at once: from its spawn until
//      GET /whatsup/isLoggedIn answers 200. Baseline: a bare Express hello world, spawn → first 200.
//   4. The demo (`node examples/basic/server.js` with SESSION_SECRET, as `npm start` runs it) stopped
//      and started again under a signed-in page: from the URL it prints until the page has
//      `subscription_succeeded` on a new socket. Baselines: the same server's start (spawn → URL), and
//      a page opened afresh (navigation → `subscription_succeeded`).
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import PusherClient from 'pusher-js';
import { credentials, freePort, register, root, stop, track } from '../processes.mjs';
import { percentile, ratio } from '../stats.mjs';
import { CHROMIUM_ARGS } from './element.mjs';

export const title = 'Recovery after a fault (Redis, a soketi node, an app instance, the demo restarted)';
const CHANNEL = 'presence-whatsup-members';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAPROXY = process.env.HAPROXY ?? '/usr/sbin/haproxy';
/** Issue 26: after a server restart the panel reconnects within about 1 s of the server being back. */
const DEMO_TARGET_S = 1;

export function available() {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;
  if (!existsSync(HAPROXY)) return `no HAProxy at ${HAPROXY} (apt-get install haproxy, or set HAPROXY)`;
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return '';
  } catch {
    return 'redis-server is not installed (apt-get install redis-server)';
  }
}

const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits for `check()`; throws after `ms` (a hang is a failed scenario, not a figure). */
async function until(check, what, ms = 60_000, every = 10) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return now();
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(every);
  }
}

/** Resolves (with the time) on the first 200 from `url`; every refusal or error is retried. */
function firstOk(url, headers = {}) {
  return until(
    () =>
      fetch(url, { headers }).then(
        async (res) => {
          await res.body?.cancel();
          return res.status === 200;
        },
        () => false,
      ),
    `200 from ${url}`,
  );
}

/**
 * Spawns a process (tracked, so the bench stops it) and resolves `ready` with the time the first
 * line matching `pattern` arrived: an event, not a poll, so the figures start at the right moment.
 */
function spawnTimed(cmd, args, { env = {}, cwd = root, pattern }) {
  const child = track(
    spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let output = '';
  const ready = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (pattern.test(output)) {
        resolve(now());
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd} exited (${code}) before it was ready:\n${output}`)));
  });
  ready.catch(() => {});
  return { child, ready, spawned: now(), output: () => output };
}

async function kill(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** redis-server as scripts/scale-out.mjs starts it: append-only file, fsync every second. */
function startRedis(port, dir) {
  return spawnTimed(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
    ],
    { pattern: /Ready to accept connections/ },
  );
}

/** A pusher-js (Node) member of the channel on `wsPort`, authorized by the app with `cookie`. */
function pusherClient(wsPort, base, cookie) {
  const client = new PusherClient(credentials.key, {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort,
    forceTLS: false,
    enabledTransports: ['ws'],
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        fetch(`${base}/usersystem/auth`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ socket_id: socketId, channel_name: channelName }),
        })
          .then(async (res) => {
            if (!res.ok) throw new Error(`auth answered ${res.status}`);
            callback(null, await res.json());
          })
          .catch((err) => callback(err, null));
      },
    },
  });
  const channel = client.subscribe(CHANNEL);
  const heard = new Map();
  const subscribed = [];
  channel.bind('status-updated', (member) => heard.set(member.status, now()));
  channel.bind('pusher:subscription_succeeded', () => subscribed.push(now()));
  return { client, heard, subscribed, close: () => client.disconnect() };
}

async function postStatus(base, cookie, status) {
  const res = await fetch(`${base}/status`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ status }),
  }).catch(() => null);
  await res?.body?.cancel();
  return res?.status ?? 0;
}

/** A page's sockets: when each closed, and each `subscription_succeeded` frame on them. */
function watchSockets(page) {
  const w = { closed: [], subscribed: [] };
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      if (String(payload).includes('pusher_internal:subscription_succeeded')) w.subscribed.push(now());
    });
    ws.on('close', () => w.closed.push(now()));
  });
  return w;
}

async function signUp(page, name) {
  const form = page.locator('whatsup-presence [part~="form"]');
  await form.locator('input[name="username"]').fill(name);
  await form.locator('[name="status"]').fill('measuring recovery');
  await form.locator('button[type="submit"]').click();
  await page.locator('whatsup-presence [part~="me"]').waitFor();
}

export async function run({ quick, log }) {
  const rounds = quick ? 2 : 3;
  const scale = await import(pathToFileURL(join(root, 'scripts', 'scale-out.mjs')).href);
  const dir = mkdtempSync(join(tmpdir(), 'whatsup-recovery-'));
  const stack = [];
  const stopAll = async () => {
    for (const s of stack.reverse()) await s().catch(() => {});
  };
  const result = { rounds };
  let browser;
  try {
    // --- the scale-out set-up ---
    const redisPort = await freePort();
    let redis = startRedis(redisPort, dir);
    await redis.ready;
    stack.push(() => stop(redis.child));
    const soketiPorts = [await freePort(), await freePort()];
    const nodes = [];
    for (const port of soketiPorts) {
      const node = await scale.startSoketi(port, redisPort);
      track(node.child);
      nodes.push(node);
    }
    stack.push(() => Promise.all(nodes.map((n) => n.stop())));
    const balancerPort = await freePort();
    const balancer = await scale.startBalancer(balancerPort, soketiPorts);
    track(balancer.child);
    stack.push(() => balancer.stop());
    const appPorts = [await freePort(), await freePort()];
    const instances = [];
    for (const port of appPorts) {
      const instance = await scale.startInstance(port, { redisPort, soketiPort: balancerPort });
      track(instance.child);
      instances.push(instance);
    }
    stack.push(() => Promise.all(instances.map((i) => i.stop())));
    const bases = appPorts.map((p) => `http://127.0.0.1:${p}/whatsup`);
    const writer = await register(bases[0], 'Writer');
    const listenerCookies = [await register(bases[0], 'Lis1'), await register(bases[1], 'Lis2')];
    log('recovery: scale-out set-up up');

    // --- 1. Redis ---
    const listeners = soketiPorts.map((port, i) => pusherClient(port, bases[i], listenerCookies[i].cookie));
    stack.push(async () => listeners.forEach((l) => l.close()));
    await until(() => listeners.every((l) => l.subscribed.length > 0), 'listeners subscribed');
    let n = 0;
    /** Posts new statuses until one is heard on both nodes; resolves with that time. */
    const crossNodes = async () => {
      for (;;) {
        const status = `change ${++n}`;
        if ((await postStatus(bases[0], writer.cookie, status)) !== 200) {
          await sleep(10);
          continue;
        }
        const deadline = now() + 500;
        while (now() < deadline && !listeners.every((l) => l.heard.has(status))) await sleep(5);
        if (listeners.every((l) => l.heard.has(status)))
          return Math.max(...listeners.map((l) => l.heard.get(status)));
      }
    };
    const steady = [];
    for (let i = 0; i < 5; i++) {
      const t = now();
      steady.push((await crossNodes()) - t);
    }
    const redisStart = [];
    const routes = [];
    const crossing = [];
    for (let r = 0; r < rounds; r++) {
      await kill(redis.child);
      await sleep(1000);
      redis = startRedis(redisPort, dir);
      const back = await redis.ready;
      redisStart.push(back - redis.spawned);
      const answers = await Promise.all(
        bases.map((b) => firstOk(`${b}/isLoggedIn`, { cookie: writer.cookie })),
      );
      routes.push(Math.max(...answers) - back);
      crossing.push((await crossNodes()) - back);
      log(
        `recovery: redis round ${r + 1}: routes ${Math.round(routes.at(-1))} ms, across nodes ${Math.round(crossing.at(-1))} ms`,
      );
      // A node that exited after Redis came back (docs/production.md#redis-down) is started again.
      for (const [i, node] of nodes.entries()) {
        if (node.child.exitCode !== null || node.child.signalCode !== null) {
          result.nodeExits = (result.nodeExits ?? 0) + 1;
          nodes[i] = await scale.startSoketi(soketiPorts[i], redisPort);
          track(nodes[i].child);
        }
      }
    }
    listeners.forEach((l) => l.close());
    result.redis = { steady, redisStart, routes, crossing };

    // --- 2. a soketi node ---
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const pages = [];
    for (const [i, name] of ['Pia', 'Quin', 'Ros'].entries()) {
      const page = await (await browser.newContext()).newPage();
      const sockets = watchSockets(page);
      await page.goto(`http://127.0.0.1:${appPorts[i % 2]}/`);
      await signUp(page, name);
      await until(() => sockets.subscribed.length > 0, `${name} subscribed`);
      pages.push({ name, page, sockets });
    }
    const fresh = [];
    for (let i = 0; i < 5; i++) {
      const t = now();
      const c = pusherClient(balancerPort, bases[0], writer.cookie);
      fresh.push((await until(() => c.subscribed.length > 0, 'a fresh client subscribed')) - t);
      c.close();
    }
    const failover = [];
    const soketiStart = [];
    const dropped = [];
    for (let r = 0; r < rounds; r++) {
      const down = r % 2;
      const killed = now();
      await kill(nodes[down].child);
      const hit = () => pages.filter((p) => p.sockets.closed.some((c) => c >= killed));
      const live = (p) => p.sockets.subscribed.some((s) => s >= killed);
      await until(() => hit().length > 0 && hit().every(live), `pages on node ${down + 1} subscribed again`);
      await sleep(1000); // a page whose socket closes late still counts
      await until(() => hit().every(live), 'late pages subscribed again');
      for (const p of hit()) failover.push(p.sockets.subscribed.find((s) => s >= killed) - killed);
      dropped.push(hit().length);
      const ups = (balancer.output().match(new RegExp(`node${down + 1} is UP`, 'g')) ?? []).length;
      const spawned = now();
      nodes[down] = await scale.startSoketi(soketiPorts[down], redisPort);
      track(nodes[down].child);
      soketiStart.push(now() - spawned);
      // The next round kills the other node: HAProxy must take this one back first.
      await until(
        () => (balancer.output().match(new RegExp(`node${down + 1} is UP`, 'g')) ?? []).length > ups,
        `HAProxy sees node ${down + 1} up`,
      );
      log(`recovery: soketi round ${r + 1}: ${hit().length} pages moved`);
    }
    result.soketi = { fresh, failover, soketiStart, dropped };

    // --- 3. an app instance ---
    const BARE = `const app = require('express')(); app.get('/', (req, res) => res.send('hi')); app.listen(process.env.PORT, '127.0.0.1')`;
    const bare = [];
    const restart = [];
    const fromKill = [];
    for (let r = 0; r < rounds; r++) {
      const killed = now();
      await kill(instances[1].child);
      const spawned = now();
      const starting = scale.startInstance(appPorts[1], { redisPort, soketiPort: balancerPort });
      const ok = await firstOk(`${bases[1]}/isLoggedIn`, { cookie: listenerCookies[1].cookie });
      instances[1] = await starting;
      track(instances[1].child);
      restart.push(ok - spawned);
      fromKill.push(ok - killed);
      const port = await freePort();
      const b = spawnTimed(process.execPath, ['-e', BARE], { env: { PORT: String(port) }, pattern: /$^/ });
      bare.push((await firstOk(`http://127.0.0.1:${port}/`)) - b.spawned);
      await stop(b.child);
    }
    result.instance = { bare, restart, fromKill };
    await stopAll();
    stack.length = 0;

    // --- 4. the demo restarted ---
    const demoPort = await freePort();
    const demoEnv = {
      PORT: String(demoPort),
      HOST: '127.0.0.1',
      SESSION_SECRET: 'recovery bench',
      WHATSUP_DATA: join(dir, 'demo'),
    };
    const startDemo = () =>
      spawnTimed(process.execPath, ['server.js'], {
        cwd: join(root, 'examples', 'basic'),
        env: demoEnv,
        pattern: /whatsup demo: http/,
      });
    let demo = startDemo();
    await demo.ready;
    stack.push(() => stop(demo.child));
    const context = await browser.newContext();
    const page = await context.newPage();
    const sockets = watchSockets(page);
    const url = `http://127.0.0.1:${demoPort}/`;
    await page.goto(url);
    await signUp(page, 'Dee');
    await until(() => sockets.subscribed.length > 0, 'Dee subscribed');
    const demoStart = [];
    const demoBack = [];
    const demoDown = [];
    const demoFresh = [];
    for (let r = 0; r < rounds; r++) {
      const stopping = now();
      await stop(demo.child);
      demo = startDemo();
      const back = await demo.ready;
      demoDown.push(back - stopping);
      demoStart.push(back - demo.spawned);
      // From the URL printed: the page cannot subscribe before the server listens (clamped at 0 for
      // the one case it could seem to: the page's retry landing before this process read the line).
      const live = await until(() => sockets.subscribed.some((s) => s > stopping), 'the page live again');
      demoBack.push(Math.max(0, live - back));
      log(`recovery: demo round ${r + 1}: page live ${Math.round(demoBack.at(-1))} ms after the URL`);
      // Another browser with the same session (a tab of the same one would use the leader tab's
      // connection, not open its own).
      const elsewhere = await browser.newContext();
      await elsewhere.addCookies(await context.cookies());
      const other = await elsewhere.newPage();
      const otherSockets = watchSockets(other);
      const t = now();
      await other.goto(url);
      demoFresh.push((await until(() => otherSockets.subscribed.length > 0, 'a fresh page subscribed')) - t);
      await elsewhere.close();
    }
    result.demo = { demoStart, demoBack, demoDown, demoFresh };
    return result;
  } finally {
    await browser?.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

const p50 = (xs) => percentile(xs, 50);
const t = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
const range = (xs) => (xs.length > 1 ? `${t(Math.min(...xs))}–${t(Math.max(...xs))}` : '');

export function headline(r) {
  const demo = p50(r.demo.demoBack);
  return [
    [
      'Redis restarted → a change heard on both soketi nodes, p50',
      t(p50(r.redis.crossing)),
      `the same change, nothing failing ${t(p50(r.redis.steady))}`,
      ratio(p50(r.redis.crossing), p50(r.redis.steady)),
    ],
    [
      'soketi node SIGKILLed → its pages subscribed again via HAProxy, p50',
      t(p50(r.soketi.failover)),
      `a fresh pusher-js client via HAProxy ${t(p50(r.soketi.fresh))}`,
      ratio(p50(r.soketi.failover), p50(r.soketi.fresh)),
    ],
    [
      'app instance SIGKILLed + started → first 200, p50',
      t(p50(r.instance.restart)),
      `bare Express start ${t(p50(r.instance.bare))}`,
      ratio(p50(r.instance.restart), p50(r.instance.bare)),
    ],
    [
      'demo restarted → the page live again after the server is back, p50',
      t(demo),
      `a page opened afresh ${t(p50(r.demo.demoFresh))}`,
      ratio(demo, p50(r.demo.demoFresh)),
      `issue 26: ≈ ${DEMO_TARGET_S} s absolute`,
      demo <= DEMO_TARGET_S * 1000 ? 'yes' : '**no**',
    ],
  ];
}

export function report(r) {
  const row = (what, xs, baseline, base) =>
    `| ${what} | **${t(p50(xs))}** | ${range(xs)} | ${xs.length} | ${baseline}: ${t(p50(base))} (${range(base)}) |`;
  return [
    'Raw times (these are recoveries: a ratio to the baseline is only a guide). p50 of the rounds, with the range.',
    '',
    '| fault → recovered | p50 | range | rounds | baseline, same run: p50 (range) |',
    '|---|---|---|---|---|',
    row(
      'Redis SIGKILLed, down 1 s, started: "Ready to accept connections" → both instances answer `GET /isLoggedIn` 200 with a session',
      r.redis.routes,
      'redis-server spawn → ready',
      r.redis.redisStart,
    ),
    row(
      'the same → a `POST /status` heard by a pusher-js client on each soketi node',
      r.redis.crossing,
      'the same change with nothing failing',
      r.redis.steady,
    ),
    row(
      `a soketi node SIGKILLed → each page that was on it (${r.soketi.dropped.join(', ')} of 3 pages per round) has \`subscription_succeeded\` again through HAProxy`,
      r.soketi.failover,
      'a fresh pusher-js client through HAProxy, `new Pusher()` → `subscription_succeeded`',
      r.soketi.fresh,
    ),
    row(
      'an app instance SIGKILLed and started again at once: spawn → `GET /whatsup/isLoggedIn` 200',
      r.instance.restart,
      'a bare Express hello world, spawn → first 200',
      r.instance.bare,
    ),
    row('the same, from the kill', r.instance.fromKill, 'a bare Express hello world', r.instance.bare),
    row(
      'the demo (`examples/basic`, `SESSION_SECRET` set) stopped and started: its URL printed → the signed-in page has `subscription_succeeded` on a new socket',
      r.demo.demoBack,
      'a page opened afresh on the running demo, navigation → `subscription_succeeded`',
      r.demo.demoFresh,
    ),
    row(
      'the demo down (SIGTERM → its URL printed again)',
      r.demo.demoDown,
      'its start alone, spawn → URL',
      r.demo.demoStart,
    ),
    '',
    `Set-up: \`scripts/scale-out.mjs\`'s pieces (redis-server with an append-only file, two soketi nodes with the Redis adapter, HAProxy health-checking them every second, two \`examples/scale-out\` instances publishing through HAProxy), then \`node examples/basic/server.js\` with \`SESSION_SECRET\` (sessions in files, so the page stays signed in). Each time starts at an event: the process's own line on stdout ("Ready to accept connections", the demo's URL), the kill, or the spawn; the end is polled every 10 ms (HTTP) or is the frame's arrival seen through Playwright (\`page.on('websocket')\`). The Redis crossing posts a new status every 500 ms until one is heard on both nodes: a publish taken by a node whose Redis adapter has not reconnected yet reaches only that node's sockets. Pages are the real element in headless Chromium; the Redis listeners and the fresh clients are pusher-js in Node, authorized by the app.`,
    '',
    `Where the time goes: after Redis returns, each instance's ioredis tries again on its own back-off (\`retryStrategy\`: 100 ms more per attempt, at most 1 s), so after a 1 s outage its next try is about half a second away; the change crosses the nodes as soon as the routes answer (soketi's adapter is back by then). pusher-js waits 1 s after a socket closes uncleanly before it connects again (its \`retryIn(1000)\`), which is most of a soketi failover; HAProxy sends the new socket to the live node at once (a refused connection is redispatched). The killed node, started again, answered after ${t(p50(r.soketi.soketiStart))} (${range(r.soketi.soketiStart)}, spawn → it answers): what pages without a balancer would wait at least. The demo's page is nudged by the element's reconnect probe (a \`GET\` about every second while the connection is down; its first answer after a failed one reconnects pusher-js at once), so it is live again within about a probe interval of the server being back; before the probe it waited out pusher-js's back-off (13.7–14.4 s in this scenario).${r.nodeExits ? ` A soketi node exited after Redis came back ${r.nodeExits} time(s) and was started again.` : ''}`,
  ];
}
