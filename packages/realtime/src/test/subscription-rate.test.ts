// limits.subscriptionFramesPerMinute: one connection flapping one presence authorization
// (unsubscribe, subscribe, …) must not make every member receive thousands of member frames.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode, createRealtimeServer, DEFAULT_LIMITS, type RealtimeServer } from '../index.js';
import { APP, connect, next, restClient, subscribed } from './support/pusher.js';
import { closeRawSockets, openRaw, presenceRaw, type RawSocket } from './support/raw.js';
import { unique } from './support/net.js';
import { cleanup } from './support/targets.js';

const MEMBER_FRAMES = new Set(['pusher_internal:member_added', 'pusher_internal:member_removed']);

/** Member frames an observer got on `channel`, counted once a marker published after them arrived. */
async function memberFrames(port: number, observer: RawSocket, channel: string): Promise<number> {
  const marker = `marker-${unique()}`;
  await restClient(port).trigger(channel, marker, {});
  await observer.next((f) => f.event === marker);
  return observer.frames.filter((f) => f.channel === channel && MEMBER_FRAMES.has(f.event)).length;
}

describe('limits.subscriptionFramesPerMinute', () => {
  let server: RealtimeServer;
  before(async () => {
    server = createRealtimeServer({ ...APP, port: 0 });
    await server.ready;
  });
  after(() => server.close());
  afterEach(() => {
    closeRawSockets();
  });

  it('should default to 120, room for subscriptionsPerConnection channels at once', () => {
    assert.equal(DEFAULT_LIMITS.subscriptionFramesPerMinute, 120);
    assert.ok(DEFAULT_LIMITS.subscriptionFramesPerMinute >= DEFAULT_LIMITS.subscriptionsPerConnection);
  });

  describe('when one connection reuses its authorization for 2,000 unsubscribe/subscribe pairs', () => {
    it('should close it with pusher:error and 4102, and bound what every observer receives', async () => {
      const channel = `presence-${unique()}`;
      const observers = await Promise.all(
        ['o1', 'o2', 'o3'].map((id) => presenceRaw(server.port, channel, id)),
      );
      const flapper = openRaw(server.port);
      const auth = restClient(server.port).authorizeChannel(await flapper.socketId(), channel, {
        user_id: 'flapper',
        user_info: { name: 'Flapper' },
      });
      const subscribe = { event: 'pusher:subscribe', data: { ...auth, channel } };
      const unsubscribe = { event: 'pusher:unsubscribe', data: { channel } };
      flapper.send(subscribe);
      await flapper.next((f) => f.event === 'pusher_internal:subscription_succeeded');
      for (let i = 0; i < 2000 && flapper.ws.readyState === flapper.ws.OPEN; i += 1) {
        flapper.send(unsubscribe);
        flapper.send(subscribe);
      }
      const error = await flapper.next((f) => f.event === 'pusher:error');
      assert.equal((error.data as { code: number }).code, CloseCode.SUBSCRIPTION_RATE);
      assert.match((error.data as { message: string }).message, /limits\.subscriptionFramesPerMinute/);
      assert.equal((await flapper.closed).code, 4102);
      for (const observer of observers) {
        const frames = await memberFrames(server.port, observer, channel);
        // its first join, then at most one frame per counted frame, and its final leave
        assert.ok(frames <= DEFAULT_LIMITS.subscriptionFramesPerMinute + 2, `${frames} member frames`);
      }
      assert.deepEqual(await server.channelUsers(channel), ['o1', 'o2', 'o3']);
    });
  });

  describe('when a connection subscribes to as many channels as it may hold', () => {
    it('should take them all, and unsubscribing them too', async () => {
      const raw = openRaw(server.port);
      await raw.socketId();
      const names = Array.from({ length: DEFAULT_LIMITS.subscriptionsPerConnection }, (_, i) => `c-${i}`);
      for (const channel of names) raw.send({ event: 'pusher:subscribe', data: { channel } });
      for (const channel of names)
        await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel);
      for (const channel of names.slice(0, 10)) raw.send({ event: 'pusher:unsubscribe', data: { channel } });
      raw.send({ event: 'pusher:ping', data: {} });
      await raw.next((f) => f.event === 'pusher:pong');
      assert.equal(raw.ws.readyState, raw.ws.OPEN);
      assert.equal(server.channelInfo('c-0').occupied, false);
      assert.equal(server.channelInfo('c-10').occupied, true);
    });
  });

  describe('when set lower', () => {
    it('should close the connection at its limit, and pusher-js should reconnect after a back-off', async () => {
      const small = createRealtimeServer({
        ...APP,
        port: 0,
        limits: { subscriptionFramesPerMinute: 4, subscriptionsPerConnection: 2 },
      });
      await small.ready;
      try {
        const client = connect(small.port);
        const channel = await subscribed(client, `public-${unique()}`);
        const firstId = client.connection.socket_id;
        const error = next<{ code: number }>(client, 'pusher:error');
        // a client stuck in a loop, on the same connection (pusher-js itself sends one subscribe per channel)
        for (let i = 0; i < 2; i += 1) {
          client.send_event('pusher:subscribe', { channel: 'flap' });
          client.send_event('pusher:unsubscribe', { channel: 'flap' });
        }
        assert.equal((await error).code, 4102);
        // 4100–4199: pusher-js backs off, reconnects on a new connection and subscribes again
        await next(channel, 'pusher:subscription_succeeded', 10_000);
        assert.notEqual(client.connection.socket_id, firstId);
      } finally {
        await cleanup();
        await small.close();
      }
    });

    it('should refuse a limit below subscriptionsPerConnection when the server is made', () => {
      assert.throws(
        () => createRealtimeServer({ ...APP, port: 0, limits: { subscriptionFramesPerMinute: 50 } }),
        /limits\.subscriptionFramesPerMinute \(50\) must be at least limits\.subscriptionsPerConnection \(100\)/,
      );
    });
  });
});
