// Issue 14, server side: emoji statuses that expire (timers, the start-up pass, across a restart
// with Redis), availability (dnd, invisible enforced by the server), activity coalescing, presets —
// with the embedded realtime server and real pusher-js clients as the other people.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { createRealtimeServer, type RealtimeServer } from '@whatsup/realtime';
import {
  MemoryStatusStore,
  RedisStatusStore,
  USER_INFO_BYTES,
  whatsup,
  type MemberRecord,
  type WhatsupOptions,
  type WhatsupRouter,
} from '../index.js';
import { APP, CHANNEL, cleanup, waitFor } from './support/http.js';
import { redisServer } from './support/servers.js';
import { fence, start as startApp } from './support/app.js';
import { collect, nextEvent } from './support/pusher.js';

const MINUTE = 60_000;

describe('POST /status with emoji and clearAfter', () => {
  it('should store and publish the emoji and when it clears, and clear both on a plain { status }', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    const heard = nextEvent<MemberRecord>(bo.channel, 'status-updated');
    const before = Date.now();
    const res = await ann.post('/status', { status: 'Lunch', emoji: '\u{1F354}', clearAfter: '30m' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.emoji, '\u{1F354}');
    assert.ok(
      res.body.user.clearAt >= before + 30 * MINUTE && res.body.user.clearAt <= Date.now() + 30 * MINUTE,
    );
    const published = await heard;
    assert.equal(published.emoji, '\u{1F354}');
    assert.equal(published.clearAt, res.body.user.clearAt);
    assert.equal(published.channels, undefined, 'private fields stay on the server');

    const plain = await ann.post('/status', { status: 'back' });
    assert.equal(plain.status, 200);
    assert.equal(plain.body.user.emoji, undefined);
    assert.equal(plain.body.user.clearAt, undefined);
  });

  it("should clear 'today' at the next midnight at utcOffset, and at the server's midnight without it", async () => {
    const app = await start();
    await app.register('Ann');
    for (const offset of [-840, -300, 0, 330, 840]) {
      const res = await app.post('/status', { status: 'Out', clearAfter: 'today', utcOffset: offset });
      assert.equal(res.status, 200);
      const local = new Date(res.body.user.clearAt + offset * MINUTE);
      assert.equal(local.getUTCHours() * 60 + local.getUTCMinutes(), 0, `midnight at ${offset}`);
      assert.ok(res.body.user.clearAt > Date.now() && res.body.user.clearAt <= Date.now() + 24 * 60 * MINUTE);
    }
    const server = await app.post('/status', { status: 'Out', clearAfter: 'today' });
    const at = new Date(server.body.user.clearAt);
    assert.equal(at.getHours() * 60 + at.getMinutes(), 0);
    const never = await app.post('/status', { status: 'x', clearAfter: 'never' });
    assert.equal(never.body.user.clearAt, undefined);
  });

  it('should accept one emoji of any RGI kind, add the emoji variation selector to a lone ❤, and take "" as none', async () => {
    const app = await start();
    await app.register('Ann');
    for (const emoji of [
      '\u{1F600}',
      '\u{1F44D}\u{1F3FD}',
      '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
      '\u{1F1EB}\u{1F1F7}',
      '1\uFE0F\u20E3',
      '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}',
      '\u{1F469}\u{1F3FB}\u200D\u2764\uFE0F\u200D\u{1F48B}\u200D\u{1F468}\u{1F3FC}',
    ]) {
      const res = await app.post('/status', { status: 'x', emoji });
      assert.equal(res.status, 200, `${emoji}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.user.emoji, emoji);
    }
    assert.equal(
      (await app.post('/status', { status: 'x', emoji: '\u2764' })).body.user.emoji,
      '\u2764\uFE0F',
    );
    const none = await app.post('/status', { status: 'x', emoji: '' });
    assert.equal(none.status, 200);
    assert.equal(none.body.user.emoji, undefined);
  });

  const BAD: [string, Record<string, unknown>, number, string, string?][] = [
    ['two letters', { emoji: 'ab' }, 400, 'emoji.invalid', 'emoji'],
    ['two emoji', { emoji: '\u{1F600}\u{1F600}' }, 400, 'emoji.invalid', 'emoji'],
    ['markup', { emoji: '<script>' }, 400, 'emoji.invalid', 'emoji'],
    ['a huge string', { emoji: '\u{1F600}'.repeat(1000) }, 400, 'emoji.invalid', 'emoji'],
    [
      'ZWJ soup',
      { emoji: '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F468}\u200D\u{1F469}\u200D\u{1F467}' },
      400,
      'emoji.invalid',
      'emoji',
    ],
    ['bare joiners', { emoji: '\u200D\u200D\u200D' }, 400, 'emoji.invalid', 'emoji'],
    ['a digit', { emoji: '1' }, 400, 'emoji.invalid', 'emoji'],
    ['a lone regional indicator', { emoji: '\u{1F1EB}' }, 400, 'emoji.invalid', 'emoji'],
    ['a lone surrogate', { emoji: '\uD83D' }, 400, 'emoji.invalid', 'emoji'],
    ['a number', { emoji: 128512 }, 400, 'emoji.invalid', 'emoji'],
    ['an array', { emoji: ['\u{1F600}'] }, 400, 'emoji.invalid', 'emoji'],
    ['a negative clearAfter', { clearAfter: -1 }, 400, 'clear_after.invalid', 'clearAfter'],
    ["clearAfter 'forever'", { clearAfter: 'forever' }, 400, 'clear_after.invalid', 'clearAfter'],
    ['clearAfter 30', { clearAfter: 30 }, 400, 'clear_after.invalid', 'clearAfter'],
    ["clearAfter '1H'", { clearAfter: '1H' }, 400, 'clear_after.invalid', 'clearAfter'],
    ['clearAfter null', { clearAfter: null }, 400, 'clear_after.invalid', 'clearAfter'],
    ['utcOffset 900', { clearAfter: 'today', utcOffset: 900 }, 400, 'utc_offset.invalid', 'utcOffset'],
    ['utcOffset 1.5', { clearAfter: 'today', utcOffset: 1.5 }, 400, 'utc_offset.invalid', 'utcOffset'],
    ["utcOffset '60'", { clearAfter: 'today', utcOffset: '60' }, 400, 'utc_offset.invalid', 'utcOffset'],
    ['an unknown field', { color: 'red' }, 400, 'body.unknown_field', 'color'],
    ['a misspelt field', { clear_after: '1h' }, 400, 'body.unknown_field', 'clear_after'],
  ];
  for (const [label, extra, status, code, field] of BAD) {
    it(`should refuse ${label} with ${status} ${code} and change nothing`, async () => {
      const app = await start();
      const bo = await app.join('Bo');
      const ann = await app.join('Ann');
      await ann.post('/status', { status: 'before', emoji: '\u{1F600}' });
      const stored = await app.router.statusStore.get(ann.id);
      const heard = collect(bo.channel, 'status-updated');
      const res = await ann.post('/status', { status: 'after', ...extra });
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.code, code);
      assert.equal(res.body.field, field);
      assert.equal(typeof res.body.message, 'string');
      assert.deepEqual(await app.router.statusStore.get(ann.id), stored);
      await fence(app, bo);
      assert.deepEqual(heard, [], 'nothing published');
    });
  }

  it('should refuse clearAfter 1e309 (Infinity once parsed) with 400 clearAfter.invalid', async () => {
    const app = await start();
    await app.register('Ann');
    const res = await app.request('/status', {
      method: 'POST',
      body: '{"status":"x","clearAfter":1e309}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'clear_after.invalid');
    assert.equal((await app.get('/isLoggedIn')).body.user.status, '');
  });

  it('should refuse an emoji string over the body limit with 413 and keep serving', async () => {
    const app = await start();
    await app.register('Ann');
    const res = await app.post('/status', { status: 'x', emoji: '\u{1F600}'.repeat(5000) });
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'body.too_large');
    assert.equal((await app.post('/status', { status: 'ok' })).status, 200);
  });
});

describe('presets option', () => {
  it('should offer three presets and the clearAfter choices in GET /config by default', async () => {
    const app = await start();
    const config = (await app.get('/config')).body;
    assert.deepEqual(
      config.presets.map((p: { text: string; clearAfter: string }) => `${p.text} ${p.clearAfter}`),
      ['In a meeting 1h', 'Commuting 30m', 'Out sick today'],
    );
    assert.deepEqual(config.clearAfter, ['30m', '1h', '4h', 'today', 'never']);
  });

  it("should serve the site's own presets, cleaned, and none with []", async () => {
    const app = await start({
      presets: [{ text: '  On holiday  ', emoji: '\u{1F334}', clearAfter: '4h' }, { text: 'Focus' }],
    });
    assert.deepEqual((await app.get('/config')).body.presets, [
      { text: 'On holiday', emoji: '\u{1F334}', clearAfter: '4h' },
      { text: 'Focus', clearAfter: 'never' },
    ]);
    const none = await start({ presets: [] });
    assert.deepEqual((await none.get('/config')).body.presets, []);
  });

  for (const [presets, pattern] of [
    ['x', /presets must be a list/],
    [[{ text: 'x' }].concat(Array(20).fill({ text: 'y' })), /at most 20/],
    [[null], /presets\[0\] must be \{ text/],
    [[{ text: '' }], /presets\[0\]\.text: The status is required/],
    [[{ text: 'x', emoji: 'ab' }], /presets\[0\]\.emoji: The emoji must be one emoji.*"ab"/],
    [[{ text: 'x' }, { text: 'y', clearAfter: '2h' }], /presets\[1\]\.clearAfter: clearAfter must be one of/],
    [[{ text: 'x', colour: 'red' }], /presets\[0\] has an unknown field 'colour'/],
    [[{ text: 'x'.repeat(300) }], /presets\[0\]\.text: The status can be at most 280/],
  ] as const) {
    it(`should throw a TypeError at start for ${JSON.stringify(presets).slice(0, 60)}`, () => {
      assert.throws(
        () => whatsup({ publisher: quietPublisher(), presets: presets as never }),
        (err: unknown) => err instanceof TypeError && pattern.test(err.message),
      );
    });
  }
});

describe('activityMs and rateLimit.activityMax options', () => {
  it('should throw a TypeError that names the option for a bad value', () => {
    for (const activityMs of [0, -1, 1.5, Infinity, '2000']) {
      assert.throws(() => whatsup({ publisher: quietPublisher(), activityMs: activityMs as never }), {
        name: 'TypeError',
        message: /^activityMs must be a positive integer/,
      });
    }
    assert.throws(() => whatsup({ publisher: quietPublisher(), rateLimit: { activityMax: 0 } }), {
      name: 'TypeError',
      message: /^rateLimit\.activityMax must be a positive integer/,
    });
  });
});

describe('POST /availability', () => {
  it('should publish dnd with the record, carry it in user_info, fire availability_changed and go back to auto', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    const hooks: unknown[] = [];
    app.router.on('availability_changed', (e) =>
      hooks.push({ id: e.userId, previous: e.previous, availability: e.availability, activity: e.activity }),
    );
    const heard = nextEvent<MemberRecord>(bo.channel, 'status-updated');
    const res = await ann.post('/availability', { availability: 'dnd' });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.availability, 'dnd');
    assert.equal((await heard).availability, 'dnd');
    const auth = await ann.form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
    assert.equal(JSON.parse(auth.body.channel_data).user_info.availability, 'dnd');
    // The same value again changes nothing.
    assert.equal((await ann.post('/availability', { availability: 'dnd' })).status, 200);
    const back = nextEvent<MemberRecord>(bo.channel, 'status-updated');
    assert.equal(
      (await ann.post('/availability', { availability: 'auto' })).body.user.availability,
      undefined,
    );
    assert.equal((await back).availability, undefined);
    assert.deepEqual(hooks, [
      {
        id: ann.id,
        previous: { availability: 'auto', activity: 'active' },
        availability: 'dnd',
        activity: 'active',
      },
      {
        id: ann.id,
        previous: { availability: 'dnd', activity: 'active' },
        availability: 'auto',
        activity: 'active',
      },
    ]);
  });

  for (const [label, body, code, field] of [
    ["'busy'", { availability: 'busy' }, 'availability.invalid', 'availability'],
    ["'DND'", { availability: 'DND' }, 'availability.invalid', 'availability'],
    ['a number', { availability: 1 }, 'availability.invalid', 'availability'],
    ['nothing', {}, 'availability.invalid', 'availability'],
    ['an unknown field', { availability: 'dnd', until: 'tomorrow' }, 'body.unknown_field', 'until'],
  ] as const) {
    it(`should refuse ${label} with 400 ${code} and change nothing`, async () => {
      const app = await start();
      await app.register('Ann');
      const before = (await app.get('/isLoggedIn')).body.user;
      const res = await app.post('/availability', body);
      assert.equal(res.status, 400);
      assert.equal(res.body.code, code);
      assert.equal(res.body.field, field);
      assert.deepEqual((await app.get('/isLoggedIn')).body.user, before);
    });
  }

  it('should refuse signed-out people (401) and other sites (403)', async () => {
    const app = await start();
    assert.equal((await app.post('/availability', { availability: 'dnd' })).body.code, 'auth.signed_out');
    await app.register('Ann');
    const cross = await app.request('/availability', {
      method: 'POST',
      body: JSON.stringify({ availability: 'invisible' }),
      headers: {
        'content-type': 'application/json',
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      },
    });
    assert.equal(cross.status, 403);
    assert.equal((await app.get('/isLoggedIn')).body.user.availability, undefined);
  });
});

describe('invisible', () => {
  it('should drop the visible member for others, keep the person out of presence, isOnline and online, and show them as left', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    const heardAdded: string[] = [];
    app.router.on('member_added', (e) => heardAdded.push(`${e.channel} ${e.userId}`));
    await waitFor(() => bo.channel.members.get(ann.id) !== null); // Bo sees Ann

    const gone = nextEvent<{ id: string }>(bo.channel, 'pusher:member_removed');
    const res = await ann.post('/availability', { availability: 'invisible' });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.availability, 'invisible');
    assert.equal((await gone).id, ann.id, 'the visible membership ends at once');

    // Ann's page comes back (the element reconnects after 4009) on her follow channel: nobody else's business.
    const page = await app.connect(ann);
    assert.ok(page.follow);
    const cy = await app.join('Cy');
    const everyone: { id: string; info: Record<string, unknown> }[] = [];
    cy.channel.members.each((m: { id: string; info: Record<string, unknown> }) => everyone.push(m));
    assert.deepEqual(everyone.map((m) => m.id).sort(), [bo.id, cy.id].sort());

    // The lists of others show Ann as left; her own keeps her, marked invisible.
    const seen = async (who: { get: (p: string) => Promise<{ body: { members: MemberRecord[] } }> }) =>
      (await who.get('/members')).body.members.map((m) => `${m.name}${m.lastSeen ? ' (left)' : ''}`).sort();
    assert.deepEqual(await seen(bo), ['Ann (left)', 'Bo', 'Cy']);
    assert.deepEqual(await seen(cy), ['Ann (left)', 'Bo', 'Cy']);
    assert.deepEqual(await seen(ann), ['Ann', 'Bo', 'Cy']);
    assert.equal((await ann.get('/isLoggedIn')).body.user.availability, 'invisible');
    assert.equal(await app.router.isOnline(ann.id), false);
    assert.deepEqual((await app.router.online()).map((r) => r.name).sort(), ['Bo', 'Cy']);
    await waitFor(() => heardAdded.includes(`${CHANNEL} ${cy.id}`));
    assert.deepEqual(
      heardAdded.filter((line) => !line.startsWith(`${CHANNEL} `)),
      [],
      'no hook for her follow channel',
    );
  });

  it('should store status changes while invisible, tell only her own pages, and publish the record on coming back', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    await ann.post('/availability', { availability: 'invisible' });
    const page = await app.connect(ann);
    const heard = collect(bo.channel, 'status-updated');
    const own = nextEvent<MemberRecord>(page.channel, 'status-updated');
    const set = await ann.post('/status', { status: 'secret plan', emoji: '\u{1F92B}' });
    assert.equal(set.status, 200);
    assert.equal(set.body.user.status, 'secret plan');
    assert.equal((await own).status, 'secret plan');
    await fence(app, bo);
    assert.deepEqual(heard, [], 'nothing about Ann goes out to others while invisible');
    const back = nextEvent<MemberRecord>(bo.channel, 'status-updated');
    await ann.post('/availability', { availability: 'auto' });
    const record = await back;
    assert.equal(record.status, 'secret plan');
    assert.equal(record.emoji, '\u{1F92B}');
    // The page resubscribes to the channel; its authorization is Ann's own again.
    const joined = nextEvent<{ id: string; info: { name: string } }>(bo.channel, 'pusher:member_added');
    const again = await app.connect(ann);
    assert.equal(again.follow, undefined);
    const member = await joined;
    assert.equal(member.id, ann.id);
    assert.equal(member.info.name, 'Ann');
    assert.equal(await app.router.isOnline(ann.id), true);
  });

  it('should let an invisible member of an identify site follow the channel, never join it', async () => {
    const app = await start({ identify: () => ({ id: 'u1', name: 'Ann' }) });
    assert.equal((await app.post('/availability', { availability: 'invisible' })).status, 200);
    const refused = await app.form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'member.invisible');
    const follow = (await app.get('/members')).body.follow[CHANNEL] as string;
    const auth = await app.form('/usersystem/auth', { socket_id: '1.2', channel_name: follow });
    assert.deepEqual(JSON.parse(auth.body.channel_data), { user_id: 'u1', user_info: {} });
    assert.equal((await app.get('/isLoggedIn')).body.user.availability, 'invisible');
  });

  it('should not record lastSeen of her own for someone who went invisible, so the store keeps their choice', async () => {
    // A short leftTtl: a lastSeen would make the store forget Ann (and that she is invisible) quickly.
    const app = await start({ statusStore: new MemoryStatusStore({ leftTtlMs: 200 }) });
    await app.join('Bo');
    const ann = await app.join('Ann');
    const removed = new Promise<string>((resolve) =>
      app.router.on('member_removed', (e) => resolve(e.userId)),
    );
    await ann.post('/availability', { availability: 'invisible' });
    assert.equal(await removed, ann.id, 'the host app hears that her visible membership ended');
    await app.connect(ann);
    await new Promise((r) => setTimeout(r, 300));
    const record = await app.router.statusStore.get(ann.id);
    assert.equal(record?.lastSeen, undefined);
    assert.equal(record?.availability, 'invisible');
    assert.equal(typeof record?.leftAs?.lastSeen, 'number', 'what others see: a leave');
  });

  it('should do the same through router.setAvailability, and end her follow pages with router.remove', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    const gone = nextEvent<{ id: string }>(bo.channel, 'pusher:member_removed');
    const record = await app.router.setAvailability(ann.id, 'invisible');
    assert.equal(record.availability, 'invisible');
    assert.equal((await gone).id, ann.id);
    const page = await app.connect(ann);
    const told = nextEvent<{ id: string }>(page.channel, 'signed-out');
    const heard = collect(bo.channel, 'signed-out');
    await app.router.remove(ann.id);
    assert.equal((await told).id, ann.id, 'her own pages are told');
    await waitFor(() => page.client.connection.state !== 'connected');
    await fence(app, bo);
    assert.deepEqual(heard, [], 'nobody else learns she was here');
    await assert.rejects(app.router.setAvailability(ann.id, 'busy' as never), {
      code: 'availability.invalid',
    });
    await assert.rejects(app.router.setAvailability('nobody', 'dnd'), {
      code: 'member.unknown',
      status: 404,
    });
  });
});

describe('expiry', () => {
  it('should clear an emoji status at its time for a member online, publish it and fire status_changed by expiry', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    const set = await ann.post('/status', { status: 'In a meeting', emoji: '\u{1F4C5}', clearAfter: '1h' });
    assert.equal(set.status, 200);
    const hook = new Promise<{ by: string; previous: string; status: string }>((resolve) =>
      app.router.on('status_changed', (e) =>
        resolve({ by: e.by, previous: e.previous, status: e.user.status }),
      ),
    );
    const cleared = nextEvent<MemberRecord>(bo.channel, 'status-updated');
    // An hour passes: the stored clearAt is moved to just ahead, and the router is told to look.
    const store = app.router.statusStore;
    await store.set({ ...(await store.get(ann.id))!, clearAt: Date.now() + 1000 });
    assert.equal(await app.router.expireStatuses(), 0, 'not yet');
    const record = await cleared;
    assert.equal(record.id, ann.id);
    assert.equal(record.status, '');
    assert.equal(record.emoji, undefined);
    assert.equal(record.clearAt, undefined);
    assert.deepEqual(await hook, { by: 'expiry', previous: 'In a meeting', status: '' });
    const stored = await store.get(ann.id);
    assert.equal(stored?.status, '');
    assert.equal(stored?.emoji, undefined);
  });

  it('should clear the status of an invisible person without publishing it', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    await ann.post('/status', { status: 'Deep work', emoji: '\u{1F3A7}', clearAfter: '1h' });
    await ann.post('/availability', { availability: 'invisible' });
    const heard = collect(bo.channel, 'status-updated');
    const hook = new Promise<string>((resolve) => app.router.on('status_changed', (e) => resolve(e.by)));
    const store = app.router.statusStore;
    await store.set({ ...(await store.get(ann.id))!, clearAt: Date.now() - 1 });
    assert.equal(await app.router.expireStatuses(), 1);
    assert.equal(await hook, 'expiry');
    assert.equal((await store.get(ann.id))?.status, '');
    await fence(app, bo);
    assert.deepEqual(heard, [], 'nothing about Ann goes out while invisible');
  });

  it('should never hand out an expired status, even before anything cleared it', async () => {
    const app = await start();
    const ann = await app.register('Ann');
    await app.post('/status', { status: 'Commuting', emoji: '\u{1F68C}', clearAfter: '30m' });
    const store = app.router.statusStore;
    // Half an hour later, as the store has it; no timer knows yet.
    await store.set({ ...(await store.get(ann))!, clearAt: Date.now() - 1 });
    const late = app.person();
    await late.post('/register', { username: 'Late' });
    const members = (await late.get('/members')).body.members as MemberRecord[];
    const seen = members.find((m) => m.id === ann)!;
    assert.equal(seen.status, '');
    assert.equal(seen.emoji, undefined);
    assert.equal(seen.clearAt, undefined);
    assert.equal((await app.get('/isLoggedIn')).body.user.status, '');
    assert.equal((await store.get(ann))?.status, 'Commuting', 'reads change nothing');
    const auth = await app.form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
    assert.deepEqual(JSON.parse(auth.body.channel_data).user_info, { name: 'Ann', status: '' });
    assert.equal((await store.get(ann))?.status, '', 'a state change stores the clearing');
  });

  it('should cap timers at 2^31-1 ms, so a clearAt a month ahead does not fire at once', async () => {
    const app = await start();
    const ann = await app.register('Ann');
    const store = app.router.statusStore;
    await store.set({
      ...(await store.get(ann))!,
      status: 'away',
      clearAt: Date.now() + 30 * 24 * 60 * MINUTE,
    });
    assert.equal(await app.router.expireStatuses(), 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await store.get(ann))?.status, 'away');
  });

  it('should never keep the process alive with its timers', async () => {
    const index = new URL('../index.js', import.meta.url).href;
    const script = `
      const { whatsup, MemoryStatusStore } = await import(${JSON.stringify(index)});
      const statusStore = new MemoryStatusStore();
      await statusStore.set({ id: 'u1', name: 'Ann', status: 'x', updatedAt: Date.now(), clearAt: Date.now() + 3600000 });
      const router = whatsup({ statusStore, publisher: { trigger: async () => ({}), authorizeChannel: () => ({ auth: 'x' }) } });
      await router.ready;
      console.log('armed');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(output.trim(), 'armed');
    assert.equal(code, 0);
  });
});

describe('expiry across a restart with RedisStatusStore', () => {
  let redis: Awaited<ReturnType<typeof redisServer>>;

  before(async () => {
    redis = await redisServer();
  });

  after(() => redis.stop());

  function redisStore(): RedisStatusStore {
    return new RedisStatusStore({ client: redis.client(), prefix: 'restart:' });
  }

  it('should clear at start what expired while the app was down, and arm timers for the rest', async () => {
    const realtime = createRealtimeServer({ ...APP, port: 0 });
    await realtime.ready;
    cleanup(() => realtime.close());
    const first = await start({ statusStore: redisStore() }, realtime);
    const watcher = await first.join('Watcher');
    const ann = await first.join('Ann');
    const bo = await first.join('Bo');
    await ann.post('/status', { status: 'Out sick', emoji: '\u{1F912}', clearAfter: 'today' });
    await bo.post('/status', { status: 'Commuting', emoji: '\u{1F68C}', clearAfter: '30m' });
    await first.router.close();
    // While the app is down: Ann's day ends, Bo's half hour is nearly over.
    const store = first.router.statusStore;
    await store.set({ ...(await store.get(ann.id))!, clearAt: Date.now() - 1000 });
    await store.set({ ...(await store.get(bo.id))!, clearAt: Date.now() + 2000 });
    const updates = collect<MemberRecord>(watcher.channel, 'status-updated');

    const by: string[] = [];
    const second = await start({ statusStore: redisStore() }, realtime, (router) =>
      router.on('status_changed', (e) => by.push(`${e.user.name} ${e.by}`)),
    );
    await second.router.ready;
    const annNow = await second.router.statusStore.get(ann.id);
    assert.equal(annNow?.status, '');
    assert.equal(annNow?.emoji, undefined);
    assert.equal((await second.router.statusStore.get(bo.id))?.status, 'Commuting', 'not yet');
    await waitFor(() => updates.length >= 2);
    assert.deepEqual(
      updates.map((u) => `${u.name} '${u.status}' ${u.emoji ?? '-'}`),
      ["Ann '' -", "Bo '' -"],
    );
    assert.deepEqual(by, ['Ann expiry', 'Bo expiry']);
    assert.equal((await second.router.statusStore.get(bo.id))?.clearAt, undefined);
    await second.router.close();
  });
});

describe('POST /activity', () => {
  it('should store and publish a change at once, and answer 200 with nothing published for the same value', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    const heard = nextEvent<MemberRecord>(bo.channel, 'status-updated');
    const before = Date.now();
    const away = await ann.post('/activity', { activity: 'away' });
    assert.equal(away.status, 200);
    assert.equal(away.body.user.activity, 'away');
    assert.ok(away.body.user.activitySince >= before);
    assert.equal((await heard).activity, 'away');
    const auth = await ann.form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
    const info = JSON.parse(auth.body.channel_data).user_info;
    assert.equal(info.activity, 'away');
    assert.equal(info.activitySince, away.body.user.activitySince);
    const more = collect(bo.channel, 'status-updated');
    const same = await ann.post('/activity', { activity: 'away' });
    assert.equal(same.status, 200);
    await fence(app, bo);
    assert.deepEqual(more, []);
  });

  it('should coalesce a burst: 202 deferred, the last report stored and published at the end of the window', async () => {
    const app = await start({ rateLimit: { activityMax: 100 } });
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    const heard = collect<MemberRecord>(bo.channel, 'status-updated');
    const hooks: string[] = [];
    app.router.on('availability_changed', (e) => hooks.push(e.activity));
    const statuses: number[] = [];
    const began = Date.now();
    for (let i = 0; i < 25; i += 1) {
      statuses.push((await ann.post('/activity', { activity: i % 2 === 0 ? 'away' : 'active' })).status);
    }
    const last = await ann.post('/activity', { activity: 'away' });
    assert.equal(statuses[0], 200);
    assert.ok(
      statuses.slice(1).every((s) => s === 202 || s === 200),
      statuses.join(),
    );
    assert.ok(statuses.includes(202), 'a burst is deferred');
    if (last.status === 202) assert.deepEqual(last.body, { success: true, error: false, deferred: true });
    await waitFor(
      async () =>
        (await app.router.statusStore.get(ann.id))?.activity === 'away' && heard.at(-1)?.activity === 'away',
    );
    assert.equal(heard.at(-1)?.activity, 'away', 'the last one wins');
    // One change per window (activityMs, default 2 s), whatever the machine's speed.
    const windows = Math.ceil((Date.now() - began) / 2000) + 1;
    assert.ok(heard.length <= windows, `${heard.length} publishes for 26 reports in ${windows} windows`);
    assert.equal(hooks.at(-1), 'away');
    assert.equal((await app.get('/isLoggedIn')).status, 200, 'still serving');
  });

  it('should answer 429 past the hard cap and still apply the last accepted report', async () => {
    const app = await start({ activityMs: 1000, rateLimit: { activityMax: 4 } });
    const ann = await app.register('Ann');
    const answers: number[] = [];
    for (const activity of ['away', 'active', 'away', 'active', 'away', 'active']) {
      const res = await app.post('/activity', { activity });
      answers.push(res.status);
      if (res.status === 429) {
        assert.equal(res.body.code, 'rate.limited');
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
      }
    }
    assert.equal(answers[0], 200);
    assert.deepEqual(answers.slice(4), [429, 429]);
    // The fourth report ('active') was the last accepted: it wins.
    await waitFor(async () => (await app.router.statusStore.get(ann))?.activity === undefined);
    assert.equal((await app.get('/isLoggedIn')).body.user.activity, undefined);
  });

  for (const [label, body, code, field] of [
    ["'asleep'", { activity: 'asleep' }, 'activity.invalid', 'activity'],
    ['a number', { activity: 0 }, 'activity.invalid', 'activity'],
    ['nothing', {}, 'activity.invalid', 'activity'],
    ['an unknown field', { activity: 'away', since: 1 }, 'body.unknown_field', 'since'],
  ] as const) {
    it(`should refuse ${label} with 400 ${code} and change nothing`, async () => {
      const app = await start();
      await app.register('Ann');
      const before = (await app.get('/isLoggedIn')).body.user;
      const res = await app.post('/activity', body);
      assert.equal(res.status, 400);
      assert.equal(res.body.code, code);
      assert.equal(res.body.field, field);
      assert.deepEqual((await app.get('/isLoggedIn')).body.user, before);
    });
  }

  it('should apply deferred reports when the router closes', async () => {
    const app = await start({ activityMs: 60_000 });
    const ann = await app.register('Ann');
    assert.equal((await app.post('/activity', { activity: 'away' })).status, 200);
    assert.equal((await app.post('/activity', { activity: 'active' })).status, 202);
    assert.equal((await app.router.statusStore.get(ann))?.activity, 'away');
    await app.router.close();
    assert.equal((await app.router.statusStore.get(ann))?.activity, undefined);
  });
});

describe('router.setStatus with an emoji and clearAfter', () => {
  it('should take { text, emoji, clearAfter }, validate it like POST /status and publish it', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    const heard = nextEvent<MemberRecord>(bo.channel, 'status-updated');
    const record = await app.router.setStatus(ann.id, {
      text: 'On call',
      emoji: '\u{1F4DF}',
      clearAfter: '4h',
    });
    assert.equal(record.emoji, '\u{1F4DF}');
    assert.ok(record.clearAt! > Date.now() + 4 * 60 * MINUTE - 5000);
    assert.equal((await heard).emoji, '\u{1F4DF}');
    await assert.rejects(app.router.setStatus(ann.id, { text: 'x', emoji: 'ab' }), { code: 'emoji.invalid' });
    await assert.rejects(app.router.setStatus(ann.id, { text: 'x', clearAfter: '2h' as never }), {
      code: 'clear_after.invalid',
    });
    assert.equal((await app.router.statusStore.get(ann.id))?.status, 'On call');
  });
});

describe('user_info budget', () => {
  it('should let the largest name, status, emoji, dnd and away join presence within 1,024 bytes', async () => {
    const app = await start();
    const name = '\u{1F600}'.repeat(32);
    const ann = app.person();
    assert.equal((await ann.post('/register', { username: name })).status, 200);
    const status = `${'\u{1F600}'.repeat(118)}${'"'.repeat(20)}`;
    const emoji = '\u{1F469}\u{1F3FB}\u200D\u2764\uFE0F\u200D\u{1F48B}\u200D\u{1F468}\u{1F3FC}';
    assert.equal((await ann.post('/status', { status, emoji })).status, 200);
    await ann.post('/availability', { availability: 'dnd' });
    await ann.post('/activity', { activity: 'away' });
    const auth = await ann.form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
    const bytes = Buffer.byteLength(JSON.stringify(JSON.parse(auth.body.channel_data).user_info));
    assert.ok(bytes <= USER_INFO_BYTES, `${bytes} bytes`);
    const again = await app.connect(ann);
    const info = again.channel.members.me.info as Record<string, unknown>;
    assert.equal(info.status, status);
    assert.equal(info.emoji, emoji);
    assert.equal(info.availability, 'dnd');
    assert.equal(info.activity, 'away');
  });
});

// ---- helpers ----

function start(
  options: WhatsupOptions = {},
  shared?: RealtimeServer,
  setup?: (router: WhatsupRouter) => unknown,
) {
  return startApp(options, { ...(shared ? { realtime: shared } : {}), ...(setup ? { setup } : {}) });
}

function quietPublisher() {
  return { trigger: async () => ({}), authorizeChannel: () => ({ auth: 'x' }) };
}
