// Issue 10, router side: every case of its "Why" that concerns @whatsup/express, for real
// (pusher-js, the embedded realtime server, express-session, redis-server, a raw socket).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import express from 'express';
import session from 'express-session';
import { createRealtimeServer, type RealtimeServer } from '@whatsup/realtime';
import { MemoryStatusStore, whatsup, type Publisher, type WhatsupOptions } from '../index.js';
import { USER_INFO_BYTES } from '../limits.js';
import {
  APP as CREDENTIALS,
  CHANNEL,
  cleanup,
  person,
  recorder as recording,
  serve,
} from './support/http.js';
import { pusherFor, subscribed } from './support/pusher.js';
import { rateLimitStores, startRedis } from './support/servers.js';

describe('rateLimit option', () => {
  describe('when one address signs up again and again without cookies', () => {
    it('should refuse the 11th sign-up with 429 rate.limited, whatever the session', async () => {
      const app = await start();
      const codes: number[] = [];
      for (let i = 0; i < 12; i++)
        codes.push((await app.person().post('/register', { username: `p${i}` })).status);
      assert.deepEqual(codes, [...Array(10).fill(200), 429, 429]);
    });
  });

  describe('when only max is given (a wave-1 configuration)', () => {
    it('should count sign-ups against max too', async () => {
      const app = await start({ rateLimit: { max: 2 } });
      const codes: number[] = [];
      for (let i = 0; i < 3; i++)
        codes.push((await app.person().post('/register', { username: `m${i}` })).status);
      assert.deepEqual(codes, [200, 200, 429]);
    });
  });

  describe('when behind a trusted proxy', () => {
    it('should key on the forwarded address, so another visitor still signs up', async () => {
      const app = await start({ rateLimit: { signUpMax: 1 } }, (web) => web.set('trust proxy', 'loopback'));
      const from = (ip: string) => ({ 'x-forwarded-for': ip, 'content-type': 'application/json' });
      const body = (name: string) => JSON.stringify({ username: name });
      const first = await app
        .person()
        .request('/register', { method: 'POST', headers: from('203.0.113.1'), body: body('a') });
      const again = await app
        .person()
        .request('/register', { method: 'POST', headers: from('203.0.113.1'), body: body('b') });
      const other = await app
        .person()
        .request('/register', { method: 'POST', headers: from('203.0.113.2'), body: body('c') });
      assert.deepEqual([first.status, again.status, other.status], [200, 429, 200]);
      assert.equal(again.body.code, 'rate.limited');
      assert.ok(Number(again.headers.get('retry-after')) >= 1);
    });
  });

  describe('with a keyGenerator', () => {
    it('should count against the key it returns', async () => {
      const app = await start({
        rateLimit: { signUpMax: 1, keyGenerator: (req) => String(req.get('x-tenant')) },
      });
      const as = (tenant: string, name: string) =>
        app.person().request('/register', {
          method: 'POST',
          headers: { 'x-tenant': tenant, 'content-type': 'application/json' },
          body: JSON.stringify({ username: name }),
        });
      assert.deepEqual(
        [(await as('a', 'x')).status, (await as('a', 'y')).status, (await as('b', 'z')).status],
        [200, 429, 200],
      );
    });
  });

  describe('with rate-limit-redis as the store of two instances', () => {
    it('should hold the limit across both instances', async () => {
      const redis = await startRedis();
      const store = rateLimitStores(redis.client);
      const one = await start({ rateLimit: { signUpMax: 3, store } });
      const two = await start({ rateLimit: { signUpMax: 3, store } });
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push((await (i % 2 ? two : one).person().post('/register', { username: `r${i}` })).status);
      assert.deepEqual(codes, [200, 200, 200, 429, 429]);
    });
  });

  it('should refuse a store that is not a function and a keyGenerator that is not one', () => {
    const publisher = recorder();
    assert.throws(
      () => whatsup({ publisher, rateLimit: { store: {} as never } }),
      /rateLimit.store must be a function/,
    );
    assert.throws(() => whatsup({ publisher, rateLimit: { keyGenerator: 'ip' as never } }), /keyGenerator/);
  });
});

describe('session option without a store', () => {
  it('should keep sessions in a store that prunes expired ones', async () => {
    const app = await start(
      { session: { secret: 's', checkPeriodMs: 30, cookie: { maxAge: 100 } } },
      undefined,
      false,
    );
    await app.post('/register', { username: 'Ann' });
    const store = app.router.sessionStore as session.Store & {
      length(cb: (e: unknown, n: number) => void): void;
    };
    const count = () => new Promise<number>((resolve) => store.length((_e, n) => resolve(n ?? 0)));
    assert.equal(await count(), 1);
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(await count(), 0, 'pruned without a request');
    assert.deepEqual((await app.get('/isLoggedIn')).body, { authenticated: false });
  });
});

describe('GET /members', () => {
  it('should list only members of channels the caller may see, and refuse other channels', async () => {
    const channels = (channel: string, user: { name: string }) =>
      channel === 'presence-all' || (channel === 'presence-staff' && user.name.startsWith('staff'));
    const app = await start({ channels, defaultChannel: 'presence-all' });
    const staff = app.person();
    await staff.post('/register', { username: 'staff-bo' });
    const auth = await staff.form('/usersystem/auth', { socket_id: '1.1', channel_name: 'presence-staff' });
    assert.equal(auth.status, 200);
    const ann = app.person();
    await ann.post('/register', { username: 'ann' });
    await ann.form('/usersystem/auth', { socket_id: '1.2', channel_name: 'presence-all' });
    assert.deepEqual(names((await ann.get('/members')).body), ['ann']);
    const refused = await ann.get('/members?channel=presence-staff');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'channel.forbidden');
    assert.deepEqual(names((await staff.get('/members?channel=presence-staff')).body), ['staff-bo']);
    assert.equal((await ann.get('/members?channel=bad%20name')).body.code, 'channel_name.invalid');
    assert.ok(
      !JSON.stringify((await staff.get('/members')).body).includes('channels'),
      'no channel lists leak',
    );
  });

  it('should answer at most limits.members records, newest first, saying how many there are', async () => {
    const app = await start({ limits: { members: 2 } });
    const people = [];
    for (const name of ['a', 'b', 'c']) {
      const p = app.person();
      await p.post('/register', { username: name });
      people.push(p);
    }
    const res = await people[0]!.get('/members');
    assert.deepEqual(names(res.body), ['c', 'b']);
    assert.equal(res.body.truncated, true);
    assert.equal(res.body.total, 3);
  });

  it('should hold a name whichever channel its holder joined, or none', async () => {
    const present = new Map<string, string[]>();
    const publisher = recorder({ channelUsers: async (channel) => present.get(channel) ?? [] });
    const app = await start({ publisher, channels: ['presence-a', 'presence-b'] });
    const ann = app.person();
    await ann.post('/register', { username: 'ann' });
    assert.equal((await app.person().post('/register', { username: 'ANN' })).status, 409, 'in no channel');
    await ann.form('/usersystem/auth', { socket_id: '1.1', channel_name: 'presence-b' });
    assert.equal((await app.person().post('/register', { username: 'ANN' })).status, 409, 'in presence-b');
  });
});

describe('POST /logout', () => {
  for (const how of ['the embedded server in-process', 'the pusher library over HTTP'] as const) {
    describe(`with ${how}`, () => {
      it('should close the socket, drop it from presence and stop its events', async () => {
        const realtime = createRealtimeServer({ ...CREDENTIALS, port: 0 });
        await realtime.ready;
        cleanup(() => realtime.close());
        const publisher =
          how === 'the embedded server in-process'
            ? { publisher: realtime }
            : { pusher: { ...CREDENTIALS, host: '127.0.0.1', port: realtime.port } };
        const app = await start(publisher);
        const ann = await joinWithPusherJs(app, realtime, 'Ann');
        const bo = await joinWithPusherJs(app, realtime, 'Bo');
        assert.equal(bo.channel.members.count, 2);
        const removed = new Promise<{ id: string }>((resolve) =>
          bo.channel.bind('pusher:member_removed', resolve),
        );
        const signedOut = new Promise<{ id: string }>((resolve) => ann.channel.bind('signed-out', resolve));
        const closed = new Promise<void>((resolve) => ann.client.connection.bind('disconnected', resolve));
        const res = await ann.post('/logout');
        assert.equal(res.status, 200);
        assert.equal((await signedOut).id, ann.id, 'the other tabs hear it first');
        assert.equal((await removed).id, ann.id);
        await closed;
        assert.deepEqual(await realtime.channelUsers(CHANNEL), [bo.id]);
        let heard = false;
        ann.channel.bind('status-updated', () => (heard = true));
        const seen = new Promise((resolve) => bo.channel.bind('status-updated', resolve));
        await bo.post('/status', { status: 'after' });
        await seen;
        assert.equal(heard, false, 'no events after sign-out');
      });
    });
  }

  it('should still sign out when the publisher cannot terminate connections', async () => {
    const publisher = recorder({ terminateUserConnections: async () => Promise.reject(new Error('down')) });
    const app = await start({ publisher });
    await app.post('/register', { username: 'Ann' });
    assert.equal((await app.post('/logout')).status, 200);
    assert.deepEqual((await app.get('/isLoggedIn')).body, { authenticated: false });
  });

  it('should call terminateUserConnections with the member id in identify mode', async () => {
    const terminated: string[] = [];
    const publisher = recorder({ terminateUserConnections: async (id) => void terminated.push(id) });
    const app = await start({ publisher, identify: () => ({ id: 'u7', name: 'Site User' }) });
    await app.get('/isLoggedIn');
    assert.equal((await app.post('/logout')).status, 200);
    assert.deepEqual(terminated, ['u7']);
  });
});

describe('cross-site requests', () => {
  const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
  const sameSite = { origin: 'https://other.example.com', 'sec-fetch-site': 'same-site' };

  for (const [label, headers] of [
    ['a cross-site fetch', crossSite],
    ['a same-site page (sibling subdomain)', sameSite],
    ['an old browser sending only Origin', { origin: 'https://evil.example' }],
    ['a sandboxed page (Origin: null)', { origin: 'null' }],
  ] as const) {
    it(`should refuse ${label} with 403 request.cross_site and change nothing`, async () => {
      const app = await start();
      await app.post('/register', { username: 'Ann', status: 'kept' });
      for (const [path, body] of [
        ['/status', '{"status":"hacked"}'],
        ['/logout', ''],
        ['/register', '{"username":"Eve"}'],
      ] as const) {
        const res = await app.request(path, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body,
        });
        assert.equal(res.status, 403, path);
        assert.equal(res.body.code, 'request.cross_site');
      }
      assert.equal((await app.get('/isLoggedIn')).body.user.status, 'kept');
    });
  }

  it('should refuse a no-cors text/plain form and a body without Content-Type on every state change', async () => {
    const app = await start();
    await app.post('/register', { username: 'Ann', status: 'kept' });
    for (const path of ['/status', '/logout', '/register']) {
      const plain = await app.raw(path, '{"status":""}', 'text/plain');
      assert.equal(plain.status, 415, path);
      assert.equal(plain.body.code, 'body.unsupported_type');
      const untyped = await app.raw(path, '{"status":""}', undefined);
      assert.equal(untyped.status, 415, path);
    }
    assert.equal((await app.get('/isLoggedIn')).body.user.status, 'kept');
  });

  it('should never treat a missing body or {} as clearing the status', async () => {
    const app = await start();
    await app.post('/register', { username: 'Ann', status: 'kept' });
    for (const res of [await app.post('/status'), await app.post('/status', {})]) {
      assert.equal(res.status, res.body.code === 'body.unsupported_type' ? 415 : 400);
    }
    assert.equal((await app.get('/isLoggedIn')).body.user.status, 'kept');
    const cleared = await app.post('/status', { status: '' });
    assert.equal(cleared.body.user.status, '');
  });

  it('should accept the same origin, an allowed origin from the cors option, and clients without Origin', async () => {
    const app = await start({ cors: { origin: ['https://app.example'] } } as WhatsupOptions);
    await app.post('/register', { username: 'Ann' });
    const own = await app.request('/status', {
      method: 'POST',
      headers: { origin: app.origin, 'content-type': 'application/json' },
      body: '{"status":"own"}',
    });
    assert.equal(own.status, 200);
    const listed = await app.request('/status', {
      method: 'POST',
      headers: {
        origin: 'https://app.example',
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/json',
      },
      body: '{"status":"listed"}',
    });
    assert.equal(listed.status, 200);
    const logout = await app.request('/logout', {
      method: 'POST',
      headers: { 'sec-fetch-site': 'same-origin', 'content-length': '0' },
    });
    assert.equal(logout.status, 200, 'the element signs out with an empty POST');
  });

  it('should not sign out on GET /logout from another site, and say how to sign out', async () => {
    const app = await start();
    await app.post('/register', { username: 'Ann' });
    for (const site of ['cross-site', 'same-site', undefined]) {
      const res = await app.get('/logout', {
        redirect: 'manual',
        headers: site ? { 'sec-fetch-site': site } : {},
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /text\/html/);
      assert.match(String(res.body), /still signed in/);
      assert.equal((await app.get('/isLoggedIn')).body.authenticated, true, String(site));
    }
  });
});

describe('reads without side effects (REVIEW item 9)', () => {
  it('should not write to the store on GET /isLoggedIn or GET /members in identify mode', async () => {
    const store = new MemoryStatusStore();
    let writes = 0;
    const set = store.set.bind(store);
    store.set = async (record) => {
      writes += 1;
      return set(record);
    };
    const app = await start({ statusStore: store, identify: () => ({ id: 'u1', name: 'Site User' }) });
    assert.equal((await app.get('/isLoggedIn')).body.user.name, 'Site User');
    await app.get('/members');
    assert.equal(writes, 0);
    await app.form('/usersystem/auth', { socket_id: '1.1', channel_name: CHANNEL });
    assert.ok(writes > 0, 'joining stores the site user');
  });
});

describe('names people can trust', () => {
  for (const [label, name] of [
    ['U+3164 HANGUL FILLER', '\u3164\u3164'],
    ['U+00AD SOFT HYPHEN', '\u00AD'],
    ['U+2800 BRAILLE BLANK', '\u2800\u2800\u2800'],
    ['tag characters', '\u{E0041}\u{E0042}'],
    ['zero-width joiners and spaces', '\u200D\u200B\u200C'],
    ['combining marks alone', '\u0301\u0302'],
  ] as const) {
    it(`should refuse a name made of ${label}`, async () => {
      const app = await start();
      const res = await app.post('/register', { username: name });
      assert.equal(res.status, 400);
      assert.match(res.body.code, /^name\.(required|invisible)$/);
      assert.equal(res.body.field, 'username');
    });
  }

  for (const [label, lookalike] of [
    ['Cyrillic а', '\u0430lice'],
    ['small capital ᴀ', '\u1D00lice'],
    ['a soft hyphen inside', 'al\u00ADice'],
    ['full-width letters', 'ａｌｉｃｅ'],
    ['capitals', 'ALICE'],
    ['a zero-width space inside', 'al\u200Bice'],
  ] as const) {
    it(`should answer 409 name.taken for ${label} while alice is online`, async () => {
      const app = await start();
      assert.equal((await app.post('/register', { username: 'alice' })).status, 200);
      const res = await app.person().post('/register', { username: lookalike });
      assert.equal(res.status, 409);
      assert.equal(res.body.code, 'name.taken');
    });
  }

  it('should keep ZWJ and ZWNJ inside emoji sequences and words, and strip bidi controls', async () => {
    const app = await start();
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    const persian = '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645';
    const flag = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';
    const res = await app.post('/register', {
      username: `${family} ${persian}`,
      status: `\u202Eevil\u202C ${flag} \u2764\uFE0F`,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.name, `${family} ${persian}`);
    assert.equal(res.body.user.status, `evil ${flag} \u2764\uFE0F`);
  });

  it('should let a different, visible name through', async () => {
    const app = await start();
    await app.post('/register', { username: 'alice' });
    assert.equal((await app.person().post('/register', { username: 'alicia' })).status, 200);
  });
});

describe('one size rule for status text', () => {
  const emoji = (n: number) => '\u{1F600}'.repeat(n);

  it('should refuse a 280-emoji status at sign-up and on POST /status', async () => {
    const app = await start();
    const signUp = await app.post('/register', { username: 'Ann', status: emoji(280) });
    assert.equal(signUp.status, 400);
    assert.equal(signUp.body.code, 'status.too_long');
    await app.post('/register', { username: 'Ann', status: '' });
    const change = await app.post('/status', { status: emoji(280) });
    assert.equal(change.body.code, 'status.too_long');
    assert.match(change.body.message, /512 bytes/);
  });

  it('should let the largest accepted status and name join presence on the embedded server', async () => {
    const realtime = createRealtimeServer({ ...CREDENTIALS, port: 0 });
    await realtime.ready;
    cleanup(() => realtime.close());
    // Quotes escape to two bytes: the worst case that fits limits.statusBytes.
    const status = `${emoji(118)}${'"'.repeat(20)}`;
    const name = '\u{1F600}'.repeat(32);
    const app = await start({ publisher: realtime });
    const ann = await joinWithPusherJs(app, realtime, name, status);
    const info = ann.channel.members.me.info as { status: string };
    assert.equal(info.status, status);
    const auth = await ann.form('/usersystem/auth', { socket_id: '1.1', channel_name: CHANNEL });
    const bytes = Buffer.byteLength(JSON.stringify(JSON.parse(auth.body.channel_data).user_info));
    assert.ok(bytes <= USER_INFO_BYTES, `${bytes} bytes`);
  });

  it('should leave an oversized avatar out of user_info but keep it in /members', async () => {
    const avatar = `data:image/png;base64,${'A'.repeat(4000)}`;
    const app = await start({ identify: () => ({ id: 'u1', name: 'Ann', avatar }) });
    const auth = await app.form('/usersystem/auth', { socket_id: '1.1', channel_name: CHANNEL });
    assert.equal(JSON.parse(auth.body.channel_data).user_info.avatar, undefined);
    assert.equal((await app.get('/members')).body.members[0].avatar, avatar);
  });

  it('should refuse limits whose worst case overflows user_info', () => {
    assert.throws(
      () => whatsup({ publisher: recorder(), limits: { statusBytes: 900 } }),
      /user_info within 1024 bytes/,
    );
  });
});

describe('bodies announced but never sent', () => {
  it('should answer 408 body.timeout, close the socket and keep serving', async () => {
    const app = await start({ limits: { bodyTimeoutMs: 200 } });
    const socket = connect(app.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'POST /whatsup/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 8000\r\n\r\n{"user',
    );
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    await once(socket, 'close');
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(answer, /"code":"body.timeout"/);
    assert.equal((await app.person().post('/register', { username: 'fresh' })).status, 200);
  });
});

// ---- helpers ----

function names(body: { members: { name: string }[] }): string[] {
  return body.members.map((m) => m.name);
}

function recorder(overrides: Partial<Publisher> = {}): Publisher {
  return recording(CREDENTIALS, overrides);
}

async function start(
  options: WhatsupOptions | Record<string, unknown> = {},
  configure?: (app: express.Express) => void,
  mountSession = true,
) {
  const web = express();
  configure?.(web);
  if (mountSession) web.use(session({ secret: 'test', resave: false, saveUninitialized: false }));
  const router = whatsup({
    ...(options.pusher || options.publisher ? {} : { publisher: recorder() }),
    ...options,
  } as WhatsupOptions);
  web.use('/whatsup', router);
  const { port, origin } = await serve(web as unknown as Parameters<typeof serve>[0]);
  return { ...person(`${origin}/whatsup`), router, port, origin };
}

/** Signs a person up and joins the default channel with a real pusher-js client. */
async function joinWithPusherJs(
  app: Awaited<ReturnType<typeof start>>,
  realtime: RealtimeServer,
  name: string,
  status = '',
) {
  const me = app.person();
  const reg = await me.post('/register', { username: name, status });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  const client = pusherFor(me, realtime.port);
  const channel = await subscribed(client, CHANNEL);
  return { ...me, id: reg.body.user.id as string, client, channel };
}
