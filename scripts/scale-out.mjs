// `npm run scale-out`: Redis (append-only file, so a Redis restart keeps every session and status),
// two soketi nodes joined by soketi's Redis adapter, HAProxy in front of them (WebSocket-aware,
// health-checked: pages and publishes go to a live node), and two app instances, all on 127.0.0.1.
// Ctrl-C stops everything. The end-to-end tests start the same pieces through the exports below.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const soketiBin = join(root, 'node_modules', '.bin', 'soketi');
export const credentials = { PUSHER_APP_ID: 'app-id', PUSHER_KEY: 'app-key', PUSHER_SECRET: 'app-secret' };

export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** Rejects, naming the variable to change, when something already listens on `port`. */
async function assertFree(port, variable) {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  const [event] = await Promise.race([once(server, 'listening').then(() => ['ok']), once(server, 'error')]);
  if (event === 'ok') {
    server.close();
    await once(server, 'close');
    return;
  }
  // Without this check a busy port would look "ready": whatever holds it would answer instead.
  throw new Error(`port ${port} is in use: set ${variable} to a free port`);
}

/** Spawns a long-running process and resolves once `ready()` says so. */
async function start(name, command, args, env, ready, timeoutMs = 20_000, onStop = async () => {}) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let spawnError;
  child.on('error', (err) => (spawnError = err));
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const deadline = Date.now() + timeoutMs;
  while (!(await ready(output).catch(() => false))) {
    if (spawnError?.code === 'ENOENT') {
      throw new Error(
        `${command} is not installed${name === 'redis' ? ' (Debian: apt-get install redis-server)' : ''}`,
      );
    }
    if (spawnError) throw spawnError;
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start in ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await onStop();
    },
  };
}

/**
 * redis-server with an append-only file in `dataDir` (fsync every second: a crash loses at most the
 * last second), so sessions and statuses survive a Redis restart. Without `dataDir`, a directory of
 * its own in the system's temporary directory, removed by stop().
 */
export async function startRedis(port, dataDir) {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'whatsup-redis-')));
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
  args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '');
  return start(
    'redis',
    'redis-server',
    args,
    {},
    async (out) => /Ready to accept connections/.test(out),
    20_000,
    async () => {
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  );
}

/**
 * HAProxy in front of the soketi nodes: WebSockets pass through (an idle socket may stay an hour),
 * each node is checked every second (`GET /ready`, soketi's readiness answer) and taken out after two
 * failures, its sockets closed so pages reconnect at once, through the balancer, to a live node;
 * a connection refused by a node not yet marked down is tried on another.
 */
export async function startBalancer(port, soketiPorts, configDir) {
  const dir = configDir ?? (await mkdtemp(join(tmpdir(), 'whatsup-haproxy-')));
  if (configDir) await mkdir(configDir, { recursive: true });
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig(port, soketiPorts));
  return start(
    `haproxy:${port}`,
    process.env.HAPROXY ?? '/usr/sbin/haproxy',
    ['-f', file, '-db'],
    {},
    async () => (await fetch(`http://127.0.0.1:${port}/`)).ok,
    20_000,
    async () => {
      if (!configDir) await rm(dir, { recursive: true, force: true });
    },
  );
}

export function haproxyConfig(port, soketiPorts) {
  return `global
  maxconn 4000

defaults
  mode http
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  # An upgraded WebSocket is a tunnel: pusher-js pings every 30 s (activity_timeout 120 s on soketi).
  timeout tunnel 1h
  timeout client-fin 5s
  option redispatch
  retries 2

frontend realtime
  bind 127.0.0.1:${port}
  default_backend soketi

backend soketi
  balance leastconn
  option httpchk
  # /ready answers 503 while a node is closing (its grace period), so new sockets go elsewhere at once.
  http-check send meth GET uri /ready ver HTTP/1.1 hdr Host localhost
  http-check expect status 200
  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
${soketiPorts.map((p, i) => `  server node${i + 1} 127.0.0.1:${p} check`).join('\n')}
`;
}

export function startSoketi(port, redisPort) {
  return start(
    `soketi:${port}`,
    soketiBin,
    ['start'],
    {
      SOKETI_PORT: String(port),
      SOKETI_HOST: '127.0.0.1',
      SOKETI_DEFAULT_APP_ID: credentials.PUSHER_APP_ID,
      SOKETI_DEFAULT_APP_KEY: credentials.PUSHER_KEY,
      SOKETI_DEFAULT_APP_SECRET: credentials.PUSHER_SECRET,
      SOKETI_ADAPTER_DRIVER: 'redis',
      SOKETI_DB_REDIS_HOST: '127.0.0.1',
      SOKETI_DB_REDIS_PORT: String(redisPort),
      SOKETI_METRICS_ENABLED: 'false',
    },
    async () => (await fetch(`http://127.0.0.1:${port}/`)).ok,
  );
}

/**
 * One app instance publishing to `soketiPort` (a node, or the balancer), its pages sent there too
 * unless `wsPort` names another port (the balancer, when it publishes to a node).
 */
export function startInstance(
  port,
  { redisPort, soketiPort, wsPort, sessionSecret = 'scale-out demo secret' },
) {
  return start(
    `instance:${port}`,
    process.execPath,
    [join(root, 'examples', 'scale-out', 'server.js')],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      SESSION_SECRET: sessionSecret,
      ...credentials,
      PUSHER_HOST: '127.0.0.1',
      PUSHER_PORT: String(soketiPort),
      PUSHER_USE_TLS: 'false',
      ...(wsPort !== undefined ? { PUSHER_WS_HOST: '127.0.0.1', PUSHER_WS_PORT: String(wsPort) } : {}),
    },
    async (out) => out.includes('http://'),
  );
}

async function main() {
  const env = process.env;
  const redisPort = Number(env.REDIS_PORT ?? (await freePort()));
  const soketiPorts = [Number(env.SOKETI_PORT_1 ?? 6001), Number(env.SOKETI_PORT_2 ?? 6002)];
  const balancerPort = Number(env.BALANCER_PORT ?? 6000);
  const appPorts = [Number(env.APP_PORT_1 ?? 3001), Number(env.APP_PORT_2 ?? 3002)];
  const data = env.SCALE_OUT_DATA ?? join(root, '.scale-out');
  const running = [];
  const stopAll = async () => {
    for (const p of running.reverse()) await p.stop().catch(() => {});
  };
  process.on('SIGINT', () => stopAll().then(() => process.exit(0)));
  process.on('SIGTERM', () => stopAll().then(() => process.exit(0)));
  try {
    await assertFree(soketiPorts[0], 'SOKETI_PORT_1');
    await assertFree(soketiPorts[1], 'SOKETI_PORT_2');
    await assertFree(balancerPort, 'BALANCER_PORT');
    await assertFree(appPorts[0], 'APP_PORT_1');
    await assertFree(appPorts[1], 'APP_PORT_2');
    if (env.REDIS_PORT) await assertFree(redisPort, 'REDIS_PORT');
    running.push(await startRedis(redisPort, join(data, 'redis')));
    console.log(`redis            127.0.0.1:${redisPort} (append-only file in ${join(data, 'redis')})`);
    for (const port of soketiPorts) {
      running.push(await startSoketi(port, redisPort));
      console.log(`soketi           127.0.0.1:${port} (Redis adapter)`);
    }
    running.push(await startBalancer(balancerPort, soketiPorts, data));
    console.log(
      `haproxy          127.0.0.1:${balancerPort} → soketi :${soketiPorts.join(', :')} (health-checked)`,
    );
    for (const [i, port] of appPorts.entries()) {
      running.push(await startInstance(port, { redisPort, soketiPort: balancerPort }));
      console.log(
        `app instance ${i + 1}   http://127.0.0.1:${port}/  → soketi through haproxy :${balancerPort}`,
      );
    }
    console.log('\nOpen both instances in two browsers; Ctrl-C stops everything.');
  } catch (err) {
    console.error(`scale-out: ${err.message}`);
    await stopAll();
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
