// Conformance: subscribing to public and private channels, authorization, and user sign-in.
// Run against the embedded server and against soketi (support/targets.ts) with the real pusher-js
// client and the real pusher server library.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import PusherServer from 'pusher';
import { APP, connect, next, restClient, subscribed, subscriptionError } from './support/pusher.js';
import { openRaw } from './support/raw.js';
import { delay, unique } from './support/net.js';
import { conformance } from './support/targets.js';

conformance('channels', (target) => {
  describe('public channels', () => {
    it('should subscribe and receive events triggered through the HTTP API', async () => {
      const channel = await subscribed(connect(target.port), `public-${unique()}`);
      const received = next(channel, 'greeting');
      const response = await restClient(target.port).trigger(channel.name, 'greeting', {
        text: '<img src=x onerror=alert(1)>',
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await received, { text: '<img src=x onerror=alert(1)>' });
    });

    it('should refuse a channel name longer than 200 characters with subscription_error 4009', async () => {
      const error = await subscriptionError(connect(target.port), `x${'a'.repeat(200)}`);
      assert.equal(error.status, 4009);
    });
  });

  describe('private channels', () => {
    it('should subscribe with a signature from the pusher library', async () => {
      const channel = await subscribed(connect(target.port), `private-${unique()}`);
      assert.equal(channel.subscribed, true);
    });

    it('should refuse a forged signature with subscription_error AuthError 401', async () => {
      const client = connect(target.port, {
        tamper: (auth) => ({ auth: `${APP.key}:${'0'.repeat(64)}`, channel_data: auth.channel_data }),
      });
      const error = await subscriptionError(client, `private-${unique()}`);
      assert.equal(error.status, 401);
      assert.equal(error.type, 'AuthError');
    });

    it("should refuse a signature made for someone else's channel", async () => {
      const other = `private-${unique()}`;
      const client = connect(target.port, {
        tamper: (_auth, socketId) => restClient(target.port).authorizeChannel(socketId, other),
      });
      assert.equal((await subscriptionError(client, `private-${unique()}`)).status, 401);
    });

    it('should refuse a signature made with another secret', async () => {
      const wrong = new PusherServer({
        ...APP,
        secret: 'not-the-secret',
        host: '127.0.0.1',
        port: String(target.port),
        useTLS: false,
      });
      const client = connect(target.port, {
        tamper: (_auth, socketId, channel) => wrong.authorizeChannel(socketId, channel),
      });
      assert.equal((await subscriptionError(client, `private-${unique()}`)).status, 401);
    });
  });

  describe('user sign-in (pusher:signin)', () => {
    it('should accept pusher:signin with a numeric id and deliver to that user as its string', async () => {
      const raw = await openRaw(target.port);
      const socketId = await raw.socketId();
      const userData = JSON.stringify({ id: 4242 });
      const auth = `${APP.key}:${createHmac('sha256', APP.secret)
        .update(`${socketId}::user::${userData}`)
        .digest('hex')}`;
      raw.send({ event: 'pusher:signin', data: { auth, user_data: userData } });
      await raw.next((f) => f.event === 'pusher:signin_success');
      raw.send({ event: 'pusher:subscribe', data: { channel: '#server-to-user-4242' } });
      await delay(100);
      await restClient(target.port).sendToUser('4242', 'direct', { n: 1 });
      const event = await raw.next((f) => f.event === 'direct');
      assert.deepEqual(JSON.parse(event.data as string), { n: 1 });
    });

    it('should refuse a forged pusher:signin and user_data without an id with pusher:error 4009', async () => {
      for (const userData of [JSON.stringify({ id: 'ann' }), JSON.stringify({ name: 'no id' })]) {
        const raw = await openRaw(target.port);
        const socketId = await raw.socketId();
        const auth = userData.includes('no id')
          ? `${APP.key}:${createHmac('sha256', APP.secret).update(`${socketId}::user::${userData}`).digest('hex')}`
          : `${APP.key}:${'0'.repeat(64)}`;
        raw.send({ event: 'pusher:signin', data: { auth, user_data: userData } });
        const error = await raw.next((f) => f.event === 'pusher:error');
        assert.equal((error.data as { code: number }).code, 4009);
        // soketi also closes the socket (4009); the embedded server keeps serving it unsigned
        if (target.name === 'embedded') {
          raw.send({ event: 'pusher:ping', data: {} });
          await raw.next((f) => f.event === 'pusher:pong');
        }
      }
    });

    it('should take a signin and a private subscription sent back to back', async () => {
      const raw = await openRaw(target.port);
      const socketId = await raw.socketId();
      const rest = restClient(target.port);
      const channel = `private-${unique()}`;
      raw.send({ event: 'pusher:signin', data: rest.authenticateUser(socketId, { id: `u-${unique()}` }) });
      raw.send({
        event: 'pusher:subscribe',
        data: { ...rest.authorizeChannel(socketId, channel), channel },
      });
      await raw.next((f) => f.event === 'pusher:signin_success');
      await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel);
    });
  });
});
