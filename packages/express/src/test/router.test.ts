import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import session from 'express-session';
import Pusher from 'pusher';
import { whatsup, WhatsupError, MemoryStatusStore, type Publisher, type WhatsupOptions } from '../index.js';

const CREDENTIALS = { appId: '1', key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' };
const CHANNEL = 'presence-whatsup-members';
const HOSTILE = '<img src=x onerror=alert(1)>';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

describe('whatsup()', () => {
  describe('options', () => {
    it('should throw a TypeError that says how to fix a missing publisher', () => {
      assert.throws(
        () => whatsup({}),
        (err: Error) => err instanceof TypeError && /pusher:.*publisher/s.test(err.message),
      );
    });
    it('should refuse both pusher and publisher', () => {
      assert.throws(
        () => whatsup({ publisher: recorder(), pusher: { ...CREDENTIALS, cluster: 'eu' } }),
        TypeError,
      );
    });
    it('should refuse a publisher without authorizeChannel', () => {
      assert.throws(
        () => whatsup({ publisher: { trigger: async () => ({}) } as unknown as Publisher }),
        /authorizeChannel/,
      );
    });
    it('should refuse invalid channel names and empty lists', () => {
      assert.throws(
        () => whatsup({ publisher: recorder(), channels: 'presence-a b' }),
        /channels option must be/,
      );
      assert.throws(() => whatsup({ publisher: recorder(), channels: [] }), /channels option must be/);
    });
    it('should need defaultChannel when channels is a function', () => {
      assert.throws(() => whatsup({ publisher: recorder(), channels: () => true }), /defaultChannel/);
    });
    it('should refuse non-positive limits and a session option without secret', () => {
      assert.throws(() => whatsup({ publisher: recorder(), limits: { status: 0 } }), /limits.status/);
      assert.throws(() => whatsup({ publisher: recorder(), session: { secret: '' } }), /session.secret/);
    });
  });

  describe('GET /config', () => {
    it('should give the client settings and never the secret', async () => {
      const pusher = { ...CREDENTIALS, host: '127.0.0.1', port: 6001 };
      const { get } = await start({ pusher });
      const res = await get('/config');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        cluster: 'local',
        forceTLS: false,
        key: CREDENTIALS.key,
        wsHost: '127.0.0.1',
        wsPort: 6001,
        wssPort: 6001,
        enabledTransports: ['ws', 'wss'],
        channel: CHANNEL,
        mode: 'guest',
        limits: { name: 32, status: 280 },
      });
      assert.ok(!JSON.stringify(res.body).includes(CREDENTIALS.secret));
      assert.equal(res.headers.get('cache-control'), 'no-store');
    });
  });

  describe('POST /register', () => {
    it('should sign in a guest with a server-made id and a new session id', async () => {
      const { post, get, jar } = await start();
      await get('/isLoggedIn');
      const before = jar.cookie;
      const res = await post('/register', { username: '  Ann ', status: 'writing' });
      assert.equal(res.status, 200);
      assert.equal(res.body.user.name, 'Ann');
      assert.match(res.body.user.id, /^[0-9a-f-]{36}$/);
      assert.notEqual(jar.cookie, before, 'session regenerated');
      const me = await get('/isLoggedIn');
      assert.deepEqual(me.body, { authenticated: true, user: res.body.user });
    });

    it('should keep a hostile name as plain JSON text', async () => {
      const { post } = await start();
      const res = await post('/register', { username: HOSTILE, status: '<script>alert(2)</script>' });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^application\/json/);
      assert.equal(res.body.user.name, HOSTILE);
    });

    it('should strip control characters, normalize to NFC and collapse whitespace', async () => {
      const { post } = await start();
      const res = await post('/register', {
        username: 'Zoe\u0000\u200b',
        status: 'cafe\u0301\n\n  time\u0007',
      });
      assert.equal(res.body.user.name, 'Zoe');
      assert.equal(res.body.user.status, 'caf\u00e9 time');
    });

    for (const [label, body, code, field] of [
      ['a missing name', { status: 'x' }, 'name.required', 'username'],
      ['a blank name', { username: ' \u0000 ', status: 'x' }, 'name.required', 'username'],
      ['a 33-character name', { username: 'x'.repeat(33), status: 'x' }, 'name.too_long', 'username'],
      ['a name that is an array', { username: ['Ann'], status: 'x' }, 'name.invalid', 'username'],
      [
        'a name that is an object',
        { username: { toString: 'Ann' }, status: 'x' },
        'name.invalid',
        'username',
      ],
      ['a lone surrogate', { username: 'A\ud800', status: 'x' }, 'name.invalid', 'username'],
      ['a 281-character status', { username: 'Ann', status: 'x'.repeat(281) }, 'status.too_long', 'status'],
      ['a numeric status', { username: 'Ann', status: 42 }, 'status.invalid', 'status'],
    ] as const) {
      it(`should answer 400 ${code} for ${label}`, async () => {
        const { post } = await start();
        const res = await post('/register', body);
        assert.equal(res.status, 400);
        assert.deepEqual(
          { success: res.body.success, error: res.body.error, code: res.body.code, field: res.body.field },
          { success: false, error: true, code, field },
        );
        assert.equal(typeof res.body.message, 'string');
        assert.ok(!('stack' in res.body));
      });
    }

    it('should ignore prototype-pollution keys', async () => {
      const { post } = await start();
      const res = await post(
        '/register',
        JSON.parse('{"username":"Pat","status":"x","__proto__":{"admin":true}}'),
      );
      assert.equal(res.status, 200);
      assert.equal(({} as Record<string, unknown>)['admin'], undefined);
    });

    it('should answer 413 body.too_large for a 10 kB body', async () => {
      const { post } = await start();
      const res = await post('/register', { username: 'Ann', status: 'x'.repeat(10_000) });
      assert.equal(res.status, 413);
      assert.equal(res.body.code, 'body.too_large');
    });

    it('should answer 400 body.invalid_json for malformed JSON and 415 for a form', async () => {
      const { raw } = await start();
      const bad = await raw('/register', '{"username":', 'application/json');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'body.invalid_json');
      const form = await raw('/register', 'username=Ann&status=x', 'application/x-www-form-urlencoded');
      assert.equal(form.status, 415);
      assert.equal(form.body.code, 'body.unsupported_type');
      const array = await raw('/register', '[1,2]', 'application/json');
      assert.equal(array.status, 400);
      assert.equal(array.body.code, 'body.invalid');
    });

    describe('when the name is online in another session', () => {
      it('should answer 409 name.taken, case-insensitively, and allow it once that person is gone', async () => {
        const online = new Set<string>();
        const publisher = recorder({ channelUsers: async () => [...online] });
        const app = await start({ publisher });
        const first = await app.post('/register', { username: 'Ann', status: 'x' });
        online.add(first.body.user.id);
        const other = app.person();
        const taken = await other.post('/register', { username: 'ANN', status: 'y' });
        assert.equal(taken.status, 409);
        assert.equal(taken.body.code, 'name.taken');
        assert.equal(taken.body.field, 'username');
        const again = await app.post('/register', { username: 'Ann', status: 'same session' });
        assert.equal(again.status, 200, 'the same session may register its own name again');
        assert.equal(again.body.user.id, first.body.user.id);
        online.clear();
        assert.equal((await other.post('/register', { username: 'Ann', status: 'y' })).status, 200);
      });
    });

    describe('identify option', () => {
      it('should turn /register off with 404 register.disabled', async () => {
        const { post } = await start({ identify: () => ({ id: 'u1', name: 'Una' }) });
        const res = await post('/register', { username: 'Ann', status: 'x' });
        assert.equal(res.status, 404);
        assert.equal(res.body.code, 'register.disabled');
      });
    });
  });

  describe('POST /usersystem/auth', () => {
    it('should sign exactly as the pusher library does, from the form pusher-js sends', async () => {
      const { post, form } = await start();
      const { body: reg } = await post('/register', { username: 'Ann', status: 'here' });
      const res = await form('/usersystem/auth', { socket_id: '1234.1234', channel_name: CHANNEL });
      assert.equal(res.status, 200);
      const expected = new Pusher({ ...CREDENTIALS, cluster: 'mt1' }).authorizeChannel('1234.1234', CHANNEL, {
        user_id: reg.user.id,
        user_info: { name: 'Ann', status: 'here' },
      });
      assert.deepEqual(res.body, expected);
    });

    it('should match the known-answer vector for a private channel', async () => {
      const { post, form } = await start({ channels: ['presence-whatsup-members', 'private-foobar'] });
      await post('/register', { username: 'Ann', status: '' });
      const res = await form('/usersystem/auth', { socket_id: '1234.1234', channel_name: 'private-foobar' });
      assert.deepEqual(res.body, {
        auth: '278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4',
      });
    });

    it('should take JSON too', async () => {
      const { post } = await start();
      await post('/register', { username: 'Ann', status: '' });
      const res = await post('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
      assert.equal(res.status, 200);
      assert.ok(res.body.channel_data);
    });

    it('should answer 401 auth.signed_out without a session user', async () => {
      const { form } = await start();
      const res = await form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'auth.signed_out');
    });

    it("should answer 403 channel.forbidden for other people's channels", async () => {
      const { post, form } = await start();
      await post('/register', { username: 'Ann', status: '' });
      for (const channel of ['presence-admins', 'private-whatsup-members', 'presence-whatsup-members2']) {
        const res = await form('/usersystem/auth', { socket_id: '1.2', channel_name: channel });
        assert.equal(res.status, 403, channel);
        assert.equal(res.body.code, 'channel.forbidden');
      }
    });

    it('should answer 400 quoting a malformed socket id or channel name', async () => {
      const { post, form } = await start();
      await post('/register', { username: 'Ann', status: '' });
      const socket = await form('/usersystem/auth', { socket_id: '1.2:evil', channel_name: CHANNEL });
      assert.equal(socket.status, 400);
      assert.equal(socket.body.code, 'socket_id.invalid');
      assert.match(socket.body.message, /Invalid socket id: '1\.2:evil'/);
      const channel = await form('/usersystem/auth', {
        socket_id: '1.2',
        channel_name: `presence-${HOSTILE}`,
      });
      assert.equal(channel.status, 400);
      assert.equal(channel.body.code, 'channel_name.invalid');
      const publicChannel = await form('/usersystem/auth', { socket_id: '1.2', channel_name: 'my-channel' });
      assert.equal(publicChannel.body.code, 'channel_name.public');
      const missing = await form('/usersystem/auth', {});
      assert.equal(missing.status, 400);
    });

    describe('channels option as a function', () => {
      it('should ask it for every channel', async () => {
        const { post, form } = await start({
          channels: (name, user) => name === `presence-room-${user.name.toLowerCase()}`,
          defaultChannel: 'presence-lobby',
        });
        await post('/register', { username: 'Ann', status: '' });
        assert.equal(
          (await form('/usersystem/auth', { socket_id: '1.2', channel_name: 'presence-room-ann' })).status,
          200,
        );
        assert.equal(
          (await form('/usersystem/auth', { socket_id: '1.2', channel_name: 'presence-room-bo' })).status,
          403,
        );
      });
    });

    describe('identify option', () => {
      it('should authorize the site user with avatar and no sign-up', async () => {
        const { get, form } = await start({
          identify: (req) =>
            req.headers['x-user']
              ? { id: String(req.headers['x-user']), name: 'Una', avatar: '/u.png' }
              : null,
        });
        const anon = await form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
        assert.equal(anon.status, 401);
        const res = await form(
          '/usersystem/auth',
          { socket_id: '1.2', channel_name: CHANNEL },
          { 'x-user': 'u1' },
        );
        assert.equal(res.status, 200);
        assert.deepEqual(JSON.parse(res.body.channel_data), {
          user_id: 'u1',
          user_info: { name: 'Una', status: '', avatar: '/u.png' },
        });
        const config = await get('/config');
        assert.equal(config.body.mode, 'identify');
      });
    });
  });

  describe('POST /status', () => {
    it('should store the status, publish status-updated and serve it from /members', async () => {
      const publisher = recorder();
      const app = await start({ publisher });
      const { body: reg } = await app.post('/register', { username: 'Ann', status: 'old' });
      const res = await app.post('/status', { status: ` ${HOSTILE} ` });
      assert.equal(res.status, 200);
      assert.equal(res.body.user.status, HOSTILE);
      assert.deepEqual(publisher.sent.at(-1), {
        channel: [CHANNEL],
        event: 'status-updated',
        data: res.body.user,
      });
      const late = app.person();
      await late.post('/register', { username: 'Bo', status: 'new here' });
      const members = await late.get('/members');
      const ann = members.body.members.find((m: { id: string }) => m.id === reg.user.id);
      assert.equal(ann.status, HOSTILE, 'a late joiner sees the current status, not the one from sign-in');
      const auth = await late.form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
      assert.equal(JSON.parse(auth.body.channel_data).user_info.status, 'new here');
    });

    it('should answer 401 when signed out, and for /members too', async () => {
      const { post, get } = await start();
      assert.equal((await post('/status', { status: 'x' })).status, 401);
      assert.equal((await get('/members')).status, 401);
    });

    it('should keep the status and answer 502 publish.failed when the realtime service is down', async () => {
      const publisher = recorder({
        trigger: async () => {
          throw new Error('ECONNREFUSED');
        },
      });
      const app = await start({ publisher });
      await app.post('/register', { username: 'Ann', status: 'old' });
      const res = await app.post('/status', { status: 'kept' });
      assert.equal(res.status, 502);
      assert.equal(res.body.code, 'publish.failed');
      assert.equal((await app.get('/isLoggedIn')).body.user.status, 'kept');
    });

    describe('rateLimit option', () => {
      it('should answer 429 rate.limited with Retry-After past the limit', async () => {
        const app = await start({ rateLimit: { windowMs: 60_000, max: 3 } });
        await app.post('/register', { username: 'Ann', status: '' });
        // Counted per session: registering made a new session, so three changes pass, the fourth waits.
        const codes: number[] = [];
        for (let i = 0; i < 4; i++) codes.push((await app.post('/status', { status: `s${i}` })).status);
        assert.deepEqual(codes, [200, 200, 200, 429]);
        const res = await app.post('/status', { status: 'again' });
        assert.equal(res.body.code, 'rate.limited');
        assert.ok(Number(res.headers.get('retry-after')) > 0);
      });
    });

    describe('limits option', () => {
      it('should apply a shorter status limit', async () => {
        const app = await start({ limits: { status: 5 } });
        await app.post('/register', { username: 'Ann', status: '' });
        const res = await app.post('/status', { status: '123456' });
        assert.equal(res.body.code, 'status.too_long');
        assert.equal((await app.get('/config')).body.limits.status, 5);
      });
    });
  });

  describe('POST /logout and GET /logout', () => {
    it('should end the session, forget the guest and tell their other tabs', async () => {
      const publisher = recorder();
      const app = await start({ publisher });
      const { body: reg } = await app.post('/register', { username: 'Ann', status: '' });
      const before = app.jar.cookie;
      const res = await app.post('/logout');
      assert.equal(res.status, 200);
      assert.deepEqual(publisher.sent.at(-1), {
        channel: [CHANNEL],
        event: 'signed-out',
        data: { id: reg.user.id },
      });
      assert.deepEqual((await app.get('/isLoggedIn')).body, { authenticated: false });
      assert.notEqual(app.jar.cookie, before);
      const other = app.person();
      await other.post('/register', { username: 'Bo', status: '' });
      const members = (await other.get('/members')).body.members.map((m: { name: string }) => m.name);
      assert.deepEqual(members, ['Bo']);
    });

    it('should redirect GET /logout to logoutRedirect', async () => {
      const app = await start({ logoutRedirect: '/bye' });
      await app.post('/register', { username: 'Ann', status: '' });
      const res = await app.get('/logout', { redirect: 'manual' });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/bye');
    });
  });

  describe('sessions', () => {
    it('should say what to fix when express-session is not mounted', async () => {
      const { get } = await start({}, { mountSession: false });
      const res = await get('/isLoggedIn');
      assert.equal(res.status, 500);
      assert.equal(res.body.code, 'session.missing');
      assert.match(res.body.message, /mount express-session/);
    });

    it('should mount express-session itself with the session option', async () => {
      const app = await start({ session: { secret: 'x'.repeat(32) } }, { mountSession: false });
      const res = await app.post('/register', { username: 'Ann', status: '' });
      assert.equal(res.status, 200);
      assert.match(app.jar.cookie, /^whatsup\.sid=/);
      assert.equal((await app.get('/isLoggedIn')).body.authenticated, true);
    });
  });

  describe('errors', () => {
    it('should answer unknown routes with 404 route.not_found as JSON', async () => {
      const { get } = await start();
      const res = await get('/nope');
      assert.equal(res.status, 404);
      assert.equal(res.body.code, 'route.not_found');
    });

    it('should hide the message of unexpected errors and keep serving', async () => {
      const store = new MemoryStatusStore();
      store.list = async () => {
        throw new Error('secret database detail');
      };
      const app = await start({ statusStore: store });
      const res = await app.post('/register', { username: 'Ann', status: '' });
      assert.equal(res.status, 500);
      assert.deepEqual(res.body, {
        success: false,
        error: true,
        code: 'internal',
        message: 'Something went wrong on the server.',
      });
      assert.equal((await app.get('/config')).status, 200);
    });

    it('should expose WhatsupError fields', () => {
      const err = new WhatsupError(409, 'name.taken', 'taken', { field: 'username' });
      assert.deepEqual([err.status, err.code, err.expose, err.field], [409, 'name.taken', true, 'username']);
    });
  });

  describe('with Express 4', () => {
    it('should run the whole flow, async errors included', async () => {
      const app = await start({}, { express: express4 as unknown as typeof express5 });
      assert.equal((await app.post('/register', { username: 'Ann', status: 'x' })).status, 200);
      assert.equal(
        (await app.form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL })).status,
        200,
      );
      assert.equal((await app.post('/status', { status: 'y'.repeat(300) })).body.code, 'status.too_long');
      assert.equal((await app.raw('/register', '{', 'application/json')).body.code, 'body.invalid_json');
      assert.equal((await app.get('/members')).body.members[0].status, 'x');
    });
  });

  describe('announce()', () => {
    it('should publish a validated announcement on the default channel', async () => {
      const publisher = recorder();
      const router = whatsup({ publisher });
      const sent = await router.announce('  Lunch <b>now</b> ');
      assert.equal(sent.message, 'Lunch <b>now</b>');
      assert.deepEqual(publisher.sent.at(-1), { channel: CHANNEL, event: 'announcement', data: sent });
      await assert.rejects(router.announce(''), (err: WhatsupError) => err.code === 'status.required');
      await assert.rejects(
        router.announce('x'.repeat(281)),
        (err: WhatsupError) => err.code === 'status.too_long',
      );
    });
  });
});

// ---- helpers ----

interface Sent {
  channel: string | string[];
  event: string;
  data: unknown;
}

/** Our own Publisher interface, recording what is published and signing with the real pusher library. */
function recorder(overrides: Partial<Publisher> = {}): Publisher & { sent: Sent[] } {
  const pusher = new Pusher({ ...CREDENTIALS, cluster: 'mt1' });
  const sent: Sent[] = [];
  return {
    sent,
    trigger: async (channel, event, data) => {
      sent.push({ channel, event, data });
      return {};
    },
    authorizeChannel: (socketId, channel, presenceData) =>
      pusher.authorizeChannel(socketId, channel, presenceData),
    clientConfig: () => ({ key: CREDENTIALS.key, cluster: 'local', forceTLS: false }),
    ...overrides,
  };
}

interface Jar {
  cookie: string;
}

interface Response {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function start(
  options: WhatsupOptions = {},
  { express = express5, mountSession = true }: { express?: typeof express5; mountSession?: boolean } = {},
) {
  const app = express();
  if (mountSession) app.use(session({ secret: 'test secret', resave: false, saveUninitialized: false }));
  app.use(
    '/whatsup',
    whatsup({ publisher: options.pusher ? undefined : recorder(), ...options } as WhatsupOptions),
  );
  const server = createServer(app);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/whatsup`;
  return client(base);
}

/** One person: a cookie jar and the calls the element makes. */
function client(base: string) {
  const jar: Jar = { cookie: '' };
  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (jar.cookie) headers.set('cookie', jar.cookie);
    const res = await fetch(base + path, { ...init, headers });
    const set = res.headers.getSetCookie();
    if (set.length) jar.cookie = set.map((c) => c.split(';')[0]).join('; ');
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // redirects and the like
    }
    return { status: res.status, headers: res.headers, body };
  }
  return {
    jar,
    get: (path: string, init: RequestInit = {}) => request(path, init),
    post: (path: string, body?: unknown) =>
      request(path, {
        method: 'POST',
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      }),
    form: (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      request(path, {
        method: 'POST',
        body: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      }),
    raw: (path: string, body: string, type: string) =>
      request(path, { method: 'POST', body, headers: { 'content-type': type } }),
    person: () => client(base),
  };
}
