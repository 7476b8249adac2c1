// Redis killed and started again under a running app: sessions (connect-redis, mounted by the host
// before the router, or by the router's `session` option), statuses (RedisStatusStore) and
// rate-limit counts all live there. While it is gone every route answers JSON 503
// store.unavailable with Retry-After; nothing changed in the outage is half kept; when it is back
// everything works again without a restart, with the sessions and statuses from before.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisStore } from 'connect-redis';
import express from 'express';
import { Redis } from 'ioredis';
import { RedisStatusStore, whatsup } from '../index.js';
import {
  CHANNEL,
  appWithSessions,
  cleanup,
  freePort,
  person,
  serve,
  sleep,
  type Answer,
  type Person,
} from './support/http.js';
import { collect, pusherFor, subscribed } from './support/pusher.js';
import { rateLimitStores, startRealtime } from './support/servers.js';

/** Every route, as a signed-in page calls it. */
const ROUTES: [string, (who: Person) => Promise<Answer>][] = [
  ['GET /config', (who) => who.get('/config')],
  ['GET /isLoggedIn', (who) => who.get('/isLoggedIn')],
  ['GET /members', (who) => who.get('/members')],
  ['POST /status', (who) => who.post('/status', { status: 'said in the outage' })],
  ['POST /availability', (who) => who.post('/availability', { availability: 'busy' })],
  ['POST /activity', (who) => who.post('/activity', { activity: 'away' })],
  [
    'POST /usersystem/auth',
    (who) => who.form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL }),
  ],
  ['POST /logout', (who) => who.post('/logout')],
  ['GET /logout', (who) => who.get('/logout', { redirect: 'manual' })],
];

describe('when Redis goes away and comes back', { timeout: 180_000 }, () => {
  describe('with connect-redis mounted by the host and router.errorHandler after the router', () => {
    it('should answer every route 503 store.unavailable as JSON, refuse changes whole, and recover without a restart', async (t) => {
      const redis = await redisWithAof();
      const client = await outageReadyClient(redis.port);
      const realtime = await startRealtime();
      const app = await appWithSessions({ store: new RedisStore({ client, prefix: 'sess:' }) });
      const router = whatsup({
        publisher: realtime,
        statusStore: new RedisStatusStore({ client }),
        rateLimit: { store: rateLimitStores(client), signUpMax: 1000 },
      });
      cleanup(() => router.close());
      app.web.use('/whatsup', router, router.errorHandler);
      app.web.get('/elsewhere', () => {
        throw new Error('the host route fails on its own');
      });

      const ann = person(app.base);
      assert.equal((await ann.post('/register', { username: 'Ann' })).status, 200);
      assert.equal((await ann.post('/status', { status: 'before the outage' })).status, 200);
      const bo = person(app.base);
      assert.equal((await bo.post('/register', { username: 'Bo' })).status, 200);
      const page = pusherFor(bo, realtime.port);
      const heard = collect<{ id: string; status: string }>(
        await subscribed(page, CHANNEL),
        'status-updated',
      );

      await redis.kill();
      for (const [name, call] of ROUTES) {
        const began = performance.now();
        const res = await call(ann);
        t.diagnostic(`${name}: ${res.status} in ${Math.round(performance.now() - began)} ms`);
        assert.equal(res.status, 503, `${name}: ${JSON.stringify(res.body)}`);
        assert.match(res.headers.get('content-type') ?? '', /application\/json/, name);
        assert.equal(res.body.code, 'store.unavailable', name);
        assert.equal(res.body.success, false);
        assert.equal(res.headers.get('retry-after'), '1', name);
        assert.ok(!JSON.stringify(res.body).includes(' at '), `${name}: no stack trace`);
      }
      const newcomer = await person(app.base).post('/register', { username: 'Cy' });
      assert.equal(newcomer.status, 503, 'a sign-up is refused too (its counts and session are in Redis)');
      assert.equal(newcomer.body.code, 'store.unavailable');
      const host = await fetch(`${app.origin}/elsewhere`, { headers: { cookie: ann.cookie() } });
      assert.ok(
        !(host.headers.get('content-type') ?? '').includes('json'),
        "the host's own paths stay its own",
      );

      await redis.restart();
      const back = performance.now();
      await waitUntil(async () => (await ann.get('/isLoggedIn')).status === 200);
      t.diagnostic(`answering again ${Math.round(performance.now() - back)} ms after redis-server was ready`);
      const me = await ann.get('/isLoggedIn');
      assert.equal(me.body.authenticated, true, 'the session survived (AOF)');
      assert.equal(me.body.user.status, 'before the outage', 'the refused change was not kept');
      assert.equal(me.body.user.availability ?? 'auto', 'auto');
      const seen = await bo.get('/members');
      assert.equal(
        seen.body.members.find((m: { name: string }) => m.name === 'Ann')?.status,
        'before the outage',
      );
      assert.equal((await ann.post('/status', { status: 'after the outage' })).status, 200);
      await waitUntil(() => heard.some((r) => r.status === 'after the outage'));
      assert.deepEqual(
        heard.map((r) => r.status),
        ['after the outage'],
        'nothing from the outage was published',
      );
      // Saved right after the outage: published once more a moment later, the same record (soketi's
      // Redis adapter may still be reconnecting; a page ignores a record it has).
      await waitUntil(() => heard.length === 2);
      assert.deepEqual(heard[1], heard[0]);
      assert.equal((await person(app.base).post('/register', { username: 'Cy' })).status, 200);
    });
  });

  describe('with the session option and a Redis session store', () => {
    it('should answer 503 store.unavailable from the sessions the router mounts, and recover', async () => {
      const redis = await redisWithAof();
      const client = await outageReadyClient(redis.port);
      const realtime = await startRealtime();
      const web = express();
      const router = whatsup({
        publisher: realtime,
        statusStore: new RedisStatusStore({ client }),
        session: { secret: 'outage', store: new RedisStore({ client, prefix: 'sess:' }) },
      });
      cleanup(() => router.close());
      web.use('/whatsup', router);
      const { origin } = await serve(web);
      const ann = person(`${origin}/whatsup`);
      assert.equal((await ann.post('/register', { username: 'Ann' })).status, 200);

      await redis.kill();
      for (const [name, call] of ROUTES) {
        const res = await call(ann);
        assert.equal(res.status, 503, `${name}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.code, 'store.unavailable', name);
        assert.equal(res.headers.get('retry-after'), '1', name);
      }

      await redis.restart();
      await waitUntil(async () => (await ann.get('/isLoggedIn')).status === 200);
      assert.equal((await ann.get('/isLoggedIn')).body.user.name, 'Ann');
      assert.equal((await ann.post('/status', { status: 'back' })).status, 200);
    });
  });

  describe('with sessions in memory and statuses in Redis', () => {
    it('should refuse a status change 503 store.unavailable and keep the one stored before', async () => {
      const redis = await redisWithAof();
      const client = await outageReadyClient(redis.port);
      const realtime = await startRealtime();
      const app = await appWithSessions();
      const router = whatsup({ publisher: realtime, statusStore: new RedisStatusStore({ client }) });
      cleanup(() => router.close());
      app.web.use('/whatsup', router, router.errorHandler);
      const ann = person(app.base);
      assert.equal((await ann.post('/register', { username: 'Ann' })).status, 200);
      assert.equal((await ann.post('/status', { status: 'kept' })).status, 200);

      await redis.kill();
      // Two routes need no record: the settings, and the page that says a link cannot sign you out.
      const storeless = ['GET /config', 'GET /logout'];
      for (const [name, call] of ROUTES.filter(([route]) => !storeless.includes(route))) {
        const res = await call(ann);
        assert.equal(res.status, 503, `${name}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.code, 'store.unavailable', name);
      }
      for (const [name, call] of ROUTES.filter(([route]) => storeless.includes(route))) {
        assert.equal((await call(ann)).status, 200, `${name} still answers`);
      }

      await redis.restart();
      await waitUntil(async () => (await ann.get('/isLoggedIn')).status === 200);
      assert.equal((await ann.get('/isLoggedIn')).body.user.status, 'kept');
    });
  });
});

/**
 * An ioredis client set up as docs/production.md says: no offline queue (a command fails at once
 * while Redis is away instead of waiting for it), a command timeout, reconnects at most 1 s apart.
 */
async function outageReadyClient(port: number): Promise<Redis> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  client.on('error', () => {});
  cleanup(() => client.disconnect());
  await once(client, 'ready');
  return client;
}

/** Polls until `check` holds, as long as the test's own deadline lets it. */
async function waitUntil(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(25);
}

/**
 * redis-server with AOF (fsync on every write, so a SIGKILL loses nothing) in a directory of its
 * own, on a free port it keeps across restarts.
 */
async function redisWithAof() {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'whatsup-outage-'));
  let child: ChildProcess | undefined;
  async function start() {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const running = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      running.stdout!.on('data', (chunk) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) resolve();
      });
      running.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
    });
  }
  async function kill() {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  }
  await start();
  cleanup(async () => {
    await kill();
    await rm(dir, { recursive: true, force: true });
  });
  return { port, kill, restart: start };
}
