// Conformance: the connection (handshake, socket ids, ping, garbage, churn).
// Run against the embedded server and against soketi (support/targets.ts) with the real pusher-js
// client and the real pusher server library.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, next, restClient, subscribed } from './support/pusher.js';
import { openRaw } from './support/raw.js';
import { unique, waitFor } from './support/net.js';
import { conformance } from './support/targets.js';

conformance('connection', (target) => {
  describe('connection', () => {
    it('should send connection_established with a \\d+.\\d+ socket id and a non-zero activity timeout', async () => {
      const raw = await openRaw(target.port);
      const frame = await raw.next((f) => f.event === 'pusher:connection_established');
      assert.equal(typeof frame.data, 'string', 'data is double-encoded');
      const data = JSON.parse(frame.data as string) as { socket_id: string; activity_timeout: number };
      assert.match(data.socket_id, /^\d+\.\d+$/);
      assert.ok(data.activity_timeout > 0);
    });

    it('should give every connection its own socket id', async () => {
      const ids = await Promise.all([1, 2, 3, 4, 5].map(async () => (await openRaw(target.port)).socketId()));
      assert.equal(new Set(ids).size, 5);
    });

    it('should refuse an unknown app key with pusher:error 4001 and close 4001', async () => {
      const raw = await openRaw(target.port, '/app/not-the-key?protocol=7&client=js&version=8.6.0');
      const error = await raw.next((f) => f.event === 'pusher:error');
      assert.equal((error.data as { code: number }).code, 4001);
      assert.equal((await raw.closed).code, 4001);
    });

    it('should answer pusher:ping with pusher:pong', async () => {
      const raw = await openRaw(target.port);
      await raw.socketId();
      raw.send({ event: 'pusher:ping', data: {} });
      await raw.next((f) => f.event === 'pusher:pong');
    });

    it('should keep serving after malformed frames, unknown events, double subscribe and stray unsubscribe', async () => {
      const raw = await openRaw(target.port);
      await raw.socketId();
      raw.send('this is not json');
      raw.send('{"event":');
      raw.send(JSON.stringify({ event: 42 }));
      raw.send(JSON.stringify([1, 2, 3]));
      raw.send(JSON.stringify({ event: 'pusher:made_up', data: {} }));
      raw.send(JSON.stringify({ event: 'pusher:unsubscribe', data: { channel: 'never-joined' } }));
      const channel = `public-${unique()}`;
      raw.send({ event: 'pusher:subscribe', data: { auth: '', channel } });
      await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel);
      raw.send({ event: 'pusher:subscribe', data: { auth: '', channel } });
      raw.send({ event: 'pusher:ping', data: {} });
      await raw.next((f) => f.event === 'pusher:pong');
      const rest = restClient(target.port);
      await rest.trigger(channel, 'after-garbage', { ok: true });
      const event = await raw.next((f) => f.event === 'after-garbage');
      assert.deepEqual(JSON.parse(event.data as string), { ok: true });
    });

    it('should survive 2000 connections opened and dropped, then serve a normal client', async () => {
      let opened = 0;
      // bounded: 100 sockets at a time
      await Promise.all(
        Array.from({ length: 100 }, async () => {
          for (let i = 0; i < 20; i += 1) {
            const raw = await openRaw(target.port, undefined, { track: false });
            await raw.socketId();
            opened += 1;
            raw.ws.terminate();
          }
        }),
      );
      assert.equal(opened, 2000);
      const client = connect(target.port);
      const channel = await subscribed(client, `public-${unique()}`);
      const received = next(channel, 'still-works');
      await restClient(target.port).trigger(channel.name, 'still-works', { n: 1 });
      assert.deepEqual(await received, { n: 1 });
      if (target.server)
        await waitFor(() => target.server?.connectionCount === 1, 'only the normal client left');
    });
  });
});
