// What the server keeps per connection, made smaller for issue 15 (memory per connection): the first
// subscription kept without a Map, liveness read from the socket's byte count instead of a 'pong'
// listener, no listener of ours left on the upgraded socket. Each is checked by its behaviour.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { createRealtimeServer, type RealtimeServer } from '../index.js';
import { APP } from './support/pusher.js';
import { openRaw, type RawSocket } from './support/raw.js';
import { waitFor } from './support/net.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('subscriptions of one connection', () => {
  describe('when it subscribes to several channels and leaves some', () => {
    it('should deliver to the channels it is in and count each subscription once', async () => {
      const realtime = await listening();
      const raw = connected(realtime.port);
      await raw.socketId();
      for (const channel of ['one', 'two', 'three']) await subscribe(raw, channel);
      // the first subscription (kept apart from the rest) leaves, then comes back after the others
      raw.send({ event: 'pusher:unsubscribe', data: { channel: 'one' } });
      await subscribe(raw, 'two'); // a second subscribe to the same channel changes nothing
      assert.deepEqual(counts(realtime, ['one', 'two', 'three']), [0, 1, 1]);
      await realtime.trigger(['one', 'two', 'three'], 'ev', 'x');
      const got = [await raw.next(isEv), await raw.next(isEv)].map((f) => f.channel).sort();
      assert.deepEqual(got, ['three', 'two']);
      await subscribe(raw, 'one');
      raw.send({ event: 'pusher:unsubscribe', data: { channel: 'two' } });
      raw.send({ event: 'pusher:unsubscribe', data: { channel: 'three' } });
      await subscribe(raw, 'four');
      assert.deepEqual(counts(realtime, ['one', 'two', 'three', 'four']), [1, 0, 0, 1]);
      await realtime.trigger(['two', 'one'], 'ev', 'y');
      assert.equal((await raw.next(isEv)).channel, 'one');
      raw.ws.close();
      await raw.closed;
      await waitFor(() => realtime.channels().length === 0, 'realtime.channels().length === 0');
    });
  });

  describe('when the subscriptionsPerConnection limit is 2', () => {
    it('should refuse the third and take one again after a leave', async () => {
      const realtime = await listening({ limits: { subscriptionsPerConnection: 2 } });
      const raw = connected(realtime.port);
      await raw.socketId();
      await subscribe(raw, 'a');
      await subscribe(raw, 'b');
      raw.send({ event: 'pusher:subscribe', data: { channel: 'c' } });
      const refused = await raw.next((f) => f.event === 'pusher:subscription_error');
      assert.equal((refused.data as { status: number }).status, 4100);
      raw.send({ event: 'pusher:unsubscribe', data: { channel: 'a' } });
      await subscribe(raw, 'c');
      assert.deepEqual(counts(realtime, ['a', 'b', 'c']), [0, 1, 1]);
    });
  });
});

describe('liveness (pingInterval and pongTimeout)', () => {
  describe('when a client never answers pings but keeps sending frames', () => {
    it('should keep it: any bytes from the client are a sign of life', async () => {
      const realtime = await listening({ pingInterval: 200, pongTimeout: 200 });
      const ws = new WebSocket(
        `ws://127.0.0.1:${realtime.port}/app/${APP.key}?protocol=7&client=js&version=8.4.0`,
        { autoPong: false },
      );
      cleanups.push(() => ws.terminate());
      await once(ws, 'open');
      const talking = setInterval(() => ws.send('{"event":"pusher:ping","data":{}}'), 40);
      cleanups.push(() => clearInterval(talking));
      await new Promise((resolve) => setTimeout(resolve, 1200));
      assert.equal(ws.readyState, WebSocket.OPEN);
      assert.equal(realtime.connectionCount, 1);
    });
  });

  describe('when a client answers pings and sends nothing else', () => {
    it('should keep it open', async () => {
      const realtime = await listening({ pingInterval: 100, pongTimeout: 100 });
      const ws = new WebSocket(`ws://127.0.0.1:${realtime.port}/app/${APP.key}?protocol=7`);
      cleanups.push(() => ws.terminate());
      await once(ws, 'open');
      const pings = countPings(ws);
      await new Promise((resolve) => setTimeout(resolve, 800));
      assert.equal(ws.readyState, WebSocket.OPEN);
      assert.ok(pings() >= 2, `pinged ${pings()} times`);
    });
  });

  describe('when a client neither answers pings nor sends', () => {
    it('should drop it', async () => {
      const realtime = await listening({ pingInterval: 100, pongTimeout: 100 });
      const ws = new WebSocket(`ws://127.0.0.1:${realtime.port}/app/${APP.key}?protocol=7`, {
        autoPong: false,
      });
      cleanups.push(() => ws.terminate());
      const [code] = (await once(ws, 'close')) as [number];
      assert.equal(code, 1006, 'dropped without a close handshake');
      await waitFor(() => realtime.connectionCount === 0, 'realtime.connectionCount === 0');
    });
  });
});

describe('the upgraded socket', () => {
  it("should keep only ws's own 'error' listener once the handshake is done", async () => {
    const http = createServer();
    const sockets: Duplex[] = [];
    http.prependListener('upgrade', (_req: IncomingMessage, socket: Duplex) => sockets.push(socket));
    const realtime = createRealtimeServer({ ...APP, server: http });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanups.push(async () => {
      await realtime.close();
      http.close();
    });
    const raw = connected((http.address() as { port: number }).port);
    await raw.socketId();
    assert.equal(sockets.length, 1);
    assert.equal(sockets[0]!.listenerCount('error'), 1);
    // and a reset socket is still handled (no uncaught 'error'): the connection goes
    raw.ws.terminate();
    await waitFor(() => realtime.connectionCount === 0, 'realtime.connectionCount === 0');
  });
});

async function listening(options: Record<string, unknown> = {}): Promise<RealtimeServer> {
  const realtime = createRealtimeServer({ ...APP, port: 0, ...options });
  await realtime.ready;
  cleanups.push(() => realtime.close());
  return realtime;
}

function connected(port: number): RawSocket {
  const raw = openRaw(port);
  cleanups.push(() => raw.ws.terminate());
  return raw;
}

async function subscribe(raw: RawSocket, channel: string): Promise<void> {
  raw.send({ event: 'pusher:subscribe', data: { channel } });
  await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel);
}

function counts(realtime: RealtimeServer, channels: string[]): number[] {
  return channels.map((name) => realtime.channelInfo(name).subscriptionCount);
}

const isEv = (f: Record<string, unknown>): boolean => f.event === 'ev';

function countPings(ws: WebSocket): () => number {
  let pings = 0;
  ws.on('ping', () => (pings += 1));
  return () => pings;
}
