import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRealtimeServer, DEFAULT_LIMITS, type RealtimeServerOptions } from '../index.js';
import { APP } from './support/pusher.js';

describe('createRealtimeServer options', () => {
  describe('when appId, key or secret is missing or not a string', () => {
    it('should throw a TypeError that says how to fix it', () => {
      for (const name of ['appId', 'key', 'secret'] as const) {
        for (const bad of [undefined, '', 42, null]) {
          assert.throws(
            () => createRealtimeServer({ ...APP, [name]: bad } as unknown as RealtimeServerOptions),
            (error: unknown) => {
              assert.ok(error instanceof TypeError);
              assert.match(error.message, new RegExp(`^${name} option must be a non-empty string`));
              assert.match(error.message, /pusher library/);
              return true;
            },
          );
        }
      }
      assert.throws(() => createRealtimeServer(undefined as unknown as RealtimeServerOptions), TypeError);
    });

    it('should refuse a key that cannot appear in a URL', () => {
      assert.throws(() => createRealtimeServer({ ...APP, key: 'a/b?c' }), /may only contain/);
    });
  });

  describe('limits option', () => {
    it('should default to Pusher’s documented limits (members above Pusher’s 100)', () => {
      assert.equal(DEFAULT_LIMITS.eventDataBytes, 10240);
      assert.equal(DEFAULT_LIMITS.channelNameLength, 200);
      assert.equal(DEFAULT_LIMITS.channelsPerEvent, 100);
      assert.equal(DEFAULT_LIMITS.batchSize, 10);
      assert.equal(DEFAULT_LIMITS.clientEventsPerSecond, 10);
      assert.equal(DEFAULT_LIMITS.userInfoBytes, 1024);
      assert.equal(DEFAULT_LIMITS.presenceMembers, 1000);
      assert.equal(DEFAULT_LIMITS.maxConnections, Infinity);
    });

    it('should refuse unknown limits and non-positive values', () => {
      assert.throws(
        () => createRealtimeServer({ ...APP, limits: { members: 5 } as never }),
        /limits\.members is not a known limit/,
      );
      assert.throws(
        () => createRealtimeServer({ ...APP, limits: { batchSize: 0 } }),
        /limits\.batchSize option must be a positive number/,
      );
      assert.throws(() => createRealtimeServer({ ...APP, limits: { batchSize: '10' as never } }), TypeError);
    });
  });

  describe('other options', () => {
    it('should refuse bad port, path, timers, server and clientEvents values', () => {
      assert.throws(() => createRealtimeServer({ ...APP, port: 70000 }), /port option must be an integer/);
      assert.throws(() => createRealtimeServer({ ...APP, path: 'realtime' }), /path option/);
      assert.throws(() => createRealtimeServer({ ...APP, path: '/realtime/' }), /path option/);
      assert.throws(
        () => createRealtimeServer({ ...APP, activityTimeout: 0 }),
        /activityTimeout option must be a positive number/,
      );
      assert.throws(() => createRealtimeServer({ ...APP, pongTimeout: Infinity }), /pongTimeout/);
      assert.throws(
        () => createRealtimeServer({ ...APP, server: {} as never }),
        /server option must be an http.Server/,
      );
      assert.throws(
        () => createRealtimeServer({ ...APP, clientEvents: 'yes' as never }),
        /clientEvents option must be a boolean/,
      );
    });
  });

  describe('clientConfig()', () => {
    describe('when listening alone', () => {
      it('should give wsHost and wsPort', async () => {
        const server = createRealtimeServer({ ...APP, port: 0, path: '/rt' });
        await server.ready;
        try {
          assert.deepEqual(server.clientConfig(), {
            key: 'app-key',
            cluster: 'local',
            forceTLS: false,
            enabledTransports: ['ws', 'wss'],
            wsPath: '/rt',
            wsHost: '127.0.0.1',
            wsPort: server.port,
            wssPort: server.port,
          });
          assert.equal(server.url, `http://127.0.0.1:${server.port}/rt`);
        } finally {
          await server.close();
        }
      });
    });

    describe('when attached to a host server', () => {
      it('should leave wsHost and wsPort out (the page’s own host and port) and not close the host', async () => {
        const host = createServer((_req, res) => res.end('app'));
        await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
        const server = createRealtimeServer({ ...APP, server: host });
        await server.ready;
        assert.deepEqual(server.clientConfig(), {
          key: 'app-key',
          cluster: 'local',
          forceTLS: false,
          enabledTransports: ['ws', 'wss'],
        });
        await server.close();
        assert.equal(host.listening, true);
        const port = (host.address() as { port: number }).port;
        assert.equal(
          await (await fetch(`http://127.0.0.1:${port}/apps/app-id/channels`)).text(),
          'app',
          'unhooked: the app answers again',
        );
        host.closeAllConnections();
        await new Promise((resolve) => host.close(resolve));
      });
    });
  });
});
