// Generated requests against a live app: every answer is a JSON 4xx error or a success, never a
// 5xx, and the app still signs a fresh visitor up afterwards. Fixed seed; WHATSUP_FUZZ_SCALE
// multiplies the run count (`npm run fuzz` runs it 10×).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import express from 'express';
import session from 'express-session';
import Pusher from 'pusher';
import fc from 'fast-check';
import { whatsup, type Publisher, type WhatsupRouter } from '../index.js';
import { appWithSessions, person, recorder } from './support/http.js';
import { checkMembersLists, commands, newModel, type System } from './support/model.js';

const SCALE = Math.max(1, Number(process.env.WHATSUP_FUZZ_SCALE ?? 1) || 1);
const RUNS = 1500 * SCALE;
const SEED = 20261123;
const CREDENTIALS = { appId: '1', key: 'fuzz-key', secret: 'fuzz-secret' };

const ROUTES = [
  '/config',
  '/bootstrap',
  '/register',
  '/isLoggedIn',
  '/usersystem/auth',
  '/status',
  '/availability',
  '/activity',
  '/members',
  '/logout',
];
const ODD_TEXT = [
  '\u3164',
  '\u00AD',
  '\u2800',
  '\u{E0041}',
  '\u202E',
  '\u200D',
  '\uD800',
  '\u{1F468}\u200D\u{1F469}',
  '<img src=x onerror=alert(1)>',
  '__proto__',
  'constructor',
  '€'.repeat(40),
  '\u0000',
];

/** Emoji-ish strings: real emoji, sequences glued wrong, joiners, modifiers, markup. */
const emojiText = fc.oneof(
  fc.constantFrom(
    '\u{1F600}',
    '\u{1F44D}\u{1F3FD}',
    '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
    '\u{1F1EB}\u{1F1F7}',
    '\u{1F1EB}',
    '\u2764',
    '1\uFE0F\u20E3',
    '\u200D',
    '\u{1F3FB}',
    '<script>',
    '',
  ),
  fc
    .array(fc.constantFrom('\u{1F600}', '\u200D', '\uFE0F', '\u{1F3FB}', '\u{E0067}', '\u20E3', 'a', '#'), {
      maxLength: 12,
    })
    .map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 3 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

const oddJson = fc.jsonValue({ maxDepth: 1 });
/** Now and then a key the route does not take (it must answer 400 body.unknown_field). */
function sometimesExtra<T extends object>(body: fc.Arbitrary<T>): fc.Arbitrary<T | (T & { extra: unknown })> {
  return fc.oneof(
    { weight: 6, arbitrary: body },
    { weight: 1, arbitrary: fc.tuple(body, oddJson).map(([b, extra]) => ({ ...b, extra })) },
  );
}

/** Bodies for the issue-14 routes, each with its route: mostly the right keys with odd values. */
const richRequest = fc.oneof(
  sometimesExtra(
    fc.record(
      {
        status: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...ODD_TEXT)),
        emoji: fc.oneof(emojiText, oddJson),
        clearAfter: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('30m', '1h', '4h', 'today', 'never') },
          { weight: 1, arbitrary: fc.constantFrom('forever', '1H', '', '30') },
          { weight: 1, arbitrary: fc.double() },
          { weight: 1, arbitrary: oddJson },
        ),
        utcOffset: fc.oneof(fc.integer({ min: -900, max: 900 }), fc.double(), fc.string({ maxLength: 5 })),
      },
      { requiredKeys: ['status'] },
    ),
  ).map((body) => ['/status', body] as const),
  sometimesExtra(
    fc.record(
      { availability: fc.oneof(fc.constantFrom('auto', 'dnd', 'invisible', 'busy', 'DND', ''), oddJson) },
      { requiredKeys: [] },
    ),
  ).map((body) => ['/availability', body] as const),
  sometimesExtra(
    fc.record(
      { activity: fc.oneof(fc.constantFrom('active', 'away', 'asleep'), oddJson) },
      { requiredKeys: [] },
    ),
  ).map((body) => ['/activity', body] as const),
  fc
    .tuple(
      fc.constantFrom('/status', '/availability', '/activity'),
      fc.constantFrom(
        '{"status":"x","clearAfter":1e309}',
        '{"status":"x","clearAfter":-1}',
        '{"status":"x","utcOffset":1e309}',
        '{"status":"x","__proto__":{"emoji":"\u{1F600}"}}',
        '{"availability":"invisible","__proto__":{"x":1}}',
        '{"activity":["away"]}',
      ),
    )
    .map(([route, text]) => [route, text] as const),
);

/** A JSON-ish body: deep nesting, huge numbers, odd Unicode, wrong types, prototype keys. */
const bodyText = fc.oneof(
  richRequest.map(([, v]) => (typeof v === 'string' ? v : JSON.stringify(v))),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        username: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.constantFrom(...ODD_TEXT),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        status: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.constantFrom(...ODD_TEXT),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        socket_id: fc.oneof(fc.constant('1.2'), fc.string({ maxLength: 30 }), fc.integer()),
        channel_name: fc.oneof(fc.constant('presence-whatsup-members'), fc.string({ maxLength: 250 })),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.integer({ min: 1, max: 3500 }).map((n) => `{"status":${'['.repeat(n)}${']'.repeat(n)}}`),
  fc.integer({ min: 1, max: 3500 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.constantFrom(
    '1e999999',
    '-0',
    '123456789012345678901234567890',
    '{"status":1e309}',
    'null',
    '"x"',
    '[]',
    '{',
    '',
  ),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.integer({ min: 8000, max: 12000 }).map((n) => `{"status":"${'x'.repeat(n)}"}`),
  fc
    .string({ maxLength: 80 })
    .map((s) => new URLSearchParams({ socket_id: s, channel_name: s, status: s }).toString()),
);

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/json; charset=',
      'application/*',
      '*/*',
    ),
    fc.string({ maxLength: 40 }).filter((s) => /^[\x21-\x7e ]*$/.test(s)),
  ),
  { nil: undefined },
);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  path: fc.oneof(
    fc.constantFrom(...ROUTES),
    fc
      .tuple(fc.constantFrom(...ROUTES), fc.string({ maxLength: 20 }))
      .map(([r, q]) => `${r}?channel=${encodeURIComponent(q)}`),
    fc.string({ maxLength: 30 }).map((s) => `/${encodeURIComponent(s)}`),
  ),
  body: fc.option(bodyText, { nil: undefined }),
  contentType,
  origin: fc.option(fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1', ''), {
    nil: undefined,
  }),
  site: fc.option(fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none', 'bogus'), {
    nil: undefined,
  }),
  signedIn: fc.boolean(),
});

describe('routes under generated requests', () => {
  let server: Server;
  let router: WhatsupRouter;
  let base = '';
  let cookie = '';

  before(async () => {
    const pusher = new Pusher({ ...CREDENTIALS, cluster: 'mt1' });
    const publisher: Publisher = {
      trigger: async () => ({}),
      authorizeChannel: (socketId, channel, data) => pusher.authorizeChannel(socketId, channel, data),
      channelUsers: async () => [],
    };
    const app = express();
    app.use(session({ secret: 'fuzz', resave: false, saveUninitialized: false }));
    // Limits high enough that the run tests the routes, not the rate limiter (tested elsewhere).
    router = whatsup({
      publisher,
      rateLimit: { max: 1_000_000, signUpMax: 1_000_000, activityMax: 1_000_000 },
      // Deferred activity reports land at close, not between a request and the check after it.
      activityMs: 3_600_000,
    });
    app.use('/whatsup', router);
    // The router passes paths that are not its own on to the host app: this is the host's 404.
    app.use((_req, res) => {
      res.status(404).json({ success: false, error: true, code: 'host.not_found', message: 'host app' });
    });
    server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/whatsup`;
    cookie = await signUp('fuzzer');
  });

  let signUps = 0;
  async function signUp(name: string): Promise<string> {
    signUps += 1;
    const res = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `${name}${signUps}`, status: 'x' }),
    });
    assert.equal(res.status, 200);
    return res.headers.getSetCookie()[0]!.split(';')[0]!;
  }

  after(async () => {
    await router.close();
    server.closeAllConnections();
    server.close();
  });

  it(`should answer ${RUNS} generated requests with a JSON 4xx or a success, and keep serving`, async () => {
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        tried += 1;
        const headers: Record<string, string> = {};
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        if (r.origin !== undefined) headers['origin'] = r.origin;
        if (r.site !== undefined) headers['sec-fetch-site'] = r.site;
        // The signed-in person signs out now and then: sign them in again so both states get fuzzed.
        if (r.signedIn) headers['cookie'] = cookie;
        const sendsBody = r.body !== undefined && r.method !== 'GET';
        const res = await fetch(base + r.path, {
          method: r.method,
          headers,
          redirect: 'manual',
          ...(sendsBody ? { body: r.body } : {}),
        });
        const text = await res.text();
        if (
          r.signedIn &&
          res.status < 400 &&
          (r.path.startsWith('/logout') || r.path.startsWith('/register'))
        )
          cookie = await signUp('fuzzer');
        assert.ok(res.status < 500, `${r.method} ${r.path} → ${res.status} ${text.slice(0, 200)}`);
        if (res.status >= 400) {
          const body = JSON.parse(text) as {
            success: boolean;
            error: boolean;
            code: string;
            message: string;
          };
          assert.equal(body.error, true);
          assert.equal(body.success, false);
          assert.match(body.code, /^[a-z_]+(\.[a-z_]+)+$/);
          assert.equal(typeof body.message, 'string');
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    assert.equal(tried >= RUNS, true);
    const fresh = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'fresh visitor', status: 'after the storm' }),
    });
    assert.equal(fresh.status, 200);
    console.log(`# routes fuzz: ${tried} cases, 0 failures, 0 deaths (seed ${SEED}, scale ${SCALE})`);
  });

  it(`should store only valid rich statuses, availabilities and activities, and nothing on a 4xx`, async () => {
    const me = await signUp('rich');
    const rgi = new RegExp('^\\p{RGI_Emoji}$', 'v');
    const read = async () =>
      (
        (await (await fetch(`${base}/isLoggedIn`, { headers: { cookie: me } })).json()) as {
          user: Record<string, unknown>;
        }
      ).user;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(richRequest, async ([route, body]) => {
        const before = await read();
        const res = await fetch(base + route, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: me },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
        const answer = (await res.json()) as { code?: string; user?: Record<string, unknown> };
        assert.ok(
          res.status < 500,
          `${route} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(answer)}`,
        );
        const after = await read();
        if (res.status >= 400) {
          assert.deepEqual(
            after,
            before,
            `${route} ${JSON.stringify(body)} → ${answer.code} changed the record`,
          );
          return;
        }
        accepted += 1;
        if (after.emoji !== undefined) assert.match(String(after.emoji), rgi);
        if (after.clearAt !== undefined) assert.ok(Number(after.clearAt) > Date.now() - 1000);
        assert.ok([undefined, 'dnd', 'invisible'].includes(after.availability as string));
        assert.ok([undefined, 'away'].includes(after.activity as string));
        assert.equal(after.hidden, undefined);
        assert.equal(after.channels, undefined);
      }),
      { seed: SEED, numRuns: 300 * SCALE, endOnFailure: true },
    );
    assert.ok(accepted > 0, 'some generated bodies are valid');
    console.log(
      `# rich routes fuzz: ${300 * SCALE} cases, ${accepted} accepted, the rest refused with nothing stored`,
    );
  });

  it(`should keep every member list true through generated sign-ups, renames, invisibility and sign-outs`, async () => {
    const runs = 100 * SCALE;
    await fc.assert(
      fc.asyncProperty(commands(3, { tabs: false, maxCommands: 14 }), async (steps) => {
        const app = await appWithSessions();
        const people = whatsup({
          publisher: recorder(),
          rateLimit: { signUpMax: 1000, signUpGlobalMax: 1000, max: 1000 },
        });
        app.web.use('/whatsup', people);
        const system: System = {
          browsers: [0, 1, 2].map(() => person(app.base)),
          ids: [undefined, undefined, undefined],
          checks: [checkMembersLists],
        };
        try {
          await fc.asyncModelRun(() => ({ model: newModel(3), real: system }), steps);
        } finally {
          await people.close();
          app.server.closeAllConnections();
          app.server.close();
        }
      }),
      { seed: SEED, numRuns: runs, endOnFailure: true },
    );
    console.log(
      `# identity fuzz: ${runs} sequences of up to 14 steps by 3 people, every list checked after each`,
    );
  });
});
