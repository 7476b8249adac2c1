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
import { whatsup, type Publisher } from '../index.js';

const SCALE = Math.max(1, Number(process.env.WHATSUP_FUZZ_SCALE ?? 1) || 1);
const RUNS = 1500 * SCALE;
const SEED = 20261123;
const CREDENTIALS = { appId: '1', key: 'fuzz-key', secret: 'fuzz-secret' };

const ROUTES = ['/config', '/register', '/isLoggedIn', '/usersystem/auth', '/status', '/members', '/logout'];
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

/** A JSON-ish body: deep nesting, huge numbers, odd Unicode, wrong types, prototype keys. */
const bodyText = fc.oneof(
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
    app.use('/whatsup', whatsup({ publisher, rateLimit: { max: 1_000_000, signUpMax: 1_000_000 } }));
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

  after(() => {
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
});
