// npm run bench: speed, scale and size, each as a ratio against a baseline measured in the same run
// (machines here are shared and noisy) or as a count that does not depend on the clock.
// Writes BENCHMARKS.md. BENCH_QUICK=1 runs smaller sizes.
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import Pusher from 'pusher';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import autocannon from 'autocannon';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const quick = process.env.BENCH_QUICK === '1';
// 10,000 subscribers need two descriptors each on this machine (client and server side).
const SIZES = quick ? [100, 1000] : [100, 1000, 5000, ...(process.env.BENCH_MAX === '5000' ? [] : [10_000])];
const ROUNDS = quick ? 10 : 30;
const credentials = { appId: 'app-id', key: 'app-key', secret: 'app-secret' };
const started = Date.now();
const children = new Set();

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

// ---------- processes ----------

async function freePort() {
  const { createServer } = await import('node:net');
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function request(child, message, reply) {
  return new Promise((resolve) => {
    const onMessage = (msg) => {
      if (msg.type === reply) {
        child.off('message', onMessage);
        resolve(msg);
      }
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

async function startEmbedded(env = {}) {
  const child = track(
    fork(join(here, 'embedded-server.mjs'), {
      execArgv: ['--expose-gc'],
      env: { ...process.env, ...env },
      cwd: root,
    }),
  );
  const [msg] = await once(child, 'message');
  return {
    child,
    port: msg.port,
    rss: async () => (await request(child, { type: 'rss' }, 'rss')).rss,
    stop: () => child.kill(),
  };
}

async function startSoketi() {
  const port = await freePort();
  const child = track(
    spawn(join(root, 'node_modules', '.bin', 'soketi'), ['start'], {
      env: {
        ...process.env,
        SOKETI_PORT: String(port),
        SOKETI_HOST: '127.0.0.1',
        SOKETI_PRESENCE_MAX_MEMBERS: '100000',
        SOKETI_DEFAULT_APP_MAX_CONNS: '-1',
      },
      stdio: 'ignore',
    }),
  );
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const rss = async () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
  };
  return { child, port, rss, stop: () => child.kill() };
}

function startClients() {
  return track(fork(join(here, 'clients.mjs'), { cwd: root }));
}

// ---------- statistics ----------

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (v) => `${v.toFixed(2)} ms`;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

/** Rounds of: clients start their clock, publish, clients report when the last one has the event. */
async function rounds(clients, publish, event) {
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    let published = Promise.resolve();
    const done = new Promise((resolve) => {
      const onMessage = (msg) => {
        if (msg.type === 'go')
          published = publish().catch((err) => console.error('publish failed', err.message));
        if (msg.type === 'done') {
          clients.off('message', onMessage);
          resolve(msg.ms);
        }
      };
      clients.on('message', onMessage);
    });
    clients.send({ type: 'round', event });
    times.push(await done);
    await published;
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

// ---------- 1. fan-out and memory per connection ----------

async function fanOut() {
  const rows = [];
  const memory = [];
  for (const n of SIZES) {
    const results = {};
    for (const target of ['embedded', 'soketi']) {
      const server = target === 'embedded' ? await startEmbedded() : await startSoketi();
      const http = new Pusher({
        ...credentials,
        host: '127.0.0.1',
        port: String(server.port),
        useTLS: false,
      });
      const before = await server.rss();
      const clients = startClients();
      await request(
        clients,
        {
          type: 'connect',
          url: `ws://127.0.0.1:${server.port}/app/app-key?protocol=7&client=js&version=8.6.0`,
          n,
          channel: 'bench',
        },
        'ready',
      );
      const after = await server.rss();
      memory.push({ target, n, perConnection: (after - before) / n });
      if (target === 'embedded') {
        results['embedded in-process'] = await rounds(
          clients,
          async () => server.child.send({ type: 'trigger', channel: 'bench', event: 'tick' }),
          'tick',
        );
        results['embedded HTTP API'] = await rounds(
          clients,
          () => http.trigger('bench', 'tick', { at: 1 }),
          'tick',
        );
      } else {
        results['soketi HTTP API'] = await rounds(
          clients,
          () => http.trigger('bench', 'tick', { at: 1 }),
          'tick',
        );
      }
      clients.kill();
      server.stop();
    }
    rows.push({ n, results });
    console.log(`fan-out ${n}:`, JSON.stringify(results));
  }
  return { rows, memory };
}

// ---------- 2. presence churn ----------

async function presenceChurn() {
  const K = quick ? 20 : 50;
  const M = quick ? 10 : 20;
  const durationMs = quick ? 3000 : 5000;
  const results = {};
  for (const target of ['embedded', 'soketi']) {
    const server = target === 'embedded' ? await startEmbedded() : await startSoketi();
    const url = `ws://127.0.0.1:${server.port}/app/app-key?protocol=7&client=js&version=8.6.0`;
    const common = { url, channel: 'presence-churn', secret: credentials.secret, key: credentials.key };
    const watchers = startClients();
    await request(watchers, { type: 'connect', n: K, ...common }, 'ready');
    const churner = startClients();
    await request(
      watchers,
      { type: 'count-start', events: ['pusher_internal:member_added', 'pusher_internal:member_removed'] },
      'counting',
    );
    const { joins } = await request(churner, { type: 'churn', m: M, durationMs, ...common }, 'churned');
    await new Promise((r) => setTimeout(r, 500));
    const { count } = await request(watchers, { type: 'count-stop' }, 'counted');
    results[target] = {
      joinsPerSecond: joins / (durationMs / 1000),
      eventsPerSecond: count / (durationMs / 1000),
      expected: joins * 2 * K,
      count,
      K,
      M,
    };
    watchers.kill();
    churner.kill();
    server.stop();
    console.log(`presence churn ${target}:`, JSON.stringify(results[target]));
  }
  return results;
}

// ---------- 3. status round trip ----------

async function statusRoundTrip() {
  const results = {};
  const soketi = await startSoketi();
  const variants = [
    ['embedded in-process', {}],
    ['embedded over HTTP', { BENCH_PUBLISH: 'http', self: true }],
    ['soketi', { BENCH_PUBLISH: 'http', BENCH_PUSHER_PORT: String(soketi.port) }],
  ];
  for (const [name, env] of variants) {
    const port = await freePort();
    const server = await startEmbedded({
      BENCH_PORT: String(port),
      ...(env.BENCH_PUBLISH
        ? { BENCH_PUBLISH: 'http', BENCH_PUSHER_PORT: env.self ? String(port) : env.BENCH_PUSHER_PORT }
        : {}),
    });
    const wsPort = name === 'soketi' ? soketi.port : port;
    const base = `http://127.0.0.1:${port}/whatsup`;
    const reg = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `bench-${name}`, status: 'x' }),
    });
    const cookie = reg.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const clients = startClients();
    await request(
      clients,
      {
        type: 'connect',
        url: `ws://127.0.0.1:${wsPort}/app/app-key?protocol=7&client=js&version=8.6.0`,
        n: 100,
        channel: 'presence-whatsup-members',
        secret: credentials.secret,
        key: credentials.key,
      },
      'ready',
    );
    let i = 0;
    results[name] = await rounds(
      clients,
      async () => {
        const res = await fetch(`${base}/status`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ status: `round ${i++}` }),
        });
        await res.arrayBuffer();
      },
      'status-updated',
    );
    clients.kill();
    server.stop();
    console.log(`status round trip ${name}:`, JSON.stringify(results[name]));
  }
  soketi.stop();
  return results;
}

// ---------- 4. auth route ----------

async function authRoute() {
  const server = await startEmbedded();
  const base = `http://127.0.0.1:${server.port}`;
  const reg = await fetch(`${base}/whatsup/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench-auth', status: 'benchmarking the auth route' }),
  });
  const cookie = reg.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const common = {
    method: 'POST',
    connections: 10,
    duration: quick ? 3 : 5,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: 'socket_id=1234.5678&channel_name=presence-whatsup-members',
  };
  const bare = await autocannon({ ...common, url: `${base}/bare` });
  const auth = await autocannon({ ...common, url: `${base}/whatsup/usersystem/auth` });
  server.stop();
  const result = {
    bare: bare.requests.average,
    auth: auth.requests.average,
    errors: auth.errors + auth.non2xx,
  };
  console.log('auth route:', JSON.stringify(result));
  return result;
}

// ---------- 5. element ----------

async function element() {
  const bundle = readFileSync(
    join(root, 'packages/presence-element/dist/whatsup-presence.bundle.esm.min.js'),
    'utf8',
  );
  const page = readFileSync(join(here, 'element-page.js'), 'utf8');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const tab = await browser.newPage();
  await tab.setContent('<!doctype html><html><body></body></html>');
  await tab.addScriptTag({ content: bundle, type: 'module' });
  await tab.waitForFunction(() => globalThis.customElements.get('whatsup-presence'));
  const result = await tab.evaluate(page);
  await browser.close();
  console.log('element:', JSON.stringify(result));
  return result;
}

// ---------- 6. size ----------

async function size() {
  const file = join(root, 'packages/presence-element/dist/whatsup-presence.bundle.min.js');
  const measure = (code) => ({
    raw: Buffer.byteLength(code),
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code).length,
  });
  const full = measure(readFileSync(file));
  async function variant(external) {
    const build = await rollup({
      input: join(root, 'packages/presence-element/src/whatsup-presence.ts'),
      external,
      plugins: [
        nodeResolve({ browser: true }),
        commonjs(),
        typescript({
          tsconfig: join(root, 'packages/presence-element/tsconfig.json'),
          declaration: false,
          declarationMap: false,
          outDir: undefined,
          sourceMap: false,
        }),
        terser({ format: { comments: false } }),
      ],
      onwarn: () => {},
    });
    const { output } = await build.generate({ format: 'es' });
    await build.close();
    return measure(output[0].code);
  }
  const own = await variant(
    (id) => id === 'pusher-js' || id === 'lit' || id.startsWith('lit/') || id.startsWith('@lit'),
  );
  const withoutPusher = await variant((id) => id === 'pusher-js');
  const pusherOnly = measure(readFileSync(join(root, 'node_modules/pusher-js/dist/web/pusher.min.js')));
  const lit = {
    raw: withoutPusher.raw - own.raw,
    gzip: withoutPusher.gzip - own.gzip,
    brotli: withoutPusher.brotli - own.brotli,
  };
  const pusherShare = {
    raw: full.raw - withoutPusher.raw,
    gzip: full.gzip - withoutPusher.gzip,
    brotli: full.brotli - withoutPusher.brotli,
  };
  return { full, own, lit, pusherShare, pusherOnly };
}

// ---------- report ----------

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

async function main() {
  const sections = {};
  sections.size = await size();
  console.log('size:', JSON.stringify(sections.size.full));
  sections.element = await element();
  sections.auth = await authRoute();
  sections.status = await statusRoundTrip();
  sections.churn = await presenceChurn();
  sections.fanOut = await fanOut();

  const cpu = cpus()[0]?.model ?? 'unknown';
  const lines = [];
  lines.push('# Benchmarks', '');
  lines.push(
    `Measured ${new Date().toISOString()} on ${cpus().length} × ${cpu}, ${kb(totalmem() / 1024).replace('kB', 'MB')} memory, Node ${process.version}.`,
  );
  lines.push(
    `Command: \`npm run bench\`${quick ? ' (BENCH_QUICK=1)' : ''} — ${Math.round((Date.now() - started) / 1000)} s. Every timing is also given as a ratio against a baseline measured in the same run; the machine is shared, so absolute times are indicative only.`,
    '',
  );

  const s = sections.size;
  lines.push('## Size of the one-file bundle', '');
  lines.push('| | raw | gzip | brotli |', '|---|---|---|---|');
  lines.push(
    `| whatsup-presence.bundle.min.js (all inside) | ${kb(s.full.raw)} | ${kb(s.full.gzip)} | ${kb(s.full.brotli)} |`,
  );
  lines.push(`| of which our own code | ${kb(s.own.raw)} | ${kb(s.own.gzip)} | ${kb(s.own.brotli)} |`);
  lines.push(`| of which lit | ${kb(s.lit.raw)} | ${kb(s.lit.gzip)} | ${kb(s.lit.brotli)} |`);
  lines.push(
    `| of which pusher-js | ${kb(s.pusherShare.raw)} | ${kb(s.pusherShare.gzip)} | ${kb(s.pusherShare.brotli)} |`,
  );
  lines.push(
    `| baseline: pusher-js's own pusher.min.js | ${kb(s.pusherOnly.raw)} | ${kb(s.pusherOnly.gzip)} | ${kb(s.pusherOnly.brotli)} |`,
  );
  lines.push(
    `| **ratio bundle / pusher-js alone (brotli)** | ${ratio(s.full.raw, s.pusherOnly.raw)} | ${ratio(s.full.gzip, s.pusherOnly.gzip)} | ${ratio(s.full.brotli, s.pusherOnly.brotli)} |`,
    '',
  );
  lines.push(
    'Shares are measured by building the bundle again with lit and/or pusher-js left out (differences of minified builds).',
    '',
  );

  const e = sections.element;
  lines.push('## Element (headless Chromium, 1,000 members)', '');
  lines.push(
    '| | time | baseline: the DOM API building / updating 1,000 plain `<li>` | ratio |',
    '|---|---|---|---|',
  );
  lines.push(
    `| first render of 1,000 members | ${ms(e.firstRender)} | ${ms(e.baselineRender)} | ${ratio(e.firstRender, e.baselineRender)} |`,
  );
  lines.push(
    `| one status change in 1,000 (median of ${e.rounds}) | ${ms(e.oneChange)} | ${ms(e.baselineOneChange)} | ${ratio(e.oneChange, e.baselineOneChange)} |`,
  );
  lines.push(
    `| 100 status changes in a burst | ${ms(e.burst)} | ${ms(e.baselineBurst)} | ${ratio(e.burst, e.baselineBurst)} |`,
    '',
  );
  lines.push(
    'Members are fed to the element in the page (no network): `status-updated`-shaped updates applied the way the element applies them, then `updateComplete` awaited.',
    '',
  );

  const a = sections.auth;
  lines.push('## Auth route (`POST /usersystem/auth` with a session)', '');
  lines.push('| | requests/s |', '|---|---|');
  lines.push(`| baseline: bare Express route, same JSON size, same server | ${a.bare.toFixed(0)} |`);
  lines.push(`| whatsup auth route (session lookup, status store, HMAC) | ${a.auth.toFixed(0)} |`);
  lines.push(`| **ratio auth / bare** | ${ratio(a.auth, a.bare)} |`, '');
  lines.push(`autocannon, 10 connections, ${quick ? 3 : 5} s each; ${a.errors} errors/non-2xx.`, '');

  lines.push('## Status round trip (`POST /status` → `status-updated` at 100 presence subscribers)', '');
  lines.push('| path | p50 | p99 | p50 ratio to embedded in-process |', '|---|---|---|---|');
  const base = sections.status['embedded in-process'].p50;
  for (const [name, r] of Object.entries(sections.status))
    lines.push(`| ${name} | ${ms(r.p50)} | ${ms(r.p99)} | ${ratio(r.p50, base)} |`);
  lines.push(
    '',
    `${ROUNDS} rounds each, measured in the clients' process from just before the request to the last client receiving the event.`,
    '',
  );

  const c = sections.churn;
  lines.push('## Presence churn', '');
  lines.push(
    `${c.embedded.M} loops join a presence channel as a new member and leave again, as fast as the server lets them, while ${c.embedded.K} watchers follow.`,
    '',
  );
  lines.push(
    '| server | joins + leaves per second | member events delivered to watchers per second | delivered / expected |',
    '|---|---|---|---|',
  );
  for (const [name, r] of Object.entries(c)) {
    lines.push(
      `| ${name} | ${r.joinsPerSecond.toFixed(0)} | ${r.eventsPerSecond.toFixed(0)} | ${(r.count / r.expected).toFixed(3)} |`,
    );
  }
  lines.push(
    `| **ratio embedded / soketi** | ${ratio(c.embedded.joinsPerSecond, c.soketi.joinsPerSecond)} | ${ratio(c.embedded.eventsPerSecond, c.soketi.eventsPerSecond)} | |`,
    '',
  );

  lines.push('## Fan-out (one event to N subscribers of one public channel)', '');
  lines.push(
    '| N | embedded in-process p50 / p99 | embedded HTTP API p50 / p99 | soketi HTTP API p50 / p99 | embedded HTTP ÷ soketi (p50) |',
    '|---|---|---|---|---|',
  );
  for (const { n, results } of sections.fanOut.rows) {
    const ip = results['embedded in-process'];
    const eh = results['embedded HTTP API'];
    const so = results['soketi HTTP API'];
    lines.push(
      `| ${n} | ${ms(ip.p50)} / ${ms(ip.p99)} | ${ms(eh.p50)} / ${ms(eh.p99)} | ${ms(so.p50)} / ${ms(so.p99)} | ${ratio(eh.p50, so.p50)} |`,
    );
  }
  lines.push(
    '',
    `${ROUNDS} rounds per cell; clients are raw-ws protocol clients in a separate process; "in-process" is published from inside the server's own process over IPC.`,
    '',
  );
  lines.push('### Memory per connection (server RSS growth ÷ N, subscribed to one channel)', '');
  lines.push('| N | embedded | soketi | ratio |', '|---|---|---|---|');
  for (const n of SIZES) {
    const em = sections.fanOut.memory.find((m) => m.target === 'embedded' && m.n === n);
    const so = sections.fanOut.memory.find((m) => m.target === 'soketi' && m.n === n);
    lines.push(
      `| ${n} | ${kb(em.perConnection)} | ${kb(so.perConnection)} | ${ratio(em.perConnection, so.perConnection)} |`,
    );
  }
  lines.push('');
  writeFileSync(join(root, 'BENCHMARKS.md'), lines.join('\n'));
  console.log(`\nwrote BENCHMARKS.md in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
