// The embedded server's own options and limits, which soketi has no equivalent of (or not per server):
// ping timers, the path and protocol checks, limits, and client-event settings.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP,
  connect,
  next,
  restClient,
  subscribed,
  subscribedPresence,
  subscriptionError,
} from './support/pusher.js';
import { openRaw, type Frame, type RawSocket } from './support/raw.js';
import { delay, unique } from './support/net.js';
import { cleanup, startEmbedded } from './support/targets.js';

describe('embedded server options', () => {
  afterEach(cleanup);

  describe('pingInterval and pongTimeout options (embedded only: soketi has no configurable ping timers)', () => {
    it('should drop a socket that never answers pings and remove its presence member', async () => {
      const target = await startEmbedded({ pingInterval: 150, pongTimeout: 150 });
      try {
        const name = `presence-${unique()}`;
        const watcher = await subscribedPresence(connect(target.port, { userId: 'watcher' }), name);
        const ghost = await openRaw(target.port, undefined, { autoPong: false });
        const socketId = await ghost.socketId();
        const auth = restClient(target.port).authorizeChannel(socketId, name, {
          user_id: 'ghost',
          user_info: {},
        });
        const added = next(watcher.channel, 'pusher:member_added');
        ghost.send({ event: 'pusher:subscribe', data: { ...auth, channel: name } });
        await added;
        const removed = next<{ id: string }>(watcher.channel, 'pusher:member_removed', 5000);
        assert.equal((await removed).id, 'ghost');
        await ghost.closed;
        // pusher-js answers pings (the ws library does) and stays connected
        await delay(500);
        assert.equal(watcher.client.connection.state, 'connected');
      } finally {
        // clients first: pusher-js leaks its retry timers when disconnected while reconnecting
        await cleanup();
        await target.stop();
      }
    });
  });

  describe('path option and close codes (embedded only: soketi has no 4005/4007 checks)', () => {
    it('should close a wrong path with 4005 and an unsupported protocol with 4007', async () => {
      const target = await startEmbedded();
      try {
        assert.equal((await (await openRaw(target.port, '/socket.io/?EIO=4')).closed).code, 4005);
        assert.equal((await (await openRaw(target.port, `/app/${APP.key}?protocol=5`)).closed).code, 4007);
        assert.equal(
          (await (await openRaw(target.port, `/app/${APP.key}?protocol=seven`)).closed).code,
          4006,
        );
      } finally {
        // clients first: pusher-js leaks its retry timers when disconnected while reconnecting
        await cleanup();
        await target.stop();
      }
    });
  });

  describe('limits option (embedded only: set per server)', () => {
    it('should close a frame over maxPayload with 1009 and keep serving others', async () => {
      const target = await startEmbedded({ limits: { maxPayload: 1024 } });
      try {
        const raw = await openRaw(target.port);
        await raw.socketId();
        raw.send(JSON.stringify({ event: 'pusher:ping', data: { pad: 'x'.repeat(4096) } }));
        assert.equal((await raw.closed).code, 1009);
        await subscribed(connect(target.port), 'still-fine');
      } finally {
        // clients first: pusher-js leaks its retry timers when disconnected while reconnecting
        await cleanup();
        await target.stop();
      }
    });

    it('should refuse a new member over presenceMembers but let a present user open another tab', async () => {
      const target = await startEmbedded({ limits: { presenceMembers: 2 } });
      try {
        const name = `presence-${unique()}`;
        await subscribedPresence(connect(target.port, { userId: 'a' }), name);
        await subscribedPresence(connect(target.port, { userId: 'b' }), name);
        const error = await subscriptionError(connect(target.port, { userId: 'c' }), name);
        assert.equal(error.status, 4100);
        assert.equal(error.type, 'LimitReached');
        await subscribedPresence(connect(target.port, { userId: 'a' }), name);
      } finally {
        // clients first: pusher-js leaks its retry timers when disconnected while reconnecting
        await cleanup();
        await target.stop();
      }
    });

    it('should refuse user_info over userInfoBytes and a user_id over userIdLength', async () => {
      const target = await startEmbedded();
      try {
        const big = await subscriptionError(
          connect(target.port, { userId: 'a', userInfo: { bio: 'x'.repeat(2000) } }),
          `presence-${unique()}`,
        );
        assert.equal(big.type, 'LimitReached');
        const long = await subscriptionError(
          connect(target.port, { userId: 'u'.repeat(129) }),
          `presence-${unique()}`,
        );
        assert.equal(long.type, 'LimitReached');
      } finally {
        // clients first: pusher-js leaks its retry timers when disconnected while reconnecting
        await cleanup();
        await target.stop();
      }
    });

    it('should close connections over maxConnections with 4100', async () => {
      const target = await startEmbedded({ limits: { maxConnections: 2 } });
      try {
        await (await openRaw(target.port)).socketId();
        await (await openRaw(target.port)).socketId();
        const third = await openRaw(target.port);
        const error = await third.next((f) => f.event === 'pusher:error');
        assert.equal((error.data as { code: number }).code, 4100);
        assert.equal((await third.closed).code, 4100);
      } finally {
        // clients first: pusher-js leaks its retry timers when disconnected while reconnecting
        await cleanup();
        await target.stop();
      }
    });
  });

  describe('clientEvents option (embedded only)', () => {
    it('should refuse client events with 4301 when false', async () => {
      const target = await startEmbedded({ clientEvents: false });
      try {
        const sender = connect(target.port);
        const channel = await subscribed(sender, `private-${unique()}`);
        const error = next<{ code: number }>(sender, 'pusher:error');
        channel.trigger('client-x', {});
        assert.equal((await error).code, 4301);
      } finally {
        // clients first: pusher-js leaks its retry timers when disconnected while reconnecting
        await cleanup();
        await target.stop();
      }
    });
  });

  describe('client-event refusals (embedded only: soketi drops most silently)', () => {
    it('should name the channel in every client-event refusal', async () => {
      const target = await startEmbedded({ limits: { eventDataBytes: 100 } });
      const disabled = await startEmbedded({ clientEvents: false });
      try {
        const refusals: Array<[RawSocket, Frame, RegExp]> = [];
        const privateName = `private-${unique()}`;
        const raw = await openRaw(target.port);
        const auth = restClient(target.port).authorizeChannel(await raw.socketId(), privateName);
        raw.send({ event: 'pusher:subscribe', data: { ...auth, channel: privateName } });
        await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
        const publicName = `public-${unique()}`;
        raw.send({ event: 'pusher:subscribe', data: { channel: publicName } });
        await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
        refusals.push(
          [raw, { event: 'client-x', channel: publicName, data: {} }, /private and presence/],
          [raw, { event: 'client-x', channel: `private-${unique()}`, data: {} }, /must be subscribed/],
          [raw, { event: `client-${'x'.repeat(200)}`, channel: privateName, data: {} }, /longer/],
          [raw, { event: 'client-x', channel: privateName, data: { big: 'x'.repeat(200) } }, /larger/],
        );
        const off = await openRaw(disabled.port);
        const offAuth = restClient(disabled.port).authorizeChannel(await off.socketId(), privateName);
        off.send({ event: 'pusher:subscribe', data: { ...offAuth, channel: privateName } });
        await off.next((f) => f.event === 'pusher_internal:subscription_succeeded');
        refusals.push([off, { event: 'client-x', channel: privateName, data: {} }, /not enabled/]);
        for (const [socket, frame, message] of refusals) {
          socket.send(frame);
          const error = await socket.next((f) => f.event === 'pusher:error');
          assert.equal(error.channel, frame.channel, `channel on ${JSON.stringify(error)}`);
          assert.match((error.data as { message: string }).message, message);
        }
        // the rate limit too
        for (let i = 0; i < 11; i += 1) raw.send({ event: 'client-x', channel: privateName, data: {} });
        const limited = await raw.next((f) => f.event === 'pusher:error');
        assert.equal(limited.channel, privateName);
        assert.equal((limited.data as { code: number }).code, 4301);
      } finally {
        await cleanup();
        await target.stop();
        await disabled.stop();
      }
    });
  });
});
