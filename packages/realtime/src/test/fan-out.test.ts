// The fan-out and presence hot paths: frames built once and written as the same bytes to every
// socket (all three WebSocket length forms), the cached presence snapshot staying right through
// joins, tabs and leaves, and a reader too far behind dropped with 4101.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { createRealtimeServer, type RealtimeServer } from '../index.js';
import { APP } from './support/pusher.js';
import { channelAuth, closeRawSockets, handSocket, openRaw, type RawSocket } from './support/raw.js';

type Client = RawSocket & { id: string };

async function client(port: number): Promise<Client> {
  const raw = openRaw(port, `/app/${APP.key}?protocol=7`);
  return Object.assign(raw, { id: await raw.socketId() });
}

function subscribe(c: Client, channel: string, userId?: string, info?: unknown): void {
  if (userId === undefined) {
    c.ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel } }));
    return;
  }
  const channelData = JSON.stringify({ user_id: userId, user_info: info });
  const auth = channelAuth(c.id, channel, channelData);
  c.ws.send(
    JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth, channel_data: channelData } }),
  );
}

async function joined(
  c: Client,
  channel: string,
): Promise<{ ids: string[]; hash: Record<string, unknown>; count: number }> {
  const frame = await c.next(
    (f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel,
  );
  return (
    JSON.parse(frame.data as string) as {
      presence: { ids: string[]; hash: Record<string, unknown>; count: number };
    }
  ).presence;
}

describe('fan-out and presence hot paths', () => {
  let server: RealtimeServer;
  before(async () => {
    server = createRealtimeServer({ ...APP, port: 0, limits: { userInfoBytes: 2048 } });
    await server.ready;
  });
  after(async () => {
    closeRawSockets();
    await server.close();
  });

  describe('when one event goes to many subscribers', () => {
    it('should deliver the same frame to each, for short, 16-bit and multi-byte payloads', async () => {
      const subscribers = await Promise.all([1, 2, 3].map(() => client(server.port)));
      for (const s of subscribers) {
        subscribe(s, 'room');
        await s.next((f) => f.event === 'pusher_internal:subscription_succeeded');
      }
      const payloads = ['hi', 'x'.repeat(125), 'y'.repeat(126), 'é'.repeat(4000), '😀<script>'.repeat(800)];
      for (const payload of payloads) {
        await server.trigger('room', 'said', payload, { socket_id: subscribers[0]?.id });
        for (const s of subscribers.slice(1)) {
          const frame = await s.next((f) => f.event === 'said');
          assert.deepEqual(frame, { event: 'said', channel: 'room', data: payload });
        }
      }
      // the sender was excluded from every one
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(subscribers[0]?.frames.filter((f) => f.event === 'said').length, 0);
    });
  });

  describe('when a presence channel changes', () => {
    it('should give each joiner the members as they are, through joins, second tabs and leaves', async () => {
      const channel = 'presence-cache';
      const ann = await client(server.port);
      subscribe(ann, channel, 'ann', { name: 'Ann <b>' });
      assert.deepEqual(await joined(ann, channel), {
        ids: ['ann'],
        hash: { ann: { name: 'Ann <b>' } },
        count: 1,
      });

      const proto = await client(server.port);
      subscribe(proto, channel, '__proto__', null);
      const both = await joined(proto, channel);
      assert.deepEqual(both.ids, ['ann', '__proto__']);
      assert.equal(both.count, 2);
      assert.ok(Object.hasOwn(both.hash, '__proto__'));

      // a second tab of ann: same members, and the first tab's info wins
      const annTab = await client(server.port);
      subscribe(annTab, channel, 'ann', { name: 'other' });
      const again = await joined(annTab, channel);
      assert.deepEqual(again.ids, ['ann', '__proto__']);
      assert.deepEqual(again.hash.ann, { name: 'Ann <b>' });

      // ann's first tab leaves: still a member; then the second: gone
      ann.ws.close();
      await ann.closed;
      const afterOneTab = await client(server.port);
      subscribe(afterOneTab, channel, 'bob', 1);
      assert.deepEqual((await joined(afterOneTab, channel)).ids, ['ann', '__proto__', 'bob']);
      annTab.ws.close();
      await proto.next((f) => f.event === 'pusher_internal:member_removed');
      const last = await client(server.port);
      subscribe(last, channel, 'cy', 'x');
      const members = await joined(last, channel);
      assert.deepEqual(members.ids, ['__proto__', 'bob', 'cy']);
      assert.deepEqual(Object.entries(members.hash), [
        ['__proto__', null],
        ['bob', 1],
        ['cy', 'x'],
      ]);
      assert.equal(members.count, 3);
      assert.deepEqual(await server.channelUsers(channel), ['__proto__', 'bob', 'cy']);
    });

    it('should frame a members hash over 64 kB (the 64-bit length form)', async () => {
      const channel = 'presence-big';
      const info = { bio: 'z'.repeat(1900) };
      for (let i = 0; i < 40; i++) {
        const c = await client(server.port);
        subscribe(c, channel, `member-${i}`, info);
        await joined(c, channel);
      }
      const late = await client(server.port);
      subscribe(late, channel, 'late', info);
      const members = await joined(late, channel);
      assert.equal(members.count, 41);
      assert.deepEqual(members.hash['member-39'], info);
    });
  });

  describe('when a user is terminated', () => {
    it('should find their presence sockets in every channel without touching others', async () => {
      const a = await client(server.port);
      subscribe(a, 'presence-t1', 'dee', null);
      await joined(a, 'presence-t1');
      subscribe(a, 'presence-t2', 'dee', null);
      await joined(a, 'presence-t2');
      const b = await client(server.port);
      subscribe(b, 'presence-t2', 'dee', null);
      await joined(b, 'presence-t2');
      const other = await client(server.port);
      subscribe(other, 'presence-t1', 'eve', null);
      await joined(other, 'presence-t1');
      // a left one channel: still a member of the other, so still found
      a.ws.send(JSON.stringify({ event: 'pusher:unsubscribe', data: { channel: 'presence-t2' } }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await server.terminateUserConnections('dee');
      assert.equal((await a.closed).code, 4009);
      assert.equal((await b.closed).code, 4009);
      assert.equal(other.ws.readyState, WebSocket.OPEN);
      assert.deepEqual(await server.channelUsers('presence-t1'), ['eve']);
    });
  });

  describe('when a reader falls more than limits.sendBufferBytes behind', () => {
    it('should stop queueing for it and cut it, reporting 4101', async () => {
      const dropped: number[] = [];
      server.on('disconnection', ({ code }) => dropped.push(code));
      // a client that stops reading: the kernel buffers fill, then the server's queue grows
      const slow = await handSocket(server.port, `/app/${APP.key}?protocol=7`);
      try {
        const established = await slow.next((f) => f.event === 'pusher:connection_established');
        assert.ok(established);
        slow.sendText(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'flood' } }));
        await slow.next((f) => f.event === 'pusher_internal:subscription_succeeded');
        slow.socket.pause();
        const data = 'f'.repeat(10_000);
        for (let i = 0; i < 3000; i++) {
          await server.trigger('flood', 'bulk', data);
          if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        slow.socket.resume();
        // cut without a close handshake (it would queue behind the backlog)
        await slow.closed;
        assert.ok(dropped.includes(4101), `the server reports 4101 (got ${dropped.join(', ')})`);
        const received = slow.frames().filter((f) => f.event === 'bulk').length;
        assert.ok(received < 3000, `the backlog was bounded (${received} of 3000 delivered)`);
      } finally {
        slow.destroy();
      }
    });
  });
});
