// The real servers the express tests run against: soketi, redis-server, the embedded realtime
// server. Each is stopped after the test that started it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RedisStore as RateLimitRedisStore } from 'rate-limit-redis';
import { createRealtimeServer, type RealtimeServer } from '@whatsup/realtime';
import { APP, cleanup, freePort, sleep } from './http.js';

const SOKETI = fileURLToPath(new URL('../../../../../node_modules/.bin/soketi', import.meta.url));

export interface SoketiOptions {
  /** Where soketi posts member_added/member_removed webhooks. */
  webhookUrl?: string;
  /** Batch webhooks (one body per 100 ms, events in order): a removal and a join a few ms apart then arrive in order. */
  batching?: boolean;
  /** pusher:signin works (SOKETI_DEFAULT_APP_USER_AUTHENTICATION). */
  userAuthentication?: boolean;
}

/** soketi on a free port with the APP credentials. */
export async function startSoketi(options: SoketiOptions = {}): Promise<{ port: number }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [SOKETI, 'start'], {
    env: {
      ...process.env,
      SOKETI_PORT: String(port),
      SOKETI_METRICS_SERVER_PORT: String(await freePort()),
      SOKETI_DEFAULT_APP_ID: APP.appId,
      SOKETI_DEFAULT_APP_KEY: APP.key,
      SOKETI_DEFAULT_APP_SECRET: APP.secret,
      ...(options.webhookUrl
        ? {
            SOKETI_DEFAULT_APP_WEBHOOKS: JSON.stringify([
              { url: options.webhookUrl, event_types: ['member_added', 'member_removed'] },
            ]),
          }
        : {}),
      ...(options.batching
        ? { SOKETI_WEBHOOKS_BATCHING: 'true', SOKETI_WEBHOOKS_BATCHING_DURATION: '100' }
        : {}),
      ...(options.userAuthentication ? { SOKETI_DEFAULT_APP_USER_AUTHENTICATION: 'true' } : {}),
      SOKETI_SHUTDOWN_GRACE_PERIOD: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanup(async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  });
  for (let tries = 0; ; tries += 1) {
    if (child.exitCode !== null) throw new Error(`soketi exited (${child.exitCode}):\n${output}`);
    if (tries > 150) throw new Error(`soketi did not answer:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return { port };
}

/**
 * A redis-server of our own on a free port (no persistence). `stop()` ends it; a suite that
 * shares one across its tests calls it in after(), startRedis() below does it after the test.
 */
export async function redisServer(): Promise<{
  port: number;
  client: () => Redis;
  stop: () => Promise<void>;
}> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // Clients made before redis-server listens would log refused connections while retrying.
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
  });
  const clients: Redis[] = [];
  return {
    port,
    /** An ioredis client that retries while the server restarts (errors meanwhile are the test's to see). */
    client() {
      const client = new Redis({
        port,
        host: '127.0.0.1',
        maxRetriesPerRequest: 20,
        retryStrategy: () => 50,
      });
      client.on('error', () => {});
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      child.kill();
      await once(child, 'exit');
    },
  };
}

/** A redis-server for this test, and a client once it is ready. */
export async function startRedis(): Promise<{ client: Redis; port: number }> {
  const server = await redisServer();
  cleanup(() => server.stop());
  const client = server.client();
  await client.ping();
  return { client, port: server.port };
}

/** One rate-limit-redis store per limiter, on `client` (what the README shows). */
export function rateLimitStores(client: Redis) {
  return (name: string) =>
    new RateLimitRedisStore({
      sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as Promise<number>,
      prefix: `rl:${name}:`,
    });
}

/** The embedded realtime server on its own port (no webhook grace unless given). */
export async function startRealtime(
  options: Partial<Parameters<typeof createRealtimeServer>[0]> = {},
): Promise<RealtimeServer> {
  const realtime = createRealtimeServer({ ...APP, port: 0, ...options });
  await realtime.ready;
  cleanup(() => realtime.close());
  return realtime;
}
