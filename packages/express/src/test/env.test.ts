// Configuration from the environment, down to what GET /config tells the element.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import express from 'express';
import session from 'express-session';
import { clientConfigFromEnv, pusherOptionsFromEnv, whatsup } from '../index.js';

const credentials = { PUSHER_APP_ID: '123456', PUSHER_KEY: 'k3y', PUSHER_SECRET: 'sekret-never-shown' };

describe('pusherOptionsFromEnv', () => {
  describe('when nothing is set', () => {
    it('should return undefined (the embedded server)', () => {
      assert.equal(pusherOptionsFromEnv({}), undefined);
      assert.equal(pusherOptionsFromEnv({ PUSHER_HOST: '  ', PUSHER_CLUSTER: '' }), undefined);
    });

    it('should leave credentials alone to the embedded server', () => {
      assert.equal(pusherOptionsFromEnv({ ...credentials }), undefined);
    });

    it('should refuse a port or TLS setting without a host', () => {
      assert.throws(
        () => pusherOptionsFromEnv({ PUSHER_PORT: '6001' }),
        /PUSHER_PORT is set but PUSHER_HOST/,
      );
      assert.throws(() => pusherOptionsFromEnv({ PUSHER_USE_TLS: 'true' }), /PUSHER_USE_TLS/);
    });
  });

  describe('when PUSHER_CLUSTER is set', () => {
    it('should configure Pusher Channels', () => {
      assert.deepEqual(pusherOptionsFromEnv({ ...credentials, PUSHER_CLUSTER: 'eu' }), {
        appId: '123456',
        key: 'k3y',
        secret: 'sekret-never-shown',
        cluster: 'eu',
      });
    });

    it('should refuse a cluster that is not a host-name label', () => {
      for (const cluster of ['eu.evil.com/', 'EU"><script>', 'a b']) {
        assert.throws(
          () => pusherOptionsFromEnv({ ...credentials, PUSHER_CLUSTER: cluster }),
          /PUSHER_CLUSTER/,
        );
      }
    });

    it('should refuse PUSHER_HOST or PUSHER_PORT beside it', () => {
      assert.throws(
        () => pusherOptionsFromEnv({ ...credentials, PUSHER_CLUSTER: 'eu', PUSHER_HOST: '127.0.0.1' }),
        /not both/,
      );
      assert.throws(
        () => pusherOptionsFromEnv({ ...credentials, PUSHER_CLUSTER: 'eu', PUSHER_PORT: '443' }),
        /PUSHER_PORT goes with PUSHER_HOST/,
      );
    });
  });

  describe('when PUSHER_HOST is set', () => {
    it('should configure a Pusher-protocol server with its port and TLS', () => {
      assert.deepEqual(
        pusherOptionsFromEnv({
          ...credentials,
          PUSHER_HOST: 'soketi.internal',
          PUSHER_PORT: '6001',
          PUSHER_USE_TLS: 'false',
        }),
        {
          appId: '123456',
          key: 'k3y',
          secret: 'sekret-never-shown',
          host: 'soketi.internal',
          port: 6001,
          useTLS: false,
        },
      );
    });

    it('should read the usual spellings of true and false', () => {
      for (const [text, expected] of [
        ['1', true],
        ['TRUE', true],
        ['yes', true],
        ['0', false],
        ['False', false],
        ['no', false],
      ] as const) {
        const options = pusherOptionsFromEnv({ ...credentials, PUSHER_HOST: 'h', PUSHER_USE_TLS: text });
        assert.equal(options?.useTLS, expected, text);
      }
    });

    it('should name each missing credential', () => {
      assert.throws(
        () => pusherOptionsFromEnv({ PUSHER_HOST: '127.0.0.1', PUSHER_KEY: 'k' }),
        /set PUSHER_APP_ID, PUSHER_SECRET too/,
      );
    });

    it('should refuse a malformed port or TLS flag', () => {
      for (const port of ['0', '65536', '60o1', '-1', '6001.5']) {
        assert.throws(
          () => pusherOptionsFromEnv({ ...credentials, PUSHER_HOST: 'h', PUSHER_PORT: port }),
          /PUSHER_PORT must be a port number/,
          port,
        );
      }
      assert.throws(
        () => pusherOptionsFromEnv({ ...credentials, PUSHER_HOST: 'h', PUSHER_USE_TLS: 'maybe' }),
        /PUSHER_USE_TLS must be true or false/,
      );
    });
  });
});

describe('clientConfigFromEnv', () => {
  it('should return undefined when nothing is set', () => {
    assert.equal(clientConfigFromEnv({}), undefined);
    assert.equal(clientConfigFromEnv({ ...credentials, PUSHER_HOST: 'h' }), undefined);
  });

  it('should give the browser-facing host, port and TLS', () => {
    assert.deepEqual(
      clientConfigFromEnv({
        PUSHER_WS_HOST: 'realtime.example.com',
        PUSHER_WS_PORT: '443',
        PUSHER_FORCE_TLS: 'true',
      }),
      {
        wsHost: 'realtime.example.com',
        enabledTransports: ['ws', 'wss'],
        wsPort: 443,
        wssPort: 443,
        forceTLS: true,
      },
    );
  });

  it('should refuse a port without a host and a malformed flag', () => {
    assert.throws(() => clientConfigFromEnv({ PUSHER_WS_PORT: '443' }), /PUSHER_WS_HOST is not/);
    assert.throws(
      () => clientConfigFromEnv({ PUSHER_WS_HOST: 'h', PUSHER_FORCE_TLS: 'sure' }),
      /PUSHER_FORCE_TLS/,
    );
  });
});

describe('GET /config from the environment', () => {
  describe('when the environment names a soketi host', () => {
    it('should tell the element to connect there, without TLS, and never show the secret', async () => {
      const config = await configFor({
        ...credentials,
        PUSHER_HOST: '127.0.0.1',
        PUSHER_PORT: '6001',
        PUSHER_USE_TLS: 'false',
      });
      assert.equal(config.key, 'k3y');
      assert.equal(config.wsHost, '127.0.0.1');
      assert.equal(config.wsPort, 6001);
      assert.equal(config.wssPort, 6001);
      assert.equal(config.forceTLS, false);
      assert.ok(!JSON.stringify(config).includes('sekret'), 'no secret in /config');
    });
  });

  describe('when the environment names a Pusher Channels cluster', () => {
    it("should tell the element the cluster, over TLS, with pusher-js's own host", async () => {
      const config = await configFor({ ...credentials, PUSHER_CLUSTER: 'eu' });
      assert.equal(config.key, 'k3y');
      assert.equal(config.cluster, 'eu');
      assert.equal(config.forceTLS, true);
      assert.equal(config.wsHost, undefined);
      assert.equal(config.wsPort, undefined);
      assert.ok(!JSON.stringify(config).includes('sekret'), 'no secret in /config');
    });
  });

  describe('when browsers reach soketi at another address than the app does', () => {
    it('should tell the element the browser-facing address', async () => {
      const config = await configFor({
        ...credentials,
        PUSHER_HOST: 'soketi.internal',
        PUSHER_PORT: '6001',
        PUSHER_WS_HOST: 'realtime.example.com',
        PUSHER_WS_PORT: '443',
        PUSHER_FORCE_TLS: 'true',
      });
      assert.equal(config.wsHost, 'realtime.example.com');
      assert.equal(config.wssPort, 443);
      assert.equal(config.forceTLS, true);
    });
  });
});

/** Mounts whatsup() configured only from `env`, as the examples do, and returns its GET /config. */
async function configFor(env: Record<string, string>): Promise<Record<string, unknown>> {
  const app = express();
  app.use(session({ secret: 'env test', resave: false, saveUninitialized: false }));
  app.use('/whatsup', whatsup({ pusher: pusherOptionsFromEnv(env)!, client: clientConfigFromEnv(env) }));
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/whatsup/config`);
    assert.equal(res.status, 200);
    return (await res.json()) as Record<string, unknown>;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
