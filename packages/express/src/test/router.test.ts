import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import express5 from 'express';
import express4 from 'express4';
import session from 'express-session';
import Pusher from 'pusher';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  announce,
  createPusherPublisher,
  whatsup,
  WhatsupError,
  MemoryStatusStore,
  type Publisher,
  type WhatsupOptions,
} from '../index.js';
import { person, recorder as recording, serve, waitFor } from './support/http.js';

const CREDENTIALS = { appId: '1', key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' };
const CHANNEL = 'presence-whatsup-members';
const HOSTILE = '<img src=x onerror=alert(1)>';

const MAJORS = [
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
] as const;

// The whole suite runs on both majors: Express 4 does not forward rejected promises itself.
for (const [major, express] of MAJORS)
  describe(`whatsup() on ${major}`, () => {
    const start: typeof startApp = (options = {}, settings = {}) =>
      startApp(options, { express, ...settings });

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
          limits: { name: 32, status: 280, statusBytes: 512 },
          presets: [
            { text: 'In a meeting', emoji: '\u{1F4C5}', clearAfter: '1h' },
            { text: 'Commuting', emoji: '\u{1F68C}', clearAfter: '30m' },
            { text: 'Out sick', emoji: '\u{1F912}', clearAfter: 'today' },
          ],
          clearAfter: ['30m', '1h', '4h', 'today', 'never'],
        });
        assert.ok(!JSON.stringify(res.body).includes(CREDENTIALS.secret));
        assert.equal(res.headers.get('cache-control'), 'no-store');
      });
    });

    describe('POST /register', () => {
      it('should sign in a guest with a server-made id and a new session id', async () => {
        const { post, get, cookie } = await start();
        await get('/isLoggedIn');
        const before = cookie();
        const res = await post('/register', { username: '  Ann ', status: 'writing' });
        assert.equal(res.status, 200);
        assert.equal(res.body.user.name, 'Ann');
        assert.match(res.body.user.id, /^[0-9a-f-]{36}$/);
        assert.notEqual(cookie(), before, 'session regenerated');
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

      describe('when the name is held by another session', () => {
        it('should answer 409 name.taken, case-insensitively, and allow it once that person signs out', async () => {
          const app = await start();
          const first = await app.post('/register', { username: 'Ann', status: 'x' });
          const other = app.person();
          const taken = await other.post('/register', { username: 'ANN', status: 'y' });
          assert.equal(taken.status, 409);
          assert.equal(taken.body.code, 'name.taken');
          assert.equal(taken.body.field, 'username');
          const again = await app.post('/register', { username: 'Ann', status: 'same session' });
          assert.equal(again.status, 200, 'the same session may register its own name again');
          assert.equal(again.body.user.id, first.body.user.id);
          await app.post('/logout');
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
        const expected = new Pusher({ ...CREDENTIALS, cluster: 'mt1' }).authorizeChannel(
          '1234.1234',
          CHANNEL,
          {
            user_id: reg.user.id,
            user_info: { name: 'Ann', status: 'here' },
          },
        );
        assert.deepEqual(res.body, expected);
      });

      it('should match the known-answer vector for a private channel', async () => {
        const { post, form } = await start({ channels: ['presence-whatsup-members', 'private-foobar'] });
        await post('/register', { username: 'Ann', status: '' });
        const res = await form('/usersystem/auth', {
          socket_id: '1234.1234',
          channel_name: 'private-foobar',
        });
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
        const publicChannel = await form('/usersystem/auth', {
          socket_id: '1.2',
          channel_name: 'my-channel',
        });
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

      it('should keep the status, answer 200 and publish the latest status once the realtime service is back', async () => {
        let down = true;
        const sent: { event: string; data: unknown }[] = [];
        const publisher = recorder({
          trigger: async (_channel, event, data) => {
            if (down) throw new Error('ECONNREFUSED');
            sent.push({ event, data });
            return {};
          },
        });
        const app = await start({ publisher });
        await app.post('/register', { username: 'Ann', status: 'old' });
        assert.equal((await app.post('/status', { status: 'first' })).status, 200);
        const res = await app.post('/status', { status: 'kept' });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal((await app.get('/isLoggedIn')).body.user.status, 'kept');
        assert.equal(sent.length, 0);
        down = false;
        await waitFor(() => sent.length > 0, 'the retried publish');
        await app.router.close();
        assert.deepEqual(
          sent.map((e) => [e.event, (e.data as { status: string }).status]),
          [['status-updated', 'kept']],
          'one publish, of the latest status',
        );
      });

      describe('rateLimit option', () => {
        it('should answer 429 rate.limited with Retry-After past the limit', async () => {
          const app = await start({ rateLimit: { windowMs: 60_000, max: 3 } });
          await app.post('/register', { username: 'Ann', status: '' });
          // Counted per address: three changes pass, the fourth waits.
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
        const before = app.cookie();
        const res = await app.post('/logout');
        assert.equal(res.status, 200);
        assert.deepEqual(publisher.sent.at(-1), {
          channel: [CHANNEL],
          event: 'signed-out',
          data: { id: reg.user.id },
        });
        assert.deepEqual((await app.get('/isLoggedIn')).body, { authenticated: false });
        assert.notEqual(app.cookie(), before);
        const other = app.person();
        await other.post('/register', { username: 'Bo', status: '' });
        const members = (await other.get('/members')).body.members.map((m: { name: string }) => m.name);
        assert.deepEqual(members, ['Bo']);
      });

      it('should redirect GET /logout to logoutRedirect', async () => {
        const app = await start({ logoutRedirect: '/bye' });
        await app.post('/register', { username: 'Ann', status: '' });
        // What a browser sends for a link on the site's own page.
        const res = await app.get('/logout', {
          redirect: 'manual',
          headers: { 'sec-fetch-site': 'same-origin' },
        });
        assert.equal(res.status, 302);
        assert.equal(res.headers.get('location'), '/bye');
        assert.deepEqual((await app.get('/isLoggedIn')).body, { authenticated: false });
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

      it('should say so too when the cors option puts its own middleware first', async () => {
        const { get } = await start({ cors: { origin: 'https://www.example.com' } }, { mountSession: false });
        const res = await get('/isLoggedIn');
        assert.equal(res.status, 500);
        assert.equal(res.body.code, 'session.missing');
      });

      it('should mount express-session itself with the session option', async () => {
        const app = await start({ session: { secret: 'x'.repeat(32) } }, { mountSession: false });
        const res = await app.post('/register', { username: 'Ann', status: '' });
        assert.equal(res.status, 200);
        assert.match(app.cookie(), /^whatsup\.sid=/);
        assert.equal((await app.get('/isLoggedIn')).body.authenticated, true);
      });
    });

    describe('errors', () => {
      it('should answer unknown paths under its own routes with 404 route.not_found as JSON', async () => {
        const { get } = await start();
        const res = await get('/config/nope');
        assert.equal(res.status, 404);
        assert.equal(res.body.code, 'route.not_found');
      });

      it('should hide the message of unexpected errors and keep serving', async () => {
        const app = await start({
          identify: () => {
            throw new Error('secret database detail');
          },
        });
        const res = await app.get('/isLoggedIn');
        assert.equal(res.status, 500);
        assert.deepEqual(res.body, {
          success: false,
          error: true,
          code: 'internal',
          message: 'Something went wrong on the server.',
        });
        assert.equal((await app.get('/config')).status, 200);
      });

      it("should answer a failing store 503 store.unavailable with Retry-After, without the store's detail", async () => {
        const store = new MemoryStatusStore();
        store.set = async () => {
          throw new Error('secret database detail');
        };
        const app = await start({ statusStore: store });
        const res = await app.post('/register', { username: 'Ann', status: '' });
        assert.equal(res.status, 503);
        assert.equal(res.body.code, 'store.unavailable');
        assert.equal(res.headers.get('retry-after'), '1');
        assert.ok(!JSON.stringify(res.body).includes('secret'), JSON.stringify(res.body));
        assert.equal((await app.get('/config')).status, 200);
      });

      it('should expose WhatsupError fields', () => {
        const err = new WhatsupError(409, 'name.taken', 'taken', { field: 'username' });
        assert.deepEqual(
          [err.status, err.code, err.expose, err.field],
          [409, 'name.taken', true, 'username'],
        );
      });
    });

    describe('announce()', () => {
      it('should publish a validated announcement on the default channel', async () => {
        const publisher = recorder();
        const router = whatsup({ publisher });
        const sent = await router.announce('  Lunch <b>now</b> ');
        assert.equal(sent.message, 'Lunch <b>now</b>');
        assert.deepEqual(publisher.sent.at(-1), { channel: CHANNEL, event: 'announcement', data: sent });
        await assert.rejects(
          router.announce(''),
          (err: WhatsupError) => err.code === 'announcement.required',
        );
        await assert.rejects(
          router.announce('x'.repeat(281)),
          (err: WhatsupError) => err.code === 'announcement.too_long' && /announcement/.test(err.message),
        );
      });
    });
    describe('more options', () => {
      it('should name the missing pusher credential and the missing cluster or host', () => {
        assert.throws(
          () => whatsup({ pusher: { appId: '1', key: 'k', secret: '', cluster: 'eu' } }),
          /pusher\.secret must be a non-empty string/,
        );
        assert.throws(
          () => whatsup({ pusher: { appId: '1', key: 'k', secret: 's' } }),
          /cluster .* or a host/,
        );
      });
      it('should refuse an identify that is not a function, a store without list() and a zero rate limit', () => {
        assert.throws(
          () => whatsup({ publisher: recorder(), identify: 'u1' as unknown as WhatsupOptions['identify'] }),
          /identify option must be a function/,
        );
        const store = { get: async () => undefined, set: async () => {}, delete: async () => {} };
        assert.throws(
          () => whatsup({ publisher: recorder(), statusStore: store as unknown as MemoryStatusStore }),
          /statusStore must implement list\(\)/,
        );
        assert.throws(() => whatsup({ publisher: recorder(), rateLimit: { max: 0 } }), /rateLimit/);
        assert.throws(
          () => whatsup({ publisher: recorder(), defaultChannel: 'presence bad' }),
          /defaultChannel must be a valid channel name/,
        );
      });

      describe('client option', () => {
        it('should override what the publisher tells GET /config', async () => {
          const { get } = await start({
            client: { wsHost: 'realtime.example.com', wssPort: 443, forceTLS: true },
          });
          const res = await get('/config');
          assert.equal(res.body.wsHost, 'realtime.example.com');
          assert.equal(res.body.wssPort, 443);
          assert.equal(res.body.forceTLS, true);
          assert.equal(res.body.key, CREDENTIALS.key, 'the rest still comes from the publisher');
        });
      });

      describe('publisher option given a pusher library client', () => {
        it('should take the browser settings from its config', async () => {
          const pusher = new Pusher({ ...CREDENTIALS, cluster: 'eu', useTLS: true });
          const { get } = await start({ publisher: pusher as unknown as Publisher });
          const res = await get('/config');
          assert.deepEqual(
            [res.body.key, res.body.cluster, res.body.forceTLS, res.body.wsHost],
            [CREDENTIALS.key, 'eu', true, undefined],
          );
        });
      });

      describe('channels option as a list, with defaultChannel', () => {
        it('should authorize each, return defaultChannel and publish statuses where the session joined', async () => {
          const publisher = recorder();
          const app = await start({
            publisher,
            channels: ['presence-lobby', 'presence-room-2', 'private-news'],
            defaultChannel: 'presence-room-2',
          });
          assert.equal((await app.get('/config')).body.channel, 'presence-room-2');
          await app.post('/register', { username: 'Ann', status: '' });
          for (const channel of ['presence-lobby', 'private-news']) {
            assert.equal(
              (await app.form('/usersystem/auth', { socket_id: '1.2', channel_name: channel })).status,
              200,
            );
          }
          await app.post('/status', { status: 'busy' });
          assert.deepEqual(publisher.sent.at(-1)?.channel, ['presence-lobby', 'private-news']);
          await app.router.announce('hello');
          assert.equal(publisher.sent.at(-1)?.channel, 'presence-room-2');
        });
      });

      describe('statusStore option', () => {
        it('should read and write members through the given store', async () => {
          const store = new MemoryStatusStore();
          await store.set({ id: 'x1', name: 'Stored', status: 'from the store', updatedAt: Date.now() });
          const app = await start({ statusStore: store });
          const { body } = await app.post('/register', { username: 'Ann', status: 'a' });
          assert.equal((await store.get(body.user.id))?.status, 'a');
          const names = (await app.get('/members')).body.members.map((m: { name: string }) => m.name);
          assert.deepEqual(names.sort(), ['Ann', 'Stored']);
        });
        it('should leave expired records out of /members', async () => {
          const store = new MemoryStatusStore({ ttlMs: 60_000 });
          const app = await start({ statusStore: store });
          await app.post('/register', { username: 'Ann', status: '' });
          await store.set({ id: 'old', name: 'Gone', status: '', updatedAt: Date.now() - 120_000 });
          const names = (await app.get('/members')).body.members.map((m: { name: string }) => m.name);
          assert.deepEqual(names, ['Ann']);
        });
      });

      describe('limits option', () => {
        it('should apply a shorter name limit and a larger body limit', async () => {
          const app = await start({ limits: { name: 4, body: '64kb' } });
          const long = await app.post('/register', { username: 'Annie', status: '' });
          assert.equal(long.body.code, 'name.too_long');
          assert.match(long.body.message, /at most 4 characters/);
          // With room in the body, a 10 kB status is refused by its own limit, not the body's.
          const big = await app.post('/register', { username: 'Ann', status: 'x'.repeat(10_000) });
          assert.equal(big.status, 400);
          assert.equal(big.body.code, 'status.too_long');
          assert.equal(big.body.field, 'status');
        });
        it('should count characters, not UTF-16 units', async () => {
          const app = await start({ limits: { name: 3 } });
          assert.equal((await app.post('/register', { username: '😀😀😀', status: '' })).status, 200);
        });
      });

      describe('session option', () => {
        it('should use the given name, cookie settings and store', async () => {
          const store = new session.MemoryStore();
          const app = await start(
            { session: { secret: 's'.repeat(32), name: 'panel.sid', cookie: { path: '/whatsup' }, store } },
            { mountSession: false },
          );
          const res = await app.post('/register', { username: 'Ann', status: '' });
          assert.match(
            res.headers.get('set-cookie')!,
            /^panel\.sid=.*Path=\/whatsup.*HttpOnly.*SameSite=Lax/i,
          );
          const sessions = await new Promise<unknown>((resolve) => store.all((_e, all) => resolve(all)));
          assert.equal(Object.keys(sessions as object).length, 1);
        });
      });

      describe('when NODE_ENV is production with the memory stores', () => {
        it('should warn once with WhatsupWarning', async () => {
          const index = fileURLToPath(new URL('../index.js', import.meta.url));
          const script = `
          const { whatsup } = await import(${JSON.stringify(index)});
          const publisher = { trigger: async () => ({}), authorizeChannel: () => ({ auth: '' }) };
          whatsup({ publisher }); whatsup({ publisher });
          whatsup({ publisher, statusStore: { get() {}, set() {}, delete() {}, list() {} } });`;
          const { stderr } = await promisify(execFile)(
            process.execPath,
            ['--input-type=module', '-e', script],
            {
              env: { ...process.env, NODE_ENV: 'production' },
            },
          );
          assert.equal(stderr.match(/WhatsupWarning/g)?.length, 1, stderr);
          assert.match(stderr, /in-memory status store/);
          const quiet = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
            env: { ...process.env, NODE_ENV: 'development' },
          });
          assert.equal(quiet.stderr, '');
        });
      });
    });

    describe('more about POST /register', () => {
      describe('when the holder’s record expired but their session lives', () => {
        it('should keep the name theirs, and give them their record back', async () => {
          const store = new MemoryStatusStore();
          const app = await start({ statusStore: store });
          const first = await app.post('/register', { username: 'Ann', status: '' });
          await store.delete(first.body.user.id);
          const other = app.person();
          assert.equal(
            (await other.post('/register', { username: 'ann', status: '' })).body.code,
            'name.taken',
          );
          const me = await app.get('/isLoggedIn');
          assert.deepEqual([me.body.authenticated, me.body.user.id], [true, first.body.user.id]);
        });
      });

      describe('when channelUsers fails', () => {
        it('should sign people up all the same: a name is held by a session, not asked of the publisher', async () => {
          const publisher = recorder({
            channelUsers: async () => {
              throw new Error('HTTP API down');
            },
          });
          const app = await start({ publisher });
          await app.post('/register', { username: 'Ann', status: '' });
          assert.equal((await app.person().post('/register', { username: 'Ann', status: '' })).status, 409);
          assert.equal((await app.person().post('/register', { username: 'Bo', status: '' })).status, 200);
        });
      });

      describe('when the same session signs up under another name', () => {
        it('should replace the old member and regenerate the session again', async () => {
          const app = await start();
          const first = await app.post('/register', { username: 'Ann', status: '' });
          const cookie = app.cookie();
          const second = await app.post('/register', { username: 'Bea', status: '' });
          assert.notEqual(second.body.user.id, first.body.user.id);
          assert.notEqual(app.cookie(), cookie);
          const names = (await app.get('/members')).body.members.map((m: { name: string }) => m.name);
          assert.deepEqual(names, ['Bea']);
        });
      });

      it('should answer 429 past the sign-up limit for one address', async () => {
        const app = await start({ rateLimit: { windowMs: 60_000, signUpMax: 2 } });
        const codes: number[] = [];
        for (let i = 0; i < 3; i++)
          codes.push((await app.person().post('/register', { username: `P${i}`, status: '' })).status);
        assert.deepEqual(codes, [200, 200, 429]);
      });

      it('should refuse invalid UTF-8 bytes with 400 body.invalid_encoding and escaped lone surrogates too', async () => {
        const app = await start();
        const bytes = Buffer.concat([
          Buffer.from('{"username":"A'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('","status":""}'),
        ]);
        const res = await app.raw('/register', bytes, 'application/json');
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'body.invalid_encoding');
        await app.post('/register', { username: 'Ann', status: '' });
        const escaped = await app.raw('/register', '{"username":"A\\udc00","status":""}', 'application/json');
        assert.equal(escaped.body.code, 'name.invalid');
        const status = await app.post('/status', { status: 'x\ud83d' });
        assert.equal(status.body.code, 'status.invalid');
      });

      it('should answer 415 body.unsupported_encoding for a charset other than UTF-8', async () => {
        const app = await start();
        const res = await app.raw('/register', '{"username":"Ann"}', 'application/json; charset=latin1');
        assert.equal(res.status, 415);
        assert.equal(res.body.code, 'body.unsupported_encoding');
      });

      it('should answer 415 for a body sent without a Content-Type', async () => {
        const app = await start();
        const res = await app.raw('/register', new TextEncoder().encode('{"username":"Ann"}'), undefined);
        assert.equal(res.status, 415);
        assert.equal(res.body.code, 'body.unsupported_type');
        assert.equal(res.headers.get('cache-control'), 'no-store');
      });
    });

    describe('more about POST /usersystem/auth', () => {
      it('should refuse text/plain with 415 and quote array and overlong values', async () => {
        const app = await start();
        await app.post('/register', { username: 'Ann', status: '' });
        const text = await app.raw('/usersystem/auth', `socket_id=1.2&channel_name=${CHANNEL}`, 'text/plain');
        assert.equal(text.status, 415);
        assert.equal(text.body.code, 'body.unsupported_type');
        const array = await app.post('/usersystem/auth', { socket_id: ['1.2'], channel_name: CHANNEL });
        assert.equal(array.body.code, 'socket_id.invalid');
        assert.match(array.body.message, /\["1\.2"\]/);
        const long = await app.post('/usersystem/auth', {
          socket_id: '1.2',
          channel_name: `presence-${'a'.repeat(200)}`,
        });
        assert.equal(long.body.code, 'channel_name.invalid');
        const hash = await app.post('/usersystem/auth', {
          socket_id: '1.2',
          channel_name: '#server-to-user-x',
        });
        assert.equal(hash.body.code, 'channel_name.invalid');
      });

      it('should ignore prototype-pollution keys and still need both fields', async () => {
        const app = await start();
        await app.post('/register', { username: 'Ann', status: '' });
        const res = await app.raw(
          '/usersystem/auth',
          '{"__proto__":{"socket_id":"1.2","channel_name":"presence-whatsup-members"},"constructor":{"prototype":{"polluted":1}}}',
          'application/json',
        );
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'socket_id.invalid');
        const form = await app.form('/usersystem/auth', {
          '__proto__[socket_id]': '1.2',
          channel_name: CHANNEL,
        });
        assert.equal(form.body.code, 'socket_id.invalid');
        assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
        assert.equal(({} as Record<string, unknown>)['socket_id'], undefined);
      });

      it('should sign with the status stored last, not the one from sign-up', async () => {
        const app = await start();
        await app.post('/register', { username: 'Ann', status: 'first' });
        await app.post('/status', { status: 'latest' });
        const res = await app.form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
        assert.equal(JSON.parse(res.body.channel_data).user_info.status, 'latest');
      });
    });

    describe('more about POST /status', () => {
      it('should ignore a __proto__ key and keep the status rather than read through it', async () => {
        const app = await start();
        await app.post('/register', { username: 'Ann', status: 'before' });
        const res = await app.raw('/status', '{"__proto__":{"status":"pwned"}}', 'application/json');
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'status.required');
        assert.equal((await app.get('/isLoggedIn')).body.user.status, 'before');
        assert.equal(({} as Record<string, unknown>)['status'], undefined);
      });

      it('should answer 200 with the saved record while the realtime service is down (published later)', async () => {
        const publisher = recorder({ trigger: async () => Promise.reject(new Error('down')) });
        const app = await start({ publisher });
        await app.post('/register', { username: 'Ann', status: '' });
        const res = await app.post('/status', { status: 'x' });
        assert.equal(res.status, 200);
        assert.equal(res.body.user.status, 'x');
        await app.router.close();
      });

      for (const body of [['x'], 'x', 42, null]) {
        it(`should answer 400 for the body ${JSON.stringify(body)}`, async () => {
          const app = await start();
          await app.post('/register', { username: 'Ann', status: '' });
          const res = await app.raw('/status', JSON.stringify(body), 'application/json');
          assert.equal(res.status, 400);
          assert.ok(['body.invalid', 'body.invalid_json'].includes(res.body.code), res.body.code);
        });
      }
    });

    describe('identify option, signed in by the site', () => {
      it('should store statuses under the site id, list them and keep them after logout', async () => {
        const publisher = recorder();
        const app = await start({
          publisher,
          identify: async (req) =>
            req.headers['x-user'] === 'u1' ? { id: 'u1', name: `${HOSTILE} Una` } : null,
        });
        const as = { 'x-user': 'u1' };
        assert.deepEqual((await app.get('/isLoggedIn')).body, { authenticated: false });
        const me = await app.get('/isLoggedIn', { headers: as });
        assert.equal(me.body.user.id, 'u1');
        assert.equal(me.body.user.name, `${HOSTILE} Una`);
        const res = await app.request('/status', {
          method: 'POST',
          headers: { ...as, 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'reviewing' }),
        });
        assert.equal(res.body.user.status, 'reviewing');
        assert.equal(publisher.sent.at(-1)?.event, 'status-updated');
        const out = await app.request('/logout', { method: 'POST', headers: as });
        assert.equal(out.status, 200);
        assert.deepEqual(publisher.sent.at(-1), {
          channel: [CHANNEL],
          event: 'signed-out',
          data: { id: 'u1' },
        });
        const members = await app.get('/members', { headers: as });
        assert.equal(members.body.members[0].status, 'reviewing', 'site users keep their record');
      });
    });

    describe('GET /logout', () => {
      it("should redirect to '/' by default, signed in or not, publishing nothing when signed out", async () => {
        const publisher = recorder();
        const app = await start({ publisher });
        const res = await app.get('/logout', {
          redirect: 'manual',
          headers: { 'sec-fetch-site': 'same-origin' },
        });
        assert.equal(res.status, 302);
        assert.equal(res.headers.get('location'), '/');
        assert.equal(publisher.sent.length, 0);
      });
    });

    describe('module-level announce()', () => {
      it('should publish through the given publisher on the given or default channel', async () => {
        const publisher = recorder();
        const sent = await announce('  Fire drill at 3 ', { publisher });
        assert.equal(sent.message, 'Fire drill at 3');
        assert.match(sent.id, /^[0-9a-f-]{36}$/);
        assert.deepEqual(publisher.sent.at(-1), { channel: CHANNEL, event: 'announcement', data: sent });
        await announce('x', { publisher, channel: 'presence-other' });
        assert.equal(publisher.sent.at(-1)?.channel, 'presence-other');
      });
      it('should need a publisher or credentials, and validate like a status', async () => {
        assert.throws(() => announce('x', {}), /publisher or pusher/);
        await assert.rejects(announce(' \u0000 ', { publisher: recorder() }), /required/);
      });
    });

    describe('createPusherPublisher()', () => {
      it('should sign the known-answer vectors of PUSHER-PROTOCOL.md §2.5', () => {
        const publisher = createPusherPublisher({ ...CREDENTIALS, cluster: 'eu' });
        assert.deepEqual(publisher.authorizeChannel('1234.1234', 'private-foobar'), {
          auth: '278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4',
        });
        const presence = publisher.authorizeChannel('1234.1234', 'presence-foobar', {
          user_id: 10 as unknown as string,
          user_info: { name: 'Mr. Channels' },
        });
        assert.deepEqual(presence, {
          auth: '278d425bdf160c739803:31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80',
          channel_data: '{"user_id":10,"user_info":{"name":"Mr. Channels"}}',
        });
      });
      it('should tell browsers where a soketi host is and never the secret', () => {
        const config = createPusherPublisher({
          ...CREDENTIALS,
          host: 'ws.example.com',
          port: 6001,
          useTLS: true,
        }).clientConfig!();
        assert.deepEqual(config, {
          key: CREDENTIALS.key,
          cluster: 'local',
          forceTLS: true,
          wsHost: 'ws.example.com',
          wsPort: 6001,
          wssPort: 6001,
          enabledTransports: ['ws', 'wss'],
        });
      });
    });
  });

// ---- helpers ----

/** Our own Publisher interface, recording what is published and signing with the real pusher library. */
function recorder(overrides: Partial<Publisher> = {}) {
  return recording(CREDENTIALS, {
    clientConfig: () => ({ key: CREDENTIALS.key, cluster: 'local', forceTLS: false }),
    ...overrides,
  });
}

async function startApp(
  options: WhatsupOptions = {},
  { express = express5, mountSession = true }: { express?: typeof express5; mountSession?: boolean } = {},
) {
  const app = express();
  if (mountSession) app.use(session({ secret: 'test secret', resave: false, saveUninitialized: false }));
  const router = whatsup({
    publisher: options.pusher ? undefined : recorder(),
    ...options,
  } as WhatsupOptions);
  app.use('/whatsup', router);
  const { origin } = await serve(app as unknown as Parameters<typeof serve>[0]);
  return { ...person(`${origin}/whatsup`), router };
}
