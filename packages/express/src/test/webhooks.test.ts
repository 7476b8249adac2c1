// The webhook receiver (POST /webhooks) and the hooks it feeds: signatures, age, shape, replays
// (issue 20, item 7), against soketi and the embedded server posting real webhooks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRealtimeServer } from '@whatsup/realtime';
import {
  MemoryStatusStore,
  RedisStatusStore,
  whatsup,
  type WhatsupOptions,
  type WhatsupRouter,
} from '../index.js';
import { APP, CHANNEL, appWithSessions, cleanup, person, type Answer, type Person } from './support/http.js';
import { join, pusherFor, subscribed } from './support/pusher.js';
import { startRedis, startSoketi } from './support/servers.js';

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

  describe('when a body it accepted comes again (item 7)', () => {
    it('should refuse it with 409 webhook.replayed and change nothing', async () => {
      const app = await start({ pusher: { ...APP, host: '127.0.0.1', port: 1 } });
      const { body } = await app.post('/register', { username: 'Ann' });
      const id = body.user.id as string;
      let fired = 0;
      app.router.on('member_removed', () => (fired += 1));
      const signed = app.webhooks(id);
      const text = JSON.stringify(signed.body());
      assert.equal((await signed.raw(text)).status, 200);
      const lastSeen = (await app.get('/members')).body.members[0].lastSeen;
      // Ann comes back; the same signed member_removed, replayed, must not mark her as gone.
      await app.webhook({
        time_ms: Date.now(),
        events: [{ name: 'member_added', channel: CHANNEL, user_id: id }],
      });
      const replay = await signed.raw(text);
      assert.equal(replay.status, 409);
      assert.equal(replay.body.code, 'webhook.replayed');
      assert.equal(fired, 1);
      assert.equal(typeof lastSeen, 'number');
      assert.equal((await app.get('/members')).body.members[0].lastSeen, undefined, 'still online');
    });

    it('should still take another body with the same events (another time_ms)', async () => {
      const app = await start({ pusher: { ...APP, host: '127.0.0.1', port: 1 } });
      const empty = (time: number) => app.webhook({ time_ms: time, events: [] });
      const now = Date.now();
      assert.deepEqual(
        [(await empty(now)).status, (await empty(now + 1)).status, (await empty(now)).status],
        [200, 200, 409],
      );
    });

    it('should refuse a replay at another instance that shares the Redis store', async () => {
      const redis = await startRedis();
      const one = await start({
        pusher: { ...APP, host: '127.0.0.1', port: 1 },
        statusStore: new RedisStatusStore({ client: redis.client }),
      });
      const two = await start({
        pusher: { ...APP, host: '127.0.0.1', port: 1 },
        statusStore: new RedisStatusStore({ client: redis.client }),
      });
      const text = JSON.stringify({ time_ms: Date.now(), events: [] });
      assert.equal((await one.webhooks('').raw(text)).status, 200);
      const replay = await two.webhooks('').raw(text);
      assert.deepEqual([replay.status, replay.body.code], [409, 'webhook.replayed']);
    });
  });

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
    cleanup(() => publisher.close());
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
    const soketi = await startSoketi({ webhookUrl: `${web.base}/webhooks` });
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
    cleanup(() => realtime.close());
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
    cleanup(() => realtime.close());
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
    cleanup(() => realtime.close());
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
    cleanup(() => realtime.close());
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
    ): Promise<Answer> =>
      person(base).request(path, {
        method: 'POST',
        headers: {
          'content-type': type,
          'x-pusher-key': key,
          'x-pusher-signature': signature ?? createHmac('sha256', secret).update(text).digest('hex'),
        },
        body: text,
      }),
  });
}

/** An app on a free port; the router is mounted later (soketi needs the app's URL first). */
async function listen() {
  const app = await appWithSessions();
  const mount = (opts: WhatsupOptions) => {
    const router = whatsup({
      ...(opts.pusher || opts.publisher ? {} : { pusher: { ...APP, host: '127.0.0.1', port: 1 } }),
      ...opts,
    } as WhatsupOptions);
    app.web.use('/whatsup', router);
    const webhooks = webhooksOf(app.base);
    return {
      ...person(app.base),
      base: app.base,
      router: router as WhatsupRouter,
      webhooks,
      webhook: (body: unknown, path = '/webhooks') => webhooks('').raw(JSON.stringify(body), { path }),
    };
  };
  return { base: app.base, mount };
}

async function start(options: WhatsupOptions = {}) {
  return (await listen()).mount(options);
}

/** Signs up and opens a page subscribed to the channel. */
function joinWithPusherJs(app: { person: () => Person }, wsPort: number, name: string) {
  return join(app.person(), wsPort, name);
}

/** A second connection for the same person (a reloaded page), joined to the channel. */
async function rejoin(me: Person, wsPort: number) {
  const client = pusherFor(me, wsPort);
  await subscribed(client, CHANNEL);
  return client;
}
