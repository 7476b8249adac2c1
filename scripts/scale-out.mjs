// `npm run scale-out`: Redis, two soketi nodes joined by soketi's Redis adapter, and two app
// instances (instance 1 → soketi node 1, instance 2 → soketi node 2), all on 127.0.0.1.
// Ctrl-C stops everything. The end-to-end tests start the same pieces through the exports below.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
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
async function start(name, command, args, env, ready, timeoutMs = 20_000) {
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
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function startRedis(port) {
  return start(
    'redis',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {},
    async (out) => /Ready to accept connections/.test(out),
  );
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

export function startInstance(port, { redisPort, soketiPort, sessionSecret = 'scale-out demo secret' }) {
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
    },
    async (out) => out.includes('http://'),
  );
}

async function main() {
  const env = process.env;
  const redisPort = Number(env.REDIS_PORT ?? (await freePort()));
  const soketiPorts = [Number(env.SOKETI_PORT_1 ?? 6001), Number(env.SOKETI_PORT_2 ?? 6002)];
  const appPorts = [Number(env.APP_PORT_1 ?? 3001), Number(env.APP_PORT_2 ?? 3002)];
  const running = [];
  const stopAll = async () => {
    for (const p of running.reverse()) await p.stop().catch(() => {});
  };
  process.on('SIGINT', () => stopAll().then(() => process.exit(0)));
  process.on('SIGTERM', () => stopAll().then(() => process.exit(0)));
  try {
    await assertFree(soketiPorts[0], 'SOKETI_PORT_1');
    await assertFree(soketiPorts[1], 'SOKETI_PORT_2');
    await assertFree(appPorts[0], 'APP_PORT_1');
    await assertFree(appPorts[1], 'APP_PORT_2');
    if (env.REDIS_PORT) await assertFree(redisPort, 'REDIS_PORT');
    running.push(await startRedis(redisPort));
    console.log(`redis            127.0.0.1:${redisPort}`);
    for (const port of soketiPorts) {
      running.push(await startSoketi(port, redisPort));
      console.log(`soketi           127.0.0.1:${port} (Redis adapter)`);
    }
    for (const [i, port] of appPorts.entries()) {
      running.push(await startInstance(port, { redisPort, soketiPort: soketiPorts[i] }));
      console.log(`app instance ${i + 1}   http://127.0.0.1:${port}/  → soketi :${soketiPorts[i]}`);
    }
    console.log('\nOpen both instances in two browsers; Ctrl-C stops everything.');
  } catch (err) {
    console.error(`scale-out: ${err.message}`);
    await stopAll();
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
