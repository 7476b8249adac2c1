// Conformance: client events (client-*).
// Run against the embedded server and against soketi (support/targets.ts) with the real pusher-js
// client and the real pusher server library.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  connect,
  connected,
  next,
  restClient,
  silent,
  subscribed,
  subscribedPresence,
} from './support/pusher.js';
import { unique, within } from './support/net.js';
import { conformance } from './support/targets.js';

conformance('client events', (target) => {
  describe('client events', () => {
    it('should relay client- events on a private channel to the others, never echoed to the sender', async () => {
      const name = `private-${unique()}`;
      const sender = await subscribed(connect(target.port), name);
      const receiver = await subscribed(connect(target.port), name);
      const received = next(receiver, 'client-typing');
      const echo = silent(sender, 'client-typing');
      sender.trigger('client-typing', { typing: true });
      assert.deepEqual(await received, { typing: true });
      await echo;
    });

    it('should stamp the sender user_id on presence channels (not the one in data)', async () => {
      const name = `presence-${unique()}`;
      const ann = await subscribedPresence(connect(target.port, { userId: 'ann' }), name);
      const bo = await subscribedPresence(connect(target.port, { userId: 'bo' }), name);
      const received = new Promise<{ data: unknown; meta: unknown }>((resolve) =>
        bo.channel.bind('client-hi', (data: unknown, meta: unknown) => resolve({ data, meta })),
      );
      ann.channel.trigger('client-hi', { user_id: 'bo', text: 'I am bo' });
      const { data, meta } = await within(received, 'client-hi');
      assert.deepEqual(data, { user_id: 'bo', text: 'I am bo' });
      assert.deepEqual(meta, { user_id: 'ann' });
    });

    it('should not deliver client events from a connection that is not subscribed', async () => {
      const name = `private-${unique()}`;
      const receiver = await subscribed(connect(target.port), name);
      const outsider = connect(target.port);
      await connected(outsider);
      const nothing = silent(receiver, 'client-sneaky');
      outsider.send_event('client-sneaky', { hello: 1 }, name);
      await nothing;
    });

    it('should treat client events on public channels as the documentation says', async () => {
      const name = `public-${unique()}`;
      const sender = connect(target.port);
      const senderChannel = await subscribed(sender, name);
      const receiver = await subscribed(connect(target.port), name);
      if (target.name === 'embedded') {
        // Pusher: client events only on private- and presence- channels → pusher:error, not delivered
        const error = next<{ message: string }>(sender, 'pusher:error');
        const nothing = silent(receiver, 'client-public');
        senderChannel.trigger('client-public', { x: 1 });
        assert.match((await error).message, /private and presence/);
        await nothing;
      } else {
        // soketi does not check the channel type (documented difference): it relays
        const received = next(receiver, 'client-public');
        senderChannel.trigger('client-public', { x: 1 });
        assert.deepEqual(await received, { x: 1 });
      }
    });

    it('should rate-limit client events to 10 per second with pusher:error 4301 and keep the socket open', async () => {
      const name = `private-${unique()}`;
      const sender = connect(target.port);
      const channel = await subscribed(sender, name);
      const receiver = await subscribed(connect(target.port), name);
      let delivered = 0;
      receiver.bind('client-burst', () => {
        delivered += 1;
      });
      const limited = next<{ code: number }>(sender, 'pusher:error');
      for (let i = 0; i < 15; i += 1) channel.trigger('client-burst', { i });
      assert.equal((await limited).code, 4301);
      // the socket stays open and still works
      const probe = next(receiver, 'probe');
      await restClient(target.port).trigger(name, 'probe', {});
      await probe;
      assert.equal(sender.connection.state, 'connected');
      assert.ok(delivered <= 10, `at most 10 delivered, got ${delivered}`);
    });
  });
});
