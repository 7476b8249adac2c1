// Property-based hostile input (fast-check) against a live server in a child process, attached to an
// Express app: WebSocket frames, handshake requests and HTTP API requests, signed and unsigned. After
// every batch the process must be alive and serve a fresh pusher-js client an event triggered by the
// pusher library. Fixed seed; WHATSUP_FUZZ_SCALE (default 1) multiplies the case counts (`npm run fuzz`
// uses 10). The last line, FUZZ-RESULT, is what scripts/fuzz.mjs adds up.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { servesFreshClient, startLiveServer, type LiveServer } from './support/live-server.js';
import { APP } from './support/pusher.js';
import { channelAuth, openRaw, rawRequest } from './support/raw.js';

const SCALE = Math.max(1, Number(process.env.WHATSUP_FUZZ_SCALE ?? '1') || 1);
const SEED = 20261123;
const runs = (base: number): number => Math.round(base * SCALE);

const tally = { cases: 0, failures: 0, deaths: 0 };

/** The fuzzed server's limits.subscriptionFramesPerMinute (small, so sequences cross it). */
const FRAMES_PER_MINUTE = 40;

/** Odd text: lone surrogates, bidi controls, NUL, combining marks, astral characters, long runs. */
const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\uD800',
    '\uDFFF',
    '\u202E',
    '\u0000',
    'e\u0301\u0301\u0301',
    '€'.repeat(80),
    '𝒜'.repeat(70),
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    '',
  ),
  fc.nat(2000).map((n) => 'x'.repeat(n)),
);

/** Values a stranger may put where a string or object is expected. */
const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 4, withBigInt: false }),
  oddText,
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER, -0, 0.1, Number('123456789012345678901234567890')),
  fc.nat(300).map((n) => ({ nested: JSON.parse('['.repeat(n + 1) + ']'.repeat(n + 1)) as unknown })),
);

/** JSON text built by hand, for what JSON.stringify cannot make (deep nesting, 400-digit numbers). */
const rawJson = fc.oneof(
  fc.integer({ min: 1, max: 6000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 3000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.nat(400).map((n) => '9'.repeat(n + 1)),
  fc.constantFrom('1e999999', '-1e-999999', 'NaN', '"\\ud800"', '"\\u0000"', 'null', 'true'),
);

const eventName = fc.oneof(
  fc.constantFrom(
    'pusher:subscribe',
    'pusher:unsubscribe',
    'pusher:signin',
    'pusher:ping',
    'pusher:pong',
    'pusher_internal:member_added',
    'client-x',
    'client-',
  ),
  oddText,
);

const channelName = fc.oneof(
  fc.constantFrom('private-fuzz', 'presence-fuzz', 'public-fuzz', '#server-to-user-1', 'private-'),
  oddText,
  garbage,
);

/** Nesting deep enough to overflow a recursive JSON.stringify (the issue's crash was 5,000 levels). */
const deepJson = fc
  .tuple(fc.integer({ min: 1, max: 12_000 }), fc.boolean())
  .map(([n, array]) => (array ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '0' + '}'.repeat(n)));

/** One frame: valid-looking Pusher events with garbage inside, raw JSON, or not JSON at all. */
const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('pusher:subscribe', 'pusher:signin', 'client-x'),
      deepJson,
      fc.constantFrom('auth', 'data'),
    )
    .map(([event, json, where]) =>
      event === 'client-x'
        ? `{"event":"client-x","channel":"private-fuzz","data":${json}}`
        : `{"event":"${event}","data":{"channel":"private-fuzz","user_data":"{}","${where}":${json}}}`,
    ),
  fc
    .record({ event: eventName, channel: channelName, data: garbage }, { requiredKeys: ['event'] })
    .map((value) => JSON.stringify(value) ?? 'null'),
  fc
    .record({
      event: eventName,
      data: fc.record({ channel: channelName, auth: garbage, channel_data: garbage, user_data: garbage }),
    })
    .map((value) => JSON.stringify(value) ?? 'null'),
  fc
    .tuple(eventName, rawJson, fc.constantFrom('data', 'auth', 'channel_data', 'user_data'))
    .map(([event, json, where]) =>
      where === 'data'
        ? `{"event":${JSON.stringify(event)},"channel":"private-fuzz","data":${json}}`
        : `{"event":${JSON.stringify(event)},"data":{"channel":"private-fuzz","${where}":${json}}}`,
    ),
  rawJson,
  oddText,
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

/** channel_data signed with the app secret: garbage that passes the signature check reaches the parser. */
const channelData = fc.oneof(
  fc.record({ user_id: garbage, user_info: garbage }).map((value) => JSON.stringify(value) ?? 'null'),
  rawJson,
  oddText,
);

/** Percent-encodes every byte of the UTF-8 (lone surrogates become U+FFFD), so any text is a path segment. */
function encodeBytes(text: string): string {
  return [...Buffer.from(text)]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

function httpCall(
  port: number,
  method: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

describe('fuzz: the realtime server under generated hostile input', () => {
  let server: LiveServer;
  let batch = 0;
  before(async () => {
    server = await startLiveServer('attached', {
      limits: {
        connectionsPerAddress: 10_000,
        subscriptionFramesPerMinute: FRAMES_PER_MINUTE,
        subscriptionsPerConnection: 20,
        requestBodyTimeout: 300,
        requestBodyBytes: 8 * 1024,
      },
    });
  });
  after(async () => {
    await server.stop();
    console.log(`FUZZ-RESULT ${JSON.stringify({ suite: 'realtime', seed: SEED, scale: SCALE, ...tally })}`);
  });

  /** The check after every batch: the process lives and a fresh client gets an event. */
  async function stillServing(): Promise<void> {
    batch += 1;
    if (!server.alive()) {
      tally.deaths += 1;
      assert.fail(`the server process died:\n${server.output()}`);
    }
    await servesFreshClient(server.port, `fuzz-${batch}`);
  }

  async function check<T>(
    name: string,
    arbitrary: fc.Arbitrary<T>,
    numRuns: number,
    run: (value: T) => Promise<void>,
  ): Promise<void> {
    try {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (value) => {
          tally.cases += 1;
          await run(value);
          await stillServing();
        }),
        { seed: SEED, numRuns, endOnFailure: true },
      );
    } catch (error) {
      tally.failures += 1;
      throw error;
    }
    assert.doesNotMatch(server.output(), /Uncaught|RangeError|Maximum call stack/, name);
  }

  it('should survive generated WebSocket frames, signed subscriptions included', async () => {
    const batchOf = fc.record({
      channelData: fc.option(channelData, { nil: undefined }),
      frames: fc.array(frame, { minLength: 1, maxLength: 6 }),
    });
    await check('frames', batchOf, runs(100), async ({ channelData: data, frames }) => {
      const raw = openRaw(server.port);
      const socketId = await raw.socketId();
      raw.send({
        event: 'pusher:subscribe',
        data: { channel: 'private-fuzz', auth: channelAuth(socketId, 'private-fuzz') },
      });
      if (data !== undefined) {
        raw.send({
          event: 'pusher:subscribe',
          data: {
            channel: 'presence-fuzz',
            auth: channelAuth(socketId, 'presence-fuzz', data),
            channel_data: data,
          },
        });
      }
      for (const payload of frames) raw.ws.send(payload);
      // a ping answered after the batch means every frame before it was handled
      raw.send({ event: 'pusher:ping', data: {} });
      await Promise.race([raw.next((f) => f.event === 'pusher:pong'), raw.closed]);
      raw.ws.terminate();
    });
  });

  it('should survive generated handshake request lines and headers, with and without a TCP reset', async () => {
    const header = fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'X-Forwarded-For',
          'Sec-WebSocket-Protocol',
          'Sec-WebSocket-Extensions',
          'Origin',
          'Cookie',
        ),
        fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 20 }),
      ),
      fc.oneof(oddText, fc.string({ unit: 'binary-ascii', maxLength: 200 })),
    );
    const handshake = fc.record({
      path: fc.oneof(
        fc.constantFrom(
          '//[',
          '/',
          '/whatsup/config',
          '/app/app-key',
          '/app/',
          '/app/app-key/extra',
          '*',
          '/%',
          '/app/%ff',
        ),
        fc
          .tuple(fc.constantFrom('/app/app-key?protocol=', '/app/?', '/?'), oddText)
          .map(([a, b]) => a + encodeBytes(b)),
        fc
          .tuple(fc.nat(60), fc.constantFrom('€', 'é', '𝒜', 'x'))
          .map(([n, character]) => `/app/app-key?protocol=${encodeBytes(character.repeat(n))}`),
        fc.string({ unit: 'binary-ascii', maxLength: 60 }),
        oddText,
      ),
      version: fc.constantFrom('13', '8', '', 'x'),
      headers: fc.array(header, { maxLength: 4 }),
      reset: fc.boolean(),
    });
    await check(
      'handshakes',
      fc.array(handshake, { minLength: 1, maxLength: 5 }),
      runs(80),
      async (requests) => {
        await Promise.all(
          requests.map(({ path, version, headers, reset }) =>
            rawRequest(
              server.port,
              `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
                `Sec-WebSocket-Version: ${version}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
                headers.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
                '\r\n',
              { reset },
            ),
          ),
        );
      },
    );
  });

  it('should answer generated HTTP API requests, signed and unsigned, with a status and never a crash', async () => {
    const call = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
      segments: fc.array(
        fc.oneof(
          fc.constantFrom(
            'events',
            'batch_events',
            'channels',
            'users',
            'terminate_connections',
            'presence-fuzz',
          ),
          oddText,
        ),
        { maxLength: 4 },
      ),
      query: fc.dictionary(
        fc.constantFrom('info', 'filter_by_prefix', 'auth_timestamp', 'body_md5', 'x'),
        oddText,
        {
          maxKeys: 3,
        },
      ),
      body: fc.oneof(
        fc
          .record({ name: garbage, channels: garbage, data: garbage, socket_id: garbage, batch: garbage })
          .map((value) => JSON.stringify(value) ?? ''),
        rawJson,
        oddText,
      ),
      sign: fc.boolean(),
      contentType: fc.constantFrom('application/json', 'text/plain', ''),
    });
    await check('http', fc.array(call, { minLength: 1, maxLength: 5 }), runs(80), async (calls) => {
      for (const { method, segments, query, body, sign, contentType } of calls) {
        const path = `/apps/${APP.appId}/${segments.map(encodeBytes).join('/')}`;
        const params: Record<string, string> = {};
        for (const [name, value] of Object.entries(query)) params[name] = encodeBytes(value);
        if (sign) {
          Object.assign(params, {
            auth_key: APP.key,
            auth_timestamp: String(Math.floor(Date.now() / 1000)),
            auth_version: '1.0',
          });
          if (body !== '') params.body_md5 = createHash('md5').update(body).digest('hex');
        }
        const queryText = Object.keys(params)
          .sort()
          .map((name) => `${name}=${params[name]}`)
          .join('&');
        const signature = createHmac('sha256', APP.secret)
          .update([method, path, queryText].join('\n'))
          .digest('hex');
        const status = await httpCall(
          server.port,
          method,
          `${path}?${queryText}${sign ? `&auth_signature=${signature}` : ''}`,
          method === 'GET' ? '' : body,
          contentType === '' ? {} : { 'content-type': contentType },
        );
        assert.ok(status >= 200 && status < 500, `${method} ${path} answered ${status}`);
      }
    });
  });
  it("should bound the member frames one connection's subscribe and unsubscribe frames cause", async () => {
    const step = fc.oneof(
      fc.constant({ kind: 'join' as const }),
      fc.constant({ kind: 'leave' as const }),
      fc.record({ kind: fc.constant('public' as const), channel: fc.constantFrom('pub-a', 'pub-b') }),
      fc.record({ kind: fc.constant('garbage' as const), data: garbage }),
    );
    let round = 0;
    await check(
      'subscription frames',
      fc.array(step, { minLength: 1, maxLength: 120 }),
      runs(25),
      async (steps) => {
        round += 1;
        const channel = `presence-rate-${round}`;
        const observer = openRaw(server.port);
        const observerId = await observer.socketId();
        const observerData = JSON.stringify({ user_id: 'observer' });
        observer.send({
          event: 'pusher:subscribe',
          data: { channel, auth: channelAuth(observerId, channel, observerData), channel_data: observerData },
        });
        await observer.next((f) => f.event === 'pusher_internal:subscription_succeeded');
        const flapper = openRaw(server.port);
        const socketId = await flapper.socketId();
        const data = JSON.stringify({ user_id: 'flapper', user_info: { n: round } });
        const join = { channel, auth: channelAuth(socketId, channel, data), channel_data: data };
        for (const item of steps) {
          if (item.kind === 'join') flapper.send({ event: 'pusher:subscribe', data: join });
          else if (item.kind === 'leave') flapper.send({ event: 'pusher:unsubscribe', data: { channel } });
          else if (item.kind === 'public')
            flapper.send({ event: 'pusher:subscribe', data: { channel: item.channel } });
          else flapper.send({ event: 'pusher:subscribe', data: item.data });
        }
        flapper.send({ event: 'pusher:ping', data: {} });
        const outcome = await Promise.race([
          flapper.next((f) => f.event === 'pusher:pong').then(() => 'open' as const),
          flapper.closed.then(({ code }) => code),
        ]);
        // every step is one subscribe or unsubscribe frame
        if (steps.length > FRAMES_PER_MINUTE) assert.equal(outcome, 4102, `${steps.length} frames`);
        else assert.equal(outcome, 'open', `${steps.length} frames`);
        flapper.ws.terminate();
        await flapper.closed;
        const marker = `marker-${round}`;
        await new Promise<void>((resolve, reject) => {
          const body = JSON.stringify({ name: marker, channels: [channel], data: '{}' });
          signedCall(server.port, 'POST', `/apps/${APP.appId}/events`, body).then((status) =>
            status === 200 ? resolve() : reject(new Error(`marker: ${status}`)),
          );
        });
        await observer.next((f) => f.event === marker);
        const memberFrames = observer.frames.filter((f) =>
          f.event.startsWith('pusher_internal:member'),
        ).length;
        // at most one member frame per counted frame, and the last leave when it is cut or goes
        assert.ok(
          memberFrames <= FRAMES_PER_MINUTE + 1,
          `${memberFrames} member frames for ${steps.length} steps`,
        );
        observer.ws.terminate();
      },
    );
  });

  it('should answer any body, declared or streamed, short, long or stalled, with a status', async () => {
    const body = fc.record({
      sign: fc.boolean(),
      declared: fc.oneof(
        fc.constant(undefined),
        fc.nat(16 * 1024),
        fc.constantFrom(0, 8 * 1024 + 1, 10 * 1024 ** 3),
      ),
      chunked: fc.boolean(),
      sent: fc.nat(20 * 1024),
      stall: fc.boolean(),
      route: fc.constantFrom('events', 'batch_events', 'channels'),
    });
    await check('bodies', fc.array(body, { minLength: 1, maxLength: 4 }), runs(40), async (requests) => {
      await Promise.all(
        requests.map(async ({ sign, declared, chunked, sent, stall, route }) => {
          const payload = 'x'.repeat(sent);
          const path = `/apps/${APP.appId}/${route}`;
          const query = sign ? signedQueryFor('POST', path, payload) : '';
          const headers = [
            `POST ${path}${query} HTTP/1.1`,
            'Host: 127.0.0.1',
            'Content-Type: application/json',
            ...(chunked ? ['Transfer-Encoding: chunked'] : []),
            ...(declared === undefined || chunked ? [] : [`Content-Length: ${declared}`]),
          ];
          const framed = chunked
            ? `${sent.toString(16)}\r\n${payload}\r\n${stall ? '' : '0\r\n\r\n'}`
            : payload;
          const answer = await rawHttp(server.port, `${headers.join('\r\n')}\r\n\r\n${framed}`, !stall);
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
          assert.ok(
            [200, 400, 401, 404, 405, 408, 413, 429].includes(status),
            `answered ${JSON.stringify(answer.slice(0, 40))} to ${JSON.stringify({ sign, declared, chunked, sent, stall, route })}`,
          );
        }),
      );
    });
  });
});

/** `?auth_…&auth_signature=…` as the pusher library signs a request with this body. */
function signedQueryFor(method: string, path: string, body: string): string {
  const params: Record<string, string> = {
    auth_key: APP.key,
    auth_timestamp: String(Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    ...(body === '' ? {} : { body_md5: createHash('md5').update(body).digest('hex') }),
  };
  const query = Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
  const signature = createHmac('sha256', APP.secret).update([method, path, query].join('\n')).digest('hex');
  return `?${query}&auth_signature=${signature}`;
}

function signedCall(port: number, method: string, path: string, body: string): Promise<number> {
  return httpCall(port, method, `${path}${signedQueryFor(method, path, body)}`, body, {
    'content-type': 'application/json',
  });
}

/**
 * Writes raw bytes and resolves with what came back once the server answered or closed; `end` ends
 * the request side, otherwise the client stalls (the server must answer anyway: a 408 at the latest).
 */
function rawHttp(port: number, request: string, end: boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = (): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const head = answer.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(answer)?.[1] ?? 0);
      if (head !== -1 && answer.length >= head + 4 + length) done();
    });
    if (end) socket.end(request);
    else socket.write(request);
  });
}
