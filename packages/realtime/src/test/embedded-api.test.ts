// The embedded server's in-process API: terminateUserConnections (presence members too),
// disconnectAll, trigger (the in-process publisher) and the server option (attached to an app).
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { createRealtimeServer, type RealtimeServer } from '../index.js';
import { APP, connect, next, restClient, silent, subscribed, subscribedPresence } from './support/pusher.js';
import { presenceRaw } from './support/raw.js';
import { unique } from './support/net.js';
import { cleanup, startEmbedded } from './support/targets.js';

describe('embedded server API', () => {
  afterEach(cleanup);

  describe('terminateUserConnections (embedded extension: presence members too)', () => {
    it('should close every tab of a presence member', async () => {
      const target = await startEmbedded();
      try {
        const name = `presence-${unique()}`;
        const watcher = await subscribedPresence(connect(target.port, { userId: 'watcher' }), name);
        const added = next(watcher.channel, 'pusher:member_added');
        const tabs = [
          await presenceRaw(target.port, name, 'ann'),
          await presenceRaw(target.port, name, 'ann'),
        ];
        await added;
        const removed = next<{ id: string }>(watcher.channel, 'pusher:member_removed');
        await target.server?.terminateUserConnections('ann');
        assert.equal((await removed).id, 'ann');
        for (const tab of tabs) assert.equal((await tab.closed).code, 4009);
        assert.deepEqual(await target.server?.channelUsers(name), ['watcher']);
      } finally {
        await cleanup();
        await target.stop();
      }
    });
  });

  describe('authorizeChannel', () => {
    it('should sign as the pusher library does, and refuse a socket id the pusher library would refuse or over 64 characters', async () => {
      const target = await startEmbedded();
      try {
        const server = target.server as RealtimeServer;
        assert.deepEqual(
          server.authorizeChannel('123.456', 'private-x'),
          restClient(target.port).authorizeChannel('123.456', 'private-x'),
        );
        for (const socketId of [`${'1'.repeat(5000)}.1`, '1.2.3', '<script>', '']) {
          assert.throws(() => server.authorizeChannel(socketId, 'private-x'), {
            status: 400,
            code: 'socket_id.invalid',
          });
        }
        assert.throws(() => server.authorizeChannel('1.2', 'bad channel!'), {
          status: 400,
          code: 'channel_name.invalid',
        });
      } finally {
        await target.stop();
      }
    });
  });

  describe('disconnectAll (embedded only)', () => {
    it('should make pusher-js reconnect and resubscribe (4200)', async () => {
      const target = await startEmbedded();
      try {
        const client = connect(target.port);
        const channel = await subscribed(client, `private-${unique()}`);
        const oldId = client.connection.socket_id;
        const resubscribed = next(channel, 'pusher:subscription_succeeded', 5000);
        await target.server?.disconnectAll();
        await resubscribed;
        assert.notEqual(client.connection.socket_id, oldId);
      } finally {
        // clients first: pusher-js leaks its retry timers when disconnected while reconnecting
        await cleanup();
        await target.stop();
      }
    });
  });

  describe('trigger (in-process publisher)', () => {
    it('should deliver like the HTTP API and apply the same limits', async () => {
      const target = await startEmbedded();
      try {
        const server = target.server as RealtimeServer;
        const sender = connect(target.port);
        const senderChannel = await subscribed(sender, 'room');
        const channel = await subscribed(connect(target.port), 'room');
        const received = next(channel, 'status-updated');
        const excluded = silent(senderChannel, 'status-updated');
        assert.deepEqual(
          await server.trigger(
            ['room'],
            'status-updated',
            { status: 'hi' },
            { socket_id: sender.connection.socket_id },
          ),
          {},
        );
        assert.deepEqual(await received, { status: 'hi' });
        await excluded;
        await assert.rejects(server.trigger('room', 'big', 'x'.repeat(10241)), {
          status: 413,
          code: 'event.too_large',
        });
        await assert.rejects(server.trigger('bad channel!', 'e', {}), {
          status: 400,
          code: 'channel_name.invalid',
        });
        await assert.rejects(
          server.trigger(
            Array.from({ length: 101 }, (_, i) => `c${i}`),
            'e',
            {},
          ),
          { status: 400 },
        );
        await assert.rejects(server.trigger('room', 'e', {}, { socket_id: 'nope' }), {
          code: 'socket_id.invalid',
        });
      } finally {
        // clients first: pusher-js leaks its retry timers when disconnected while reconnecting
        await cleanup();
        await target.stop();
      }
    });
  });

  describe('server option: attached to an Express app on the same port', () => {
    it('should serve the app, upgrade /app/:key and answer /apps/... on one port', async () => {
      const app = express();
      app.get('/apps/catalogue', (_req, res) => {
        res.json({ mine: true });
      });
      app.get('/hello', (_req, res) => {
        res.json({ hello: 'world' });
      });
      const http = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => http.once('listening', resolve));
      const realtime = createRealtimeServer({ ...APP, server: http, pingInterval: 1000, pongTimeout: 1000 });
      try {
        await realtime.ready;
        const port = realtime.port;
        assert.deepEqual(await (await fetch(`http://127.0.0.1:${port}/hello`)).json(), { hello: 'world' });
        assert.equal((await fetch(`http://127.0.0.1:${port}/nowhere`)).status, 404);
        // only /apps/<this app id>/ is taken: the app's own /apps/... routes still answer
        assert.deepEqual(await (await fetch(`http://127.0.0.1:${port}/apps/catalogue`)).json(), {
          mine: true,
        });
        assert.equal('wsHost' in realtime.clientConfig(), false, 'attached: the page’s own host');
        const name = `presence-${unique()}`;
        const member = await subscribedPresence(connect(port, { userId: 'ann' }), name);
        const received = next(member.channel, 'status-updated');
        await restClient(port).trigger(name, 'status-updated', { status: 'here' });
        assert.deepEqual(await received, { status: 'here' });
        const users = await (await restClient(port).get({ path: `/channels/${name}/users` })).json();
        assert.deepEqual(users, { users: [{ id: 'ann' }] });
      } finally {
        await cleanup();
        await realtime.close();
        // the host server keeps running after close(), and its own routes still answer
        assert.equal(
          (await fetch(`http://127.0.0.1:${(http.address() as { port: number }).port}/hello`)).status,
          200,
        );
        http.closeAllConnections();
        await new Promise((resolve) => http.close(resolve));
      }
    });
  });
});
