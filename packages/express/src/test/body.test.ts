// The auth route's body (body.ts): a body that has fully arrived is read at once, and must come
// out exactly as body-parser makes it, on both Express majors; everything else still goes
// through body-parser. Real servers, raw sockets (so a test decides how the bytes arrive).
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import express5 from 'express';
import express4 from 'express4';
import session from 'express-session';
import Pusher from 'pusher';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { formOrJson } from '../body.js';
import { bodyTimeout } from '../guards.js';
import { whatsup, type Publisher } from '../index.js';

const CREDENTIALS = { appId: '1', key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' };
const CHANNEL = 'presence-whatsup-members';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const PUSHER_JS = `socket_id=1234.5678&channel_name=${CHANNEL}`;

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** [what, content-type, body, read at once?] */
const CASES: [string, string, string | Buffer, boolean][] = [
  ["pusher-js's form", FORM, PUSHER_JS, true],
  ["the element's JSON", JSON_TYPE, JSON.stringify({ socket_id: '1.2', channel_name: CHANNEL }), true],
  [
    'JSON with more fields, nested',
    JSON_TYPE,
    '{"socket_id":"1.2","x":{"a":[1,null,"b"]},"socket_id":"3.4"}',
    true,
  ],
  [
    'JSON with a __proto__ key',
    JSON_TYPE,
    '{"__proto__":{"socket_id":"1.2"},"channel_name":"presence-x"}',
    true,
  ],
  ['JSON that does not parse', JSON_TYPE, '{"socket_id":"1.2",', false],
  ['a JSON array', JSON_TYPE, '["1.2"]', false],
  ['JSON after white space', JSON_TYPE, ' {"socket_id":"1.2"}', false],
  ['JSON with non-ASCII text', JSON_TYPE, '{"channel_name":"presence-é"}', false],
  ['JSON with a byte-order mark', JSON_TYPE, Buffer.from('\uFEFF{"socket_id":"1.2"}'), false],
  ['JSON in Latin-1 bytes', JSON_TYPE, Buffer.from('{"channel_name":"presence-é"}', 'latin1'), false],
  ['JSON with a UTF-8 charset', `${JSON_TYPE}; charset=utf-8`, '{"socket_id":"1.2"}', false],
  ['JSON with a Latin-1 charset', `${JSON_TYPE}; charset=latin1`, '{"socket_id":"1.2"}', false],
  ['JSON over 1 kB', JSON_TYPE, JSON.stringify({ socket_id: '1.2', pad: 'x'.repeat(1100) }), false],
  ['a form with escapes', FORM, 'socket_id=1.2&channel_name=presence-a%40b', false],
  ['a form with a plus', FORM, 'socket_id=1.2&channel_name=presence+a', false],
  ['a form with extra fields (pusher-js params)', FORM, `${PUSHER_JS}&token=abc`, false],
  ['a form with a repeated field', FORM, `socket_id=1.2&${PUSHER_JS}`, false],
  ['a form in the other order', FORM, `channel_name=${CHANNEL}&socket_id=1.2`, false],
  ['a form with brackets', FORM, 'socket_id[a]=1.2&channel_name=presence-x', false],
  ['a form with 21 fields', FORM, Array.from({ length: 21 }, (_, i) => `f${i}=1`).join('&'), false],
  ['a form with a UTF-8 charset', `${FORM}; charset=utf-8`, PUSHER_JS, false],
  ['a form in capitals', 'Application/X-WWW-Form-Urlencoded', PUSHER_JS, false],
];

for (const [major, express] of [
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
] as const)
  describe(`formOrJson() on ${major}`, () => {
    describe('when the body has arrived with the headers', () => {
      for (const [what, type, body, quick] of CASES) {
        it(`should read ${what} as body-parser does${quick ? ', without it' : ', through it'}`, async () => {
          const app = await parsers(express);
          const expected = await app.send('/body-parser', type, body);
          const got = await app.send('/form-or-json', type, body);
          assert.equal(got.status, expected.status);
          assert.deepEqual(got.answer, expected.answer);
          assert.deepEqual(app.parsed(), quick ? [] : ['body-parser']);
        });
      }
    });

    describe('when the type is neither', () => {
      it('should answer 415 body.unsupported_type and parse nothing', async () => {
        const app = await parsers(express);
        const got = await app.send('/form-or-json', 'text/plain', PUSHER_JS);
        assert.equal(got.status, 415);
        assert.deepEqual(got.answer, { error: 'body.unsupported_type' });
        assert.deepEqual(app.parsed(), []);
      });
    });

    describe('when the body arrives after the headers', () => {
      it('should read it through body-parser', async () => {
        const app = await parsers(express);
        const expected = await app.send('/body-parser', FORM, PUSHER_JS);
        const got = await app.send('/form-or-json', FORM, PUSHER_JS, { splitAfterMs: 50 });
        assert.deepEqual(got.answer, expected.answer);
        assert.deepEqual(app.parsed(), ['body-parser']);
      });
    });

    describe('when the body is compressed', () => {
      it('should read it through body-parser, which inflates it', async () => {
        const app = await parsers(express);
        const zipped = gzipSync(JSON.stringify({ socket_id: '1.2', channel_name: CHANNEL }));
        const got = await app.send('/form-or-json', JSON_TYPE, zipped, { encoding: 'gzip' });
        assert.deepEqual(got.answer, { body: { socket_id: '1.2', channel_name: CHANNEL } });
        assert.deepEqual(app.parsed(), ['body-parser']);
      });
    });

    describe('when limits.body is under 1 kB', () => {
      it('should leave every body to body-parser and its limit', async () => {
        const app = await parsers(express, '40b');
        const small = await app.send('/form-or-json', FORM, 'socket_id=1.2&channel_name=presence-x');
        assert.deepEqual(small.answer, { body: { socket_id: '1.2', channel_name: 'presence-x' } });
        const large = await app.send('/form-or-json', FORM, PUSHER_JS);
        assert.equal(large.status, 413);
        assert.deepEqual(app.parsed(), ['body-parser', 'body-parser']);
      });
    });
  });

describe('POST /usersystem/auth with the body read at once', () => {
  it('should sign exactly what it signs for a body read by body-parser', async () => {
    const app = await router();
    const cookie = await app.signUp();
    const quick = await app.send('/whatsup/usersystem/auth', FORM, PUSHER_JS, { cookie });
    const slow = await app.send('/whatsup/usersystem/auth', FORM, PUSHER_JS, { cookie, splitAfterMs: 50 });
    assert.equal(quick.status, 200);
    assert.deepEqual(quick.answer, slow.answer);
    const expected = new Pusher({ ...CREDENTIALS, cluster: 'mt1' }).authorizeChannel(
      '1234.5678',
      CHANNEL,
      JSON.parse((quick.answer as { channel_data: string }).channel_data),
    );
    assert.deepEqual(quick.answer, expected);
  });

  it('should answer 400 body.invalid_json for JSON that does not parse, from body-parser', async () => {
    const app = await router();
    const cookie = await app.signUp();
    const res = await app.send('/whatsup/usersystem/auth', JSON_TYPE, '{"socket_id":"1.2",', { cookie });
    assert.equal(res.status, 400);
    assert.equal((res.answer as { code: string }).code, 'body.invalid_json');
  });

  it('should answer 408 body.timeout when the body never comes', async () => {
    const app = await router({ limits: { bodyTimeoutMs: 200 } });
    const cookie = await app.signUp();
    const socket = connect(app.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `POST /whatsup/usersystem/auth HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\n` +
        `Content-Type: ${FORM}\r\nContent-Length: 200\r\n\r\nsocket_id=1.2`,
    );
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    await once(socket, 'close');
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(answer, /"code":"body.timeout"/);
  });
});

// ---- helpers ----

/**
 * An app with the parsers the router uses, side by side: /body-parser runs body-parser as the
 * route did before (form, then JSON); /form-or-json runs formOrJson() with the same parsers,
 * recording which ran. Both answer { body } or { error: body-parser's error type }.
 */
async function parsers(express: typeof express5, limit: string | number = '8kb') {
  const app = express();
  const ran: string[] = [];
  const form = express.urlencoded({ extended: false, limit, parameterLimit: 20 });
  const json = express.json({ limit, strict: true });
  const recorded =
    (name: string, handler: RequestHandler): RequestHandler =>
    (req, res, next) => {
      ran.push(name);
      handler(req, res, next);
    };
  // A session store answers on a later turn of the event loop: the request's bytes are in by then.
  const later: RequestHandler = (_req, _res, next) => void setImmediate(next);
  const answer = (req: Request, res: Response) => res.json({ body: req.body as unknown });
  app.post('/body-parser', later, form, json, answer);
  app.post(
    '/form-or-json',
    later,
    formOrJson({
      form: recorded('body-parser', form),
      json: recorded('body-parser', json),
      timeout: bodyTimeout(5000),
      limit,
    }),
    answer,
  );
  app.use(
    (
      err: { status?: number; type?: string; code?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => res.status(err.status ?? 500).json({ error: err.type ?? err.code }),
  );
  const { port } = await listen(app);
  return {
    port,
    send: (path: string, type: string, body: string | Buffer, how: SendOptions = {}) =>
      send(port, path, type, body, how),
    /** Which parsers ran since the last call. */
    parsed: () => ran.splice(0),
  };
}

/** The whatsup router behind express-session, with a publisher that signs like Pusher does. */
async function router(options: { limits?: { bodyTimeoutMs: number } } = {}) {
  const app = express5();
  app.use(session({ secret: 'test', resave: false, saveUninitialized: false }));
  const pusher = new Pusher({ ...CREDENTIALS, cluster: 'mt1' });
  const publisher: Publisher = {
    trigger: async () => ({}),
    authorizeChannel: (socketId, channel, data) => pusher.authorizeChannel(socketId, channel, data),
  };
  app.use('/whatsup', whatsup({ publisher, ...options }));
  const { port } = await listen(app);
  return {
    port,
    send: (path: string, type: string, body: string | Buffer, how: SendOptions = {}) =>
      send(port, path, type, body, how),
    async signUp(): Promise<string> {
      const res = await fetch(`http://127.0.0.1:${port}/whatsup/register`, {
        method: 'POST',
        headers: { 'content-type': JSON_TYPE },
        body: JSON.stringify({ username: 'Ann', status: 'here' }),
      });
      assert.equal(res.status, 200);
      return res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
    },
  };
}

async function listen(app: ReturnType<typeof express5>): Promise<{ port: number }> {
  const server = createServer(app);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port };
}

interface SendOptions {
  cookie?: string;
  encoding?: string;
  /** Write the headers, then the body this many ms later (else: one write). */
  splitAfterMs?: number;
}

/** One POST over a raw socket; resolves with the status and the parsed JSON answer. */
async function send(
  port: number,
  path: string,
  type: string,
  body: string | Buffer,
  how: SendOptions,
): Promise<{ status: number; answer: unknown }> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const head =
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: ${type}\r\n` +
    `Content-Length: ${bytes.length}\r\n` +
    (how.encoding ? `Content-Encoding: ${how.encoding}\r\n` : '') +
    (how.cookie ? `Cookie: ${how.cookie}\r\n` : '') +
    '\r\n';
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  if (how.splitAfterMs === undefined) socket.write(Buffer.concat([Buffer.from(head), bytes]));
  else {
    socket.write(head);
    await new Promise((resolve) => setTimeout(resolve, how.splitAfterMs));
    socket.write(bytes);
  }
  await once(socket, 'close');
  const text = Buffer.concat(chunks).toString();
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]);
  const payload = text.slice(text.indexOf('\r\n\r\n') + 4);
  return { status, answer: JSON.parse(dechunk(payload)) as unknown };
}

/** The body of a chunked answer (Express sends Content-Length, but a 4xx may come chunked). */
function dechunk(payload: string): string {
  if (payload.startsWith('{')) return payload;
  let out = '';
  let rest = payload;
  for (;;) {
    const end = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, end), 16);
    if (!size) return out;
    out += rest.slice(end + 2, end + 2 + size);
    rest = rest.slice(end + 2 + size + 2);
  }
}
