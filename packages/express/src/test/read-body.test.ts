// Bodies (issue 20, item 8; issue 21's body-parser): every route that reads a body answers one
// that is too large — declared, chunked or streamed — with 413 as soon as that is known, and one
// that stalls with 408, on the middleware's routes and the webhook receiver alike; the auth route
// reads its body with body-parser, on Express 5 and 4. Real servers, raw sockets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import express5 from 'express';
import express4 from 'express4';
import session from 'express-session';
import Pusher from 'pusher';
import { whatsup } from '../index.js';
import { APP, CHANNEL, person, rawExchange, recorder, serve, sleep } from './support/http.js';

const FORM = 'application/x-www-form-urlencoded';

async function app(express: typeof express5 = express5, bodyTimeoutMs = 300) {
  const web = express();
  web.use(session({ secret: 'test', resave: false, saveUninitialized: false }));
  web.use(
    '/whatsup',
    whatsup({
      publisher: recorder(),
      webhooks: { ...APP },
      limits: { bodyTimeoutMs },
    }) as unknown as express5.Router,
  );
  const { port, origin } = await serve(web as unknown as Parameters<typeof serve>[0]);
  const me = person(`${origin}/whatsup`);
  const reg = await me.post('/register', { username: 'Ann' });
  assert.equal(reg.status, 200);
  return { port, me, cookie: me.cookie() };
}

const head = (path: string, cookie: string, type: string, framing: string) =>
  `POST /whatsup${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nContent-Type: ${type}\r\n` +
  `X-Pusher-Key: ${APP.key}\r\nX-Pusher-Signature: 00\r\n${framing}\r\n\r\n`;

/**
 * Writes `total` bytes of `x` in 64 kB chunks (chunked framing or raw), a chunk every 10 ms at
 * most: the whole body takes longer than the body timeout, as it does from a real uploader.
 */
function stream(total: number, chunked: boolean) {
  return async (socket: import('node:net').Socket) => {
    const block = 'x'.repeat(65536);
    for (let sent = 0; sent < total && !socket.destroyed; sent += block.length) {
      const ok = socket.write(chunked ? `${block.length.toString(16)}\r\n${block}\r\n` : block);
      if (!ok) await Promise.race([new Promise((r) => socket.once('drain', r)), sleep(500)]);
      await sleep(10);
    }
    if (chunked && !socket.destroyed) socket.write('0\r\n\r\n');
  };
}

const ROUTES: [string, string][] = [
  ['/status', 'application/json'],
  ['/register', 'application/json'],
  ['/usersystem/auth', FORM],
  ['/webhooks', 'application/json'],
];

describe('bodies too large', () => {
  for (const [path, type] of ROUTES) {
    it(`should answer a 5 MB chunked body to POST ${path} with 413 body.too_large, not a reset`, async () => {
      const { port, cookie } = await app();
      const answer = await rawExchange(
        port,
        head(path, cookie, type, 'Transfer-Encoding: chunked'),
        stream(5_000_000, true),
        3000,
      );
      assert.match(answer.text, /^HTTP\/1\.1 413/, `${answer.error ?? ''} ${answer.text.slice(0, 200)}`);
      assert.match(answer.text, /"code":"body.too_large"/);
      assert.notEqual(answer.error, 'ECONNRESET');
    });

    it(`should answer Content-Length: 10 GB to POST ${path} with 413 at once`, async () => {
      const { port, cookie } = await app();
      const answer = await rawExchange(
        port,
        head(path, cookie, type, 'Content-Length: 10000000000'),
        stream(1_000_000, false),
        3000,
      );
      assert.match(answer.text, /^HTTP\/1\.1 413/, answer.text.slice(0, 200));
    });

    it(`should answer a body to POST ${path} that stalls with 408 body.timeout and close the socket`, async () => {
      const { port, cookie } = await app();
      const answer = await rawExchange(
        port,
        head(path, cookie, type, 'Content-Length: 200') + '{"x":',
        async () => undefined,
        5000,
      );
      assert.match(answer.text, /^HTTP\/1\.1 408/, answer.text.slice(0, 200));
      assert.match(answer.text, /"code":"body.timeout"/);
      assert.equal(answer.closed, true, 'the socket is closed after the answer');
    });
  }
});

for (const [major, express] of [
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
] as const) {
  describe(`POST /usersystem/auth on ${major}`, () => {
    it('should sign the form pusher-js sends and the JSON the element sends alike, as the pusher library does', async () => {
      const { me } = await app(express);
      const form = await me.form('/usersystem/auth', { socket_id: '1234.5678', channel_name: CHANNEL });
      const json = await me.post('/usersystem/auth', { socket_id: '1234.5678', channel_name: CHANNEL });
      assert.equal(form.status, 200, JSON.stringify(form.body));
      assert.deepEqual(form.body, json.body);
      const expected = new Pusher({ ...APP, cluster: 'mt1' }).authorizeChannel(
        '1234.5678',
        CHANNEL,
        JSON.parse(form.body.channel_data),
      );
      assert.deepEqual(form.body, expected);
    });

    it('should answer 400 body.invalid_json, 415 for text, 413 past the limit', async () => {
      const { me } = await app(express);
      const broken = await me.raw('/usersystem/auth', '{"socket_id":"1.2",', 'application/json');
      assert.deepEqual([broken.status, broken.body.code], [400, 'body.invalid_json']);
      const text = await me.raw('/usersystem/auth', 'socket_id=1.2', 'text/plain');
      assert.deepEqual([text.status, text.body.code], [415, 'body.unsupported_type']);
      const large = await me.raw('/usersystem/auth', `socket_id=1.2&pad=${'x'.repeat(9000)}`, FORM);
      assert.deepEqual([large.status, large.body.code], [413, 'body.too_large']);
    });

    it('should read a body that arrives in pieces', async () => {
      const { port, cookie } = await app(express);
      const body = `socket_id=1234.5678&channel_name=${CHANNEL}`;
      const answer = await rawExchange(
        port,
        head('/usersystem/auth', cookie, FORM, `Content-Length: ${body.length}`),
        async (socket) => {
          socket.write(body.slice(0, 10));
          await sleep(50);
          socket.write(body.slice(10));
        },
        1000,
      );
      assert.match(answer.text, /^HTTP\/1\.1 200/);
      assert.match(answer.text, /"auth":"app-key:[0-9a-f]{64}"/);
    });
  });
}

describe('the webhook receiver’s body', () => {
  it('should still take a signed body that arrives slowly, within the timeout', async () => {
    const { port } = await app(express5, 2000);
    const body = JSON.stringify({ time_ms: Date.now(), events: [] });
    const signature = createHmac('sha256', APP.secret).update(body).digest('hex');
    const answer = await rawExchange(
      port,
      `POST /whatsup/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Pusher-Key: ${APP.key}\r\n` +
        `X-Pusher-Signature: ${signature}\r\nContent-Length: ${body.length}\r\n\r\n`,
      async (socket) => {
        socket.write(body.slice(0, 5));
        await sleep(200);
        socket.write(body.slice(5));
      },
      1000,
    );
    assert.match(answer.text, /^HTTP\/1\.1 200/, answer.text);
  });
});
