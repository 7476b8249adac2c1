// Caps on what one connection and one client address may hold, with Pusher-style refusals.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import PusherJs from 'pusher-js';
import type { Channel } from 'pusher-js';
import { WebSocket } from 'ws';
import { createRealtimeServer, DEFAULT_LIMITS, type RealtimeServer } from '../index.js';
import { APP } from './support/pusher.js';
import { openRaw } from './support/raw.js';

const Pusher = PusherJs as unknown as typeof PusherJs.default;

function outcome(channel: Channel): Promise<'ok' | { type: string; status: number; error: string }> {
  return new Promise((resolve) => {
    channel.bind('pusher:subscription_succeeded', () => resolve('ok'));
    channel.bind('pusher:subscription_error', (error: { type: string; status: number; error: string }) =>
      resolve(error),
    );
  });
}

/** Opens a raw socket with these headers and resolves with its close code, or 'open' once established. */
function attempt(
  port: number,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; result: number | 'open' }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${APP.key}?protocol=7`, { headers });
    ws.on('error', () => {});
    ws.on('message', (data) => {
      if (data.toString().includes('connection_established')) resolve({ ws, result: 'open' });
    });
    ws.on('close', (code) => resolve({ ws, result: code }));
  });
}

describe('limits.subscriptionsPerConnection', () => {
  let server: RealtimeServer;
  before(async () => {
    server = createRealtimeServer({ ...APP, port: 0, limits: { subscriptionsPerConnection: 3 } });
    await server.ready;
  });
  after(() => server.close());

  it('should default to 100', () => {
    assert.equal(DEFAULT_LIMITS.subscriptionsPerConnection, 100);
  });

  describe('when a connection subscribes past the limit', () => {
    it('should refuse the extra channel with LimitReached 4100 and accept it once a slot is free', async () => {
      const client = new Pusher(APP.key, {
        cluster: 'local',
        wsHost: '127.0.0.1',
        wsPort: server.port,
        forceTLS: false,
        enabledTransports: ['ws'],
      });
      try {
        const results = await Promise.all(
          ['a', 'b', 'c', 'd'].map((name) => outcome(client.subscribe(name))),
        );
        assert.deepEqual(results.slice(0, 3), ['ok', 'ok', 'ok']);
        const refused = results[3] as { type: string; status: number; error: string };
        assert.equal(refused.type, 'LimitReached');
        assert.equal(refused.status, 4100);
        assert.match(refused.error, /maximum subscriptions per connection limit \(3\)/);
        assert.equal(server.channelInfo('d').occupied, false);
        client.unsubscribe('a');
        // pusher-js keeps a refused channel pending, so the freed slot is taken by another name
        assert.equal(await outcome(client.subscribe('e')), 'ok');
      } finally {
        client.disconnect();
      }
    });

    it('should count a repeated subscription to the same channel once', async () => {
      const raw = openRaw(server.port);
      await raw.socketId();
      for (let i = 0; i < 10; i += 1) {
        raw.send({ event: 'pusher:subscribe', data: { channel: 'same' } });
        await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
      }
      raw.ws.close();
    });
  });
});

describe('limits.connectionsPerAddress', () => {
  it('should default to 1000 (an office behind one NAT address has many tabs)', () => {
    assert.equal(DEFAULT_LIMITS.connectionsPerAddress, 1000);
  });

  describe('when one address opens more connections than allowed', () => {
    let server: RealtimeServer;
    before(async () => {
      server = createRealtimeServer({ ...APP, port: 0, limits: { connectionsPerAddress: 2 } });
      await server.ready;
    });
    after(() => server.close());

    it('should close the extra one with pusher:error and close code 4100, and let one in after a leave', async () => {
      const first = await attempt(server.port);
      const second = await attempt(server.port);
      assert.equal(first.result, 'open');
      assert.equal(second.result, 'open');
      const raw = openRaw(server.port);
      const error = await raw.next((f) => f.event === 'pusher:error');
      assert.equal((error.data as { code: number }).code, 4100);
      assert.match((error.data as { message: string }).message, /limits\.connectionsPerAddress/);
      assert.equal((await raw.closed).code, 4100);
      first.ws.close();
      await new Promise((resolve) => first.ws.once('close', resolve));
      // the server counts the leave when its side of the close completes
      while (server.connectionCount > 1) await new Promise((resolve) => setTimeout(resolve, 10));
      const third = await attempt(server.port);
      assert.equal(third.result, 'open');
      second.ws.close();
      third.ws.close();
    });

    it('should ignore X-Forwarded-For unless trustProxy is set', async () => {
      while (server.connectionCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const held = await Promise.all([
        attempt(server.port, { 'x-forwarded-for': '10.0.0.1' }),
        attempt(server.port, { 'x-forwarded-for': '10.0.0.2' }),
      ]);
      assert.deepEqual(
        held.map(({ result }) => result),
        ['open', 'open'],
      );
      const spoofed = await attempt(server.port, { 'x-forwarded-for': '10.0.0.3' });
      assert.equal(spoofed.result, 4100);
      for (const { ws } of held) ws.close();
    });
  });

  describe('when trustProxy is set', () => {
    it('should count by the first X-Forwarded-For entry with true', async () => {
      const server = createRealtimeServer({
        ...APP,
        port: 0,
        trustProxy: true,
        limits: { connectionsPerAddress: 1 },
      });
      await server.ready;
      try {
        const a = await attempt(server.port, { 'x-forwarded-for': '10.0.0.1, 172.16.0.1' });
        const b = await attempt(server.port, { 'x-forwarded-for': '10.0.0.2, 172.16.0.1' });
        const again = await attempt(server.port, { 'x-forwarded-for': '10.0.0.1, 172.16.0.9' });
        assert.deepEqual([a.result, b.result, again.result], ['open', 'open', 4100]);
      } finally {
        await server.close();
      }
    });

    it('should count by the entry the trusted proxy saw with a hop count', async () => {
      const server = createRealtimeServer({
        ...APP,
        port: 0,
        trustProxy: 1,
        limits: { connectionsPerAddress: 1 },
      });
      await server.ready;
      try {
        // one proxy: only its (rightmost) entry is trusted; what the client wrote to the left is not
        const a = await attempt(server.port, { 'x-forwarded-for': 'forged-1, 10.0.0.1' });
        const b = await attempt(server.port, { 'x-forwarded-for': 'forged-2, 10.0.0.1' });
        const c = await attempt(server.port, { 'x-forwarded-for': 'forged-1, 10.0.0.2' });
        assert.deepEqual([a.result, b.result, c.result], ['open', 4100, 'open']);
      } finally {
        await server.close();
      }
    });
  });
});

describe('limits.sendBufferBytes', () => {
  it('should default to 1 MiB', () => {
    assert.equal(DEFAULT_LIMITS.sendBufferBytes, 1024 * 1024);
  });

  describe('when a client stops reading while events keep coming', () => {
    it('should cut it and report 4101, while a reading client keeps getting every event', async () => {
      const server = createRealtimeServer({ ...APP, port: 0, limits: { sendBufferBytes: 64 * 1024 } });
      await server.ready;
      try {
        const codes: number[] = [];
        server.on('disconnection', ({ code }) => codes.push(code));
        const stalled = openRaw(server.port);
        const reader = openRaw(server.port);
        await Promise.all([stalled.socketId(), reader.socketId()]);
        for (const raw of [stalled, reader]) {
          raw.send({ event: 'pusher:subscribe', data: { channel: 'flood' } });
          await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
        }
        // from here the stalled client reads nothing: kernel buffers fill, then the server's
        stalled.ws.pause();
        let received = 0;
        reader.ws.on('message', () => (received += 1));
        const data = 'x'.repeat(9000);
        let sent = 0;
        while (server.connectionCount === 2 && sent < 20_000) {
          await server.trigger('flood', 'e', data);
          sent += 1;
          if (sent % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        assert.equal(server.connectionCount, 1, `still two connections after ${sent} events`);
        assert.deepEqual(codes, [4101]);
        while (received < sent) await new Promise((resolve) => setTimeout(resolve, 10));
        assert.equal(received, sent);
        reader.ws.close();
      } finally {
        await server.close();
      }
    });
  });
});

describe('trustProxy option', () => {
  it('should refuse anything but a boolean or a hop count', () => {
    for (const bad of ['yes', -1, 1.5, {}]) {
      assert.throws(
        () => createRealtimeServer({ ...APP, port: 0, trustProxy: bad as never }),
        /trustProxy option must be a boolean or a number of proxies/,
      );
    }
  });

  it('should refuse non-positive caps', () => {
    assert.throws(
      () => createRealtimeServer({ ...APP, port: 0, limits: { connectionsPerAddress: 0 } }),
      /limits\.connectionsPerAddress option must be a positive number/,
    );
    assert.throws(
      () => createRealtimeServer({ ...APP, port: 0, limits: { subscriptionsPerConnection: -3 } }),
      /limits\.subscriptionsPerConnection option must be a positive number/,
    );
  });
});
