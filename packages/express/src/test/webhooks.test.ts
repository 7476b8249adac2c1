// Issue 13, router side: hooks from Pusher webhooks (signed bodies checked by the real `pusher`
// library, real soketi posting them, the embedded server's in-process batches), last seen, and
// the server API — with real pusher-js clients.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import session from 'express-session';
import PusherJs from 'pusher-js';
import type { PresenceChannel } from 'pusher-js';
import { createRealtimeServer } from '@whatsup/realtime';
import { MemoryStatusStore, whatsup, type WhatsupOptions, type WhatsupRouter } from '../index.js';

const PusherClient = PusherJs as unknown as typeof PusherJs.default;
type PusherClient = PusherJs.default;

const APP = { appId: 'app-id', key: 'app-key', secret: 'app-secret' };
const CHANNEL = 'presence-whatsup-members';
const SOKETI = fileURLToPath(new URL('../../../../node_modules/.bin/soketi', import.meta.url));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('webhooks option (POST /webhooks)', () => {
  it('should turn signed member_added / member_removed into hooks in order and record last seen', async () => {
    const app = await start({ pusher: { ...APP, host: '127.0.0.1', port: 1 } });
    const { body } = await app.post('/register', { username: 'Ann', status: 'here' });
    const id = body.user.id as string;
    const heard: string[] = [];
    app.router.on('member_added', (e) => heard.push(`added ${e.userId} ${e.channel} ${e.user?.name}`));
    app.router.on('member_removed', (e) => heard.push(`removed ${e.userId} ${e.user?.lastSeen}`));
    const t1 = Date.now();
    assert.equal(
      (await app.webhook({ time_ms: t1, events: [{ name: 'member_added', channel: CHANNEL, user_id: id }] }))
        .status,
      200,
    );
    const t2 = t1 + 1000;
    const left = await app.webhook({
      time_ms: t2,
      events: [
        { name: 'channel_vacated', channel: CHANNEL },
        { name: 'member_removed', channel: CHANNEL, user_id: id },
      ],
    });
    assert.equal(left.status, 200);
    assert.deepEqual(heard, [`added ${id} ${CHANNEL} Ann`, `removed ${id} ${t2}`]);
    const members = (await app.get('/members')).body.members;
    assert.equal(members[0].lastSeen, t2, 'GET /members says when they left');
    await app.webhook({ time_ms: t2 + 5, events: [{ name: 'member_added', channel: CHANNEL, user_id: id }] });
    assert.equal((await app.get('/members')).body.members[0].lastSeen, undefined, 'back online');
  });

  for (const [label, send, status, code] of [
    [
      'a bad signature',
      (w: Webhooks) => w.raw(JSON.stringify(w.body()), { signature: 'f'.repeat(64) }),
      401,
      'webhook.invalid_signature',
    ],
    [
      'another key',
      (w: Webhooks) => w.raw(JSON.stringify(w.body()), { key: 'other-key' }),
      401,
      'webhook.invalid_signature',
    ],
    [
      'a body signed with another secret',
      (w: Webhooks) => w.raw(JSON.stringify(w.body()), { secret: 'nope' }),
      401,
      'webhook.invalid_signature',
    ],
    [
      'a stale body',
      (w: Webhooks) => w.raw(JSON.stringify(w.body(Date.now() - 10 * 60 * 1000))),
      401,
      'webhook.stale',
    ],
    ['malformed JSON', (w: Webhooks) => w.raw('{"time_ms":'), 400, 'webhook.invalid'],
    [
      'events that are not an array',
      (w: Webhooks) => w.raw(JSON.stringify({ time_ms: Date.now(), events: {} })),
      400,
      'webhook.invalid',
    ],
    [
      'an oversized body',
      (w: Webhooks) => w.raw(JSON.stringify({ ...w.body(), pad: 'x'.repeat(300_000) })),
      413,
      'body.too_large',
    ],
    [
      'a form body',
      (w: Webhooks) => w.raw(JSON.stringify(w.body()), { type: 'application/x-www-form-urlencoded' }),
      415,
      'webhook.unsupported_type',
    ],
  ] as const) {
    it(`should refuse ${label} with ${status} ${code} and change nothing`, async () => {
      const app = await start({ pusher: { ...APP, host: '127.0.0.1', port: 1 } });
      const { body } = await app.post('/register', { username: 'Ann' });
      let fired = 0;
      app.router.on('member_removed', () => (fired += 1));
      const res = await send(app.webhooks(body.user.id));
      assert.equal(res.status, status);
      assert.equal(res.body.code, code);
      assert.equal(fired, 0);
      assert.equal((await app.get('/members')).body.members[0].lastSeen, undefined);
    });
  }

  it('should listen where webhooks.path says, and not at all with webhooks: false', async () => {
    const moved = await start({
      pusher: { ...APP, host: '127.0.0.1', port: 1 },
      webhooks: { path: '/hooks/pusher' },
    });
    assert.equal((await moved.webhook({ time_ms: Date.now(), events: [] }, '/hooks/pusher')).status, 200);
    const off = await start({ pusher: { ...APP, host: '127.0.0.1', port: 1 }, webhooks: false });
    // Not a path of the router any more: passed on to the host app (here Express's own 404).
    const gone = await off.webhook({ time_ms: Date.now(), events: [] });
    assert.equal(gone.status, 404);
    assert.equal(typeof gone.body, 'string');
  });

  it('should say what is missing when webhooks has no key and secret to check with', () => {
    const publisher = createRealtimeServer({ ...APP, port: 0 });
    cleanups.push(() => publisher.close());
    assert.throws(() => whatsup({ publisher, webhooks: {} }), /webhooks needs the app key and secret/);
    assert.throws(() => whatsup({ publisher, webhooks: { key: 'k' } }), /webhooks.key and webhooks.secret/);
    assert.throws(() => whatsup({ publisher, webhooks: { path: 'x', ...APP } }), /webhooks.path/);
  });

  it('should keep serving when a hook throws or rejects', async () => {
    const app = await start({ pusher: { ...APP, host: '127.0.0.1', port: 1 } });
    const { body } = await app.post('/register', { username: 'Ann' });
    app.router.on('member_added', () => {
      throw new Error('host app bug');
    });
    app.router.on('member_added', async () => Promise.reject(new Error('async bug')));
    let later = false;
    app.router.on('member_added', () => (later = true));
    const res = await app.webhook({
      time_ms: Date.now(),
      events: [{ name: 'member_added', channel: CHANNEL, user_id: body.user.id }],
    });
    assert.equal(res.status, 200);
    assert.equal(later, true);
  });
});

describe('with real soketi posting webhooks to the router', () => {
  it('should fire member_added, then member_removed with last seen, when a pusher-js client joins and leaves', async () => {
    const web = await listen();
    const soketi = await startSoketi(`${web.base}/webhooks`);
    const app = web.mount({ pusher: { ...APP, host: '127.0.0.1', port: soketi.port } });
    const events: string[] = [];
    const removed = new Promise<number | undefined>((resolve) =>
      app.router.on('member_removed', (e) => {
        events.push(`removed ${e.user?.name}`);
        resolve(e.user?.lastSeen);
      }),
    );
    const added = new Promise<void>((resolve) =>
      app.router.on('member_added', (e) => {
        events.push(`added ${e.user?.name}`);
        resolve();
      }),
    );
    const ann = await joinWithPusherJs(app, soketi.port, 'Ann');
    await added;
    ann.client.disconnect();
    const lastSeen = await removed;
    assert.deepEqual(events, ['added Ann', 'removed Ann']);
    assert.ok(typeof lastSeen === 'number' && Math.abs(Date.now() - lastSeen) < 60_000);
    const other = app.person();
    await other.post('/register', { username: 'Bo' });
    const ann2 = (await other.get(`/members`)).body.members.find((m: { name: string }) => m.name === 'Ann');
    assert.equal(ann2.lastSeen, lastSeen);
  });
});

describe('with the embedded server in-process', () => {
  it("should fire the same hooks from its 'webhook' batches, without HTTP", async () => {
    const realtime = createRealtimeServer({ ...APP, port: 0 });
    await realtime.ready;
    cleanups.push(() => realtime.close());
    const app = await start({ publisher: realtime });
    const { body } = await app.post('/register', { username: 'Ann' });
    const heard: string[] = [];
    app.router.on('member_added', (e) => heard.push(`added ${e.user?.name}`));
    app.router.on('member_removed', (e) => heard.push(`removed ${e.user?.name}`));
    // The batch exactly as the server emits it (the contract with @whatsup/realtime's webhooks).
    const emit = realtime.emit.bind(realtime) as unknown as (event: string, body: unknown) => boolean;
    const done = new Promise<void>((resolve) => app.router.on('member_removed', () => resolve()));
    emit('webhook', {
      time_ms: Date.now(),
      events: [
        { name: 'channel_occupied', channel: CHANNEL },
        { name: 'member_added', channel: CHANNEL, user_id: body.user.id },
        { name: 'member_removed', channel: CHANNEL, user_id: body.user.id },
      ],
    });
    await done;
    assert.deepEqual(heard, ['added Ann', 'removed Ann']);
  });
});

describe('with the embedded server for real', () => {
  /** Join, change status, reload within the grace, then leave: the hooks heard, in order. */
  async function script(app: Awaited<ReturnType<typeof start>>, wsPort: number): Promise<string[]> {
    const heard: string[] = [];
    app.router.on('member_added', (e) => heard.push(`added ${e.user?.name}`));
    app.router.on('member_removed', (e) => heard.push(`removed ${e.user?.name} ${typeof e.user?.lastSeen}`));
    app.router.on('status_changed', (e) => heard.push(`status ${e.user.status}`));
    const added = new Promise((resolve) => app.router.once('member_added', resolve));
    const ann = await joinWithPusherJs(app, wsPort, 'Ann');
    await added;
    await ann.post('/status', { status: 'busy' });
    // A reload: the old socket goes, a new one joins within the grace — no leave, no second join.
    ann.client.disconnect();
    const again = await rejoin(ann, wsPort);
    await new Promise((r) => setTimeout(r, 400));
    const removed = new Promise((resolve) => app.router.once('member_removed', resolve));
    again.disconnect();
    await removed;
    return heard;
  }

  it("should fire the hooks in-process from the server's 'webhook' batches, with no leave for a reload", async () => {
    const realtime = createRealtimeServer({ ...APP, port: 0, webhooks: { graceMs: 200, batchMs: 10 } });
    await realtime.ready;
    cleanups.push(() => realtime.close());
    const app = await start({ publisher: realtime });
    assert.deepEqual(await script(app, realtime.port), ['added Ann', 'status busy', 'removed Ann number']);
  });

  it('should fire the same hooks from its webhooks posted over HTTP to another app', async () => {
    const web = await listen();
    const realtime = createRealtimeServer({
      ...APP,
      port: 0,
      webhooks: { graceMs: 200, batchMs: 10, targets: [{ url: `${web.base}/webhooks` }] },
    });
    await realtime.ready;
    cleanups.push(() => realtime.close());
    const app = web.mount({
      pusher: { ...APP, host: '127.0.0.1', port: realtime.port },
    });
    assert.deepEqual(await script(app, realtime.port), ['added Ann', 'status busy', 'removed Ann number']);
  });
});

describe('hooks from the routes', () => {
  it('should fire status_changed on POST /status and signed_out on logout', async () => {
    const app = await start();
    const { body } = await app.post('/register', { username: 'Ann', status: 'before' });
    const seen: unknown[] = [];
    app.router.on('status_changed', (e) => seen.push([e.userId, e.previous, e.user.status, e.by]));
    app.router.on('signed_out', (e) => seen.push([e.userId, e.reason, e.user?.name]));
    await app.post('/status', { status: 'after' });
    await app.post('/logout');
    assert.deepEqual(seen, [
      [body.user.id, 'before', 'after', 'user'],
      [body.user.id, 'logout', 'Ann'],
    ]);
  });

  it('should stop calling a handler after off()', async () => {
    const app = await start();
    await app.post('/register', { username: 'Ann' });
    let calls = 0;
    const handler = () => (calls += 1);
    app.router.on('status_changed', handler);
    await app.post('/status', { status: 'one' });
    app.router.off('status_changed', handler);
    await app.post('/status', { status: 'two' });
    assert.equal(calls, 1);
  });
});

describe('server API', () => {
  it('should answer isOnline, online and lastSeen, set a status and remove a member, with pusher-js on the embedded server', async () => {
    const realtime = createRealtimeServer({ ...APP, port: 0 });
    await realtime.ready;
    cleanups.push(() => realtime.close());
    const app = await start({ publisher: realtime });
    // The joins' member_added come in a webhook batch up to 50 ms later; one that came after
    // router.remove() would clear the lastSeen checked at the end, so wait for both.
    const added = new Set<string>();
    const bothAdded = new Promise<void>((resolve) =>
      app.router.on('member_added', (e) => {
        added.add(e.userId);
        if (added.size === 2) resolve();
      }),
    );
    const ann = await joinWithPusherJs(app, realtime.port, 'Ann');
    const bo = await joinWithPusherJs(app, realtime.port, 'Bo');
    await bothAdded;
    const { router } = app;
    assert.equal(await router.isOnline(ann.id), true);
    assert.equal(await router.isOnline('nobody'), false);
    assert.deepEqual((await router.online()).map((r) => r.name).sort(), ['Ann', 'Bo']);
    assert.ok(Math.abs((await router.lastSeen(ann.id))! - Date.now()) < 5000, 'now, while online');
    assert.equal(await router.lastSeen('nobody'), undefined);

    const changed = new Promise<{ status: string }>((resolve) => bo.channel.bind('status-updated', resolve));
    const hook = new Promise<string>((resolve) => router.on('status_changed', (e) => resolve(e.by)));
    const record = await router.setStatus(ann.id, '  <b>away</b>\u202E ');
    assert.equal(record.status, '<b>away</b>');
    assert.equal((await changed).status, '<b>away</b>');
    assert.equal(await hook, 'server');
    await assert.rejects(router.setStatus(ann.id, '\u{1F600}'.repeat(280)), { code: 'status.too_long' });
    await assert.rejects(router.setStatus('nobody', 'x'), { code: 'member.unknown', status: 404 });

    const removedFrame = new Promise<{ id: string }>((resolve) =>
      bo.channel.bind('pusher:member_removed', resolve),
    );
    const signedOut = new Promise<string>((resolve) => router.on('signed_out', (e) => resolve(e.reason)));
    await router.remove(ann.id);
    assert.equal((await removedFrame).id, ann.id);
    assert.equal(await signedOut, 'removed');
    assert.equal(await router.isOnline(ann.id), false);
    assert.deepEqual(
      (await router.online()).map((r) => r.name),
      ['Bo'],
    );
    assert.equal(typeof (await router.lastSeen(ann.id)), 'number');
  });
});

describe('MemoryStatusStore leftTtlMs option', () => {
  it('should keep someone who left for leftTtlMs, then forget them', async () => {
    const store = new MemoryStatusStore({ leftTtlMs: 50 });
    await store.set({ id: 'u1', name: 'Ann', status: '', updatedAt: Date.now(), lastSeen: Date.now() });
    await store.set({ id: 'u2', name: 'Bo', status: '', updatedAt: Date.now() });
    assert.equal((await store.list()).length, 2);
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      ['u2'],
    );
    assert.throws(() => new MemoryStatusStore({ leftTtlMs: 0 }), /leftTtlMs/);
  });
});

// ---- helpers ----

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

type Webhooks = ReturnType<ReturnType<typeof webhooksOf>>;

/** Webhook bodies signed as Pusher signs them: HMAC-SHA256 of the raw body with the app secret. */
function webhooksOf(base: string) {
  return (userId: string) => ({
    body: (time = Date.now()) => ({
      time_ms: time,
      events: [{ name: 'member_removed', channel: CHANNEL, user_id: userId }],
    }),
    raw: async (
      text: string,
      {
        key = APP.key,
        secret = APP.secret,
        signature,
        type = 'application/json',
        path = '/webhooks',
      }: {
        key?: string;
        secret?: string;
        signature?: string;
        type?: string;
        path?: string;
      } = {},
    ): Promise<Answer> => {
      const res = await fetch(base + path, {
        method: 'POST',
        headers: {
          'content-type': type,
          'x-pusher-key': key,
          'x-pusher-signature': signature ?? createHmac('sha256', secret).update(text).digest('hex'),
        },
        body: text,
      });
      const answer = await res.text();
      let body: unknown = answer;
      try {
        body = JSON.parse(answer);
      } catch {
        // the host app's own 404 page
      }
      return { status: res.status, body };
    },
  });
}

/** An app on a free port; the router is mounted later (soketi needs the app's URL first). */
async function listen() {
  const web = express();
  web.use(session({ secret: 'test', resave: false, saveUninitialized: false }));
  const server: Server = createServer(web);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/whatsup`;
  const mount = (opts: WhatsupOptions) => {
    const router = whatsup({
      ...(opts.pusher || opts.publisher ? {} : { pusher: { ...APP, host: '127.0.0.1', port: 1 } }),
      ...opts,
    } as WhatsupOptions);
    web.use('/whatsup', router);
    const webhooks = webhooksOf(base);
    return {
      ...person(base),
      base,
      router: router as WhatsupRouter,
      webhooks,
      webhook: (body: unknown, path = '/webhooks') => webhooks('').raw(JSON.stringify(body), { path }),
    };
  };
  return { base, mount };
}

async function start(options: WhatsupOptions = {}) {
  return (await listen()).mount(options);
}

function person(base: string) {
  let cookie = '';
  async function request(path: string, init: RequestInit = {}): Promise<Answer> {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(base + path, { ...init, headers });
    const set = res.headers.getSetCookie();
    if (set.length) cookie = set.map((c) => c.split(';')[0]).join('; ');
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  }
  return {
    request,
    get: (path: string) => request(path),
    post: (path: string, body?: unknown) =>
      request(path, {
        method: 'POST',
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      }),
    form: (path: string, fields: Record<string, string>) =>
      request(path, {
        method: 'POST',
        body: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    person: () => person(base),
  };
}

async function joinWithPusherJs(
  app: { person: () => ReturnType<typeof person> },
  wsPort: number,
  name: string,
) {
  const me = app.person();
  const reg = await me.post('/register', { username: name });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  const client: PusherClient = new PusherClient(APP.key, {
    cluster: 'local',
    wsHost: '127.0.0.1',
    wsPort,
    forceTLS: false,
    enabledTransports: ['ws'],
    channelAuthorization: {
      endpoint: 'unused',
      transport: 'ajax',
      customHandler: async ({ socketId, channelName }, callback) => {
        const auth = await me.form('/usersystem/auth', { socket_id: socketId, channel_name: channelName });
        if (auth.status !== 200) return callback(new Error(`auth ${auth.status}`), null);
        callback(null, auth.body);
      },
    },
  });
  cleanups.push(() => client.disconnect());
  const channel = client.subscribe(CHANNEL) as PresenceChannel;
  await new Promise<void>((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', () => resolve());
    channel.bind('pusher:subscription_error', (e: unknown) => reject(new Error(JSON.stringify(e))));
  });
  return { ...me, id: reg.body.user.id as string, client, channel };
}

/** A second connection for the same person (a reloaded page), joined to the channel. */
async function rejoin(
  me: Awaited<ReturnType<typeof joinWithPusherJs>>,
  wsPort: number,
): Promise<PusherClient> {
  const client: PusherClient = new PusherClient(APP.key, {
    cluster: 'local',
    wsHost: '127.0.0.1',
    wsPort,
    forceTLS: false,
    enabledTransports: ['ws'],
    channelAuthorization: {
      endpoint: 'unused',
      transport: 'ajax',
      customHandler: async ({ socketId, channelName }, callback) => {
        const auth = await me.form('/usersystem/auth', { socket_id: socketId, channel_name: channelName });
        if (auth.status !== 200) return callback(new Error(`auth ${auth.status}`), null);
        callback(null, auth.body);
      },
    },
  });
  cleanups.push(() => client.disconnect());
  const channel = client.subscribe(CHANNEL) as PresenceChannel;
  await new Promise<void>((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', () => resolve());
    channel.bind('pusher:subscription_error', (e: unknown) => reject(new Error(JSON.stringify(e))));
  });
  return client;
}

/** soketi on a free port, posting member webhooks to `url` (SOKETI_DEFAULT_APP_WEBHOOKS). */
async function startSoketi(url: string): Promise<{ port: number }> {
  const port = await freePort();
  const child: ChildProcess = spawn(SOKETI, ['start'], {
    env: {
      ...process.env,
      SOKETI_PORT: String(port),
      SOKETI_METRICS_SERVER_PORT: String(await freePort()),
      SOKETI_DEFAULT_APP_ID: APP.appId,
      SOKETI_DEFAULT_APP_KEY: APP.key,
      SOKETI_DEFAULT_APP_SECRET: APP.secret,
      SOKETI_DEFAULT_APP_WEBHOOKS: JSON.stringify([{ url, event_types: ['member_added', 'member_removed'] }]),
      SOKETI_SHUTDOWN_GRACE_PERIOD: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`soketi exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`soketi did not answer within 30 s:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}
