// HTTP API request bodies from strangers: everything that can be checked is checked before a byte of
// the body is read; an oversized body (declared, or streamed/chunked) gets 413, a stalled one 408, and
// only so many are read from one address at once (429). Memory a stalled crowd pins comes back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createRealtimeServer, type RealtimeServer } from '../index.js';
import { signedQuery, type Forge } from './support/http.js';
import { startLiveServer, type LiveServer, type Memory } from './support/live-server.js';
import { delay, waitFor, within } from './support/net.js';
import { APP } from './support/pusher.js';

const EVENTS = `/apps/${APP.appId}/events`;

interface Answer {
  status: number;
  body: { error?: string; code?: string; status?: number };
}

interface Sending {
  socket: Socket;
  /** The server's answer, whenever it comes (the request may still be being sent). */
  answer: Promise<Answer>;
  write(bytes: Buffer | string): Promise<void>;
}

/** A request written by hand: the head now, the body as the test writes it (or never). */
function send(port: number, head: string): Sending {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let received = Buffer.alloc(0);
  const answer = new Promise<Answer>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      const headText = received.subarray(0, end).toString('latin1');
      const length = Number(/content-length: (\d+)/i.exec(headText)?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      const text = received.subarray(end + 4, end + 4 + length).toString();
      resolve({ status: Number(headText.split(' ')[1]), body: JSON.parse(text) as Answer['body'] });
    });
    socket.on('close', () => reject(new Error(`closed without an answer: ${received.toString('latin1')}`)));
  });
  answer.catch(() => {});
  socket.write(head);
  return {
    socket,
    answer,
    write: (bytes) =>
      new Promise((resolve) => {
        if (socket.destroyed) resolve();
        else socket.write(bytes, () => resolve());
      }),
  };
}

/** The head of a POST to the events route, signed (unless `unsigned`) for `body`. */
function head(
  body: string,
  headers: Record<string, string | number>,
  options: { unsigned?: boolean; path?: string; forge?: Forge } = {},
): string {
  const path = options.path ?? EVENTS;
  const query = options.unsigned === true ? '' : signedQuery('POST', path, body, options.forge);
  const lines = Object.entries({ host: '127.0.0.1', 'content-type': 'application/json', ...headers });
  return `POST ${path}${query} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

const event = JSON.stringify({ name: 'e', channels: ['c'], data: '{}' });

describe('HTTP API request bodies, default limits', () => {
  let server: RealtimeServer;
  before(async () => {
    server = createRealtimeServer({ ...APP, port: 0 });
    await server.ready;
  });
  after(() => server.close());

  describe('when a request cannot be right whatever its body', () => {
    it('should refuse it before reading the body: app id, auth_key, timestamp, signature, missing body_md5', async () => {
      const declared = { 'content-length': 60_000 };
      const cases: Array<[string, string, number, string]> = [
        ['no signature at all', head(event, declared, { unsigned: true }), 401, 'signature.invalid'],
        ['another app id', head(event, declared, { path: '/apps/other/events' }), 404, 'app.not_found'],
        ['another key', head(event, declared, { forge: { key: 'other-key' } }), 401, 'signature.invalid'],
        [
          'a stale timestamp',
          head(event, declared, { forge: { timestamp: Math.floor(Date.now() / 1000) - 3600 } }),
          401,
          'signature.invalid',
        ],
        [
          'a forged signature',
          head(event, declared, { forge: { secret: 'guess' } }),
          401,
          'signature.invalid',
        ],
        [
          'a body not signed by body_md5',
          head('', declared, { forge: { params: { info: 'x' } } }),
          401,
          'signature.invalid',
        ],
      ];
      for (const [what, request, status, code] of cases) {
        const sending = send(server.port, request);
        // a tenth of the declared body, then nothing: the answer must not wait for the rest
        await sending.write('x'.repeat(6000));
        const answer = await within(sending.answer, `the answer to ${what}`);
        assert.equal(answer.status, status, what);
        assert.equal(answer.body.code, code, what);
        assert.equal(answer.body.status, status, what);
        assert.equal(typeof answer.body.error, 'string', what);
        sending.socket.destroy();
      }
    });
  });
});

describe('HTTP API request bodies, limits set', () => {
  let server: RealtimeServer;
  before(async () => {
    server = createRealtimeServer({
      ...APP,
      port: 0,
      limits: { requestBodyBytes: 64 * 1024, requestBodyTimeout: 300, requestBodiesPerAddress: 2 },
    });
    await server.ready;
  });
  after(() => server.close());

  describe('when the body is too large', () => {
    it('should answer 413 to a declared Content-Length over the limit without reading it', async () => {
      const sending = send(server.port, head(event, { 'content-length': 64 * 1024 + 1 }));
      const answer = await within(sending.answer, 'the 413');
      assert.deepEqual(answer.body, {
        error: 'The request body is larger than the allowed 65536 bytes (limits.requestBodyBytes)',
        code: 'body.too_large',
        status: 413,
      });
      sending.socket.destroy();
    });

    it('should answer 413 to a chunked body once it passes the limit, and the client should read it', async () => {
      const sending = send(server.port, head(event, { 'transfer-encoding': 'chunked' }));
      const chunk = 'y'.repeat(16 * 1024);
      let answered = false;
      void sending.answer.then(() => (answered = true));
      // 5 MB offered; the client goes on writing after the answer, as a streaming client does
      for (let sent = 0; sent < 5 * 1024 * 1024 && !sending.socket.destroyed; sent += chunk.length) {
        await sending.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
        if (answered && sent > 256 * 1024) break;
      }
      const answer = await within(sending.answer, 'the 413');
      assert.equal(answer.status, 413);
      assert.equal(answer.body.code, 'body.too_large');
      sending.socket.destroy();
    });
  });

  describe('when the body stalls', () => {
    it('should answer 408 after limits.requestBodyTimeout', async () => {
      const sending = send(server.port, head(event, { 'content-length': event.length }));
      await sending.write(event.slice(0, 10));
      const answer = await within(sending.answer, 'the 408');
      assert.equal(answer.status, 408);
      assert.equal(answer.body.code, 'body.timeout');
      assert.match(answer.body.error ?? '', /limits\.requestBodyTimeout/);
    });
  });

  describe('when one address sends more bodies at once than limits.requestBodiesPerAddress', () => {
    it('should answer 429 to the extra one, and take one again once a slot is free', async () => {
      const stalled = [0, 1].map(() => send(server.port, head(event, { 'content-length': event.length })));
      await Promise.all(stalled.map((sending) => sending.write(event.slice(0, 5))));
      await delay(50); // both heads read: their bodies are being waited for
      const third = send(server.port, head(event, { 'content-length': event.length }));
      const refused = await within(third.answer, 'the 429');
      assert.equal(refused.status, 429);
      assert.equal(refused.body.code, 'rate.limited');
      assert.match(refused.body.error ?? '', /limits\.requestBodiesPerAddress/);
      // a client that goes away frees its slot at once
      stalled[0]!.socket.destroy();
      await delay(50);
      const fourth = send(server.port, head(event, { 'content-length': event.length }));
      await fourth.write(event);
      assert.equal((await within(fourth.answer, 'the 200')).status, 200);
      for (const sending of [...stalled, third, fourth]) sending.socket.destroy();
    });
  });
});

describe('HTTP API bodies and memory', () => {
  let live: LiveServer;
  before(async () => {
    live = await startLiveServer('alone');
  });
  after(() => live.stop());

  /** What request bodies hold: the V8 heap and the Buffers outside it, after a full GC. */
  const held = (memory: Memory): number => memory.heapUsed + memory.arrayBuffers;

  it('should not hold 255 kB of each stalled body, and should give the memory back when they leave', async () => {
    const baseline = held(await live.memory());
    const declared = { 'content-length': 256 * 1024 };
    const body = Buffer.alloc(255 * 1024, 'z');
    // 100 strangers (no signature) and 100 who know the secret, each 255 kB of a 256 kB body, then stalling
    const requests = [
      ...Array.from({ length: 100 }, () => send(live.port, head(event, declared, { unsigned: true }))),
      ...Array.from({ length: 100 }, () => send(live.port, head(event, declared))),
    ];
    await Promise.all(requests.map((request) => request.write(body)));
    let peak = 0;
    for (let i = 0; i < 3; i += 1) {
      peak = Math.max(peak, held(await live.memory()) - baseline);
      await delay(100);
    }
    // at most limits.requestBodiesPerAddress (32) bodies of 256 kB are read at once: 8 MB, not 50
    assert.ok(peak < 16 * 1024 * 1024, `held ${(peak / 2 ** 20).toFixed(1)} MB during the stall`);
    const strangers = await Promise.all(
      requests.slice(0, 100).map((request) => within(request.answer, '401')),
    );
    assert.ok(strangers.every((answer) => answer.status === 401));
    // past the 32 being read (they wait for their last kilobyte, up to limits.requestBodyTimeout), 429
    let refused = 0;
    for (const request of requests.slice(100)) {
      request.answer.then(
        (answer) => (refused += Number(answer.status === 429)),
        () => {},
      );
    }
    await waitFor(() => refused === 100 - 32, `68 answered 429 (${refused})`);
    for (const request of requests) request.socket.destroy();
    await waitFor(
      async () => held(await live.memory()) - baseline < 2 * 1024 * 1024,
      'the memory back within 2 MB of its baseline',
      15_000,
    );
    assert.ok(live.alive());
  });
});
