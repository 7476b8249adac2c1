// Every process the bench starts goes through here, so every one of them is stopped: after each
// scenario, on an error, on Ctrl-C / SIGTERM, and on exit.
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..');
export const credentials = { appId: 'app-id', key: 'app-key', secret: 'app-secret' };
export const SOKETI = join(root, 'node_modules', '.bin', 'soketi');

const children = new Set();

/** Kills every process still running (a scenario that overran its time, or the bench exiting). */
export function killAll() {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Stops a child and waits until it is gone, so the next scenario has the cores to itself. */
export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Sends an IPC message and resolves with the first reply of the given type. */
export function request(child, message, reply) {
  return new Promise((resolve, reject) => {
    const onMessage = (msg) => {
      if (msg.type === reply) {
        cleanup();
        resolve(msg);
      } else if (msg.type === 'error') {
        cleanup();
        reject(new Error(msg.message));
      }
    };
    const onExit = (code) => {
      cleanup();
      reject(new Error(`child exited (${code}) before answering ${message.type}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(message);
  });
}

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
}

/**
 * A server's RSS once it has settled: read every second (the embedded server after a full GC) for
 * at least `minMs`, until five readings in a row lie within 1 % of each other (or `maxMs` passed),
 * then the median of the last five. Why: right after a fill a Node server — the embedded one, and
 * soketi, whose uWebSockets sits under a Node process too — still holds the young generation the
 * fill's garbage grew (V8 gives it back when its memory reducer runs, 5–8 s after the allocation
 * stops, not on a forced GC): at 10,000 connections one reading right after the fill said 10 kB per
 * connection and one 7 s later 6.4 kB. Applied alike to both servers, before and after the fill.
 */
export async function settledRss(server, { minMs = 8000, maxMs = 20_000 } = {}) {
  const readings = [];
  const start = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    readings.push(await server.rss());
    const last = readings.slice(-5).sort((a, b) => a - b);
    const elapsed = Date.now() - start;
    if (elapsed >= minMs && last.length === 5 && (last[4] - last[0]) / last[2] < 0.01) return last[2];
    if (elapsed > maxMs) return last[Math.floor(last.length / 2)];
  }
}

/**
 * The embedded server and the middleware in their own process (bench/embedded-server.mjs), so its
 * RSS is its own. env: BENCH_PUBLISH=http + BENCH_PUSHER_PORT make the middleware publish through
 * the pusher library's HTTP API instead of in-process.
 */
export async function startEmbedded(env = {}) {
  const child = track(
    fork(join(here, 'embedded-server.mjs'), {
      // BENCH_SERVER_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the embedded server (not
      // allowed in NODE_OPTIONS); the profile is written when the scenario stops it
      execArgv: ['--expose-gc', ...(process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [])],
      env: { ...process.env, ...env },
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const [msg] = await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`embedded server exited (${code}) while starting`);
    }),
  ]);
  return {
    name: 'embedded',
    child,
    port: msg.port,
    triggerPort: msg.triggerPort,
    rss: async () => {
      await request(child, { type: 'gc' }, 'gc');
      return rssOf(child.pid);
    },
    stop: () => stop(child),
  };
}

export async function startSoketi() {
  const port = await freePort();
  const child = track(
    spawn(process.execPath, [SOKETI, 'start'], {
      env: {
        ...process.env,
        SOKETI_PORT: String(port),
        SOKETI_HOST: '127.0.0.1',
        SOKETI_METRICS_ENABLED: 'false',
        SOKETI_DEFAULT_APP_ID: credentials.appId,
        SOKETI_DEFAULT_APP_KEY: credentials.key,
        SOKETI_DEFAULT_APP_SECRET: credentials.secret,
        SOKETI_PRESENCE_MAX_MEMBERS: '100000',
        SOKETI_DEFAULT_APP_MAX_CONNS: '-1',
        SOKETI_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SEC: '-1',
        SOKETI_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SEC: '-1',
        SOKETI_DEFAULT_APP_MAX_READ_REQ_PER_SEC: '-1',
      },
      stdio: 'ignore',
    }),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`soketi exited (${child.exitCode}) while starting`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
    } catch {
      if (Date.now() > deadline) throw new Error('soketi did not answer within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { name: 'soketi', child, port, rss: async () => rssOf(child.pid), stop: () => stop(child) };
}

/** A process of raw-ws Pusher-protocol clients (bench/clients.mjs). */
export function startClients() {
  const child = track(
    fork(join(here, 'clients.mjs'), { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  return { child, stop: () => stop(child) };
}

export function wsUrl(port) {
  return `ws://127.0.0.1:${port}/app/${credentials.key}?protocol=7&client=js&version=8.6.0&flash=false`;
}

/** Signs up through POST /register and returns the session cookie. */
export async function register(base, username) {
  const res = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, status: 'benchmarking' }),
  });
  if (!res.ok) throw new Error(`POST ${base}/register answered ${res.status}: ${await res.text()}`);
  const body = await res.json();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, user: body.user };
}
