// The published default secret on an address others can reach: one SecurityWarning per process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRealtimeServer } from '../index.js';
import { isLoopback, warnIfPublishedSecret } from '../guard.js';

function warnings(run: () => Promise<void> | void): Promise<Error[]> {
  const seen: Error[] = [];
  const listener = (warning: Error): void => {
    seen.push(warning);
  };
  process.on('warning', listener);
  return (async () => {
    await run();
    // 'warning' is emitted on the next tick
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', listener);
    return seen.filter((warning) => (warning as { code?: string }).code === 'WHATSUP_DEFAULT_SECRET');
  })();
}

describe('default secret guard rail', () => {
  it('should tell loopback from reachable addresses', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) {
      assert.equal(isLoopback(address), true, address);
    }
    for (const address of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'fe80::1', '::ffff:10.0.0.1']) {
      assert.equal(isLoopback(address), false, address);
    }
  });

  describe('when the server listens on loopback with the default secret', () => {
    it('should not warn, alone or attached', async () => {
      const seen = await warnings(async () => {
        const alone = createRealtimeServer({
          appId: 'app-id',
          key: 'app-key',
          secret: 'app-secret',
          port: 0,
        });
        await alone.ready;
        await alone.close();
        const http = createServer();
        const attached = createRealtimeServer({
          appId: 'app-id',
          key: 'app-key',
          secret: 'app-secret',
          server: http,
        });
        await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
        await attached.close();
        await new Promise((resolve) => http.close(resolve));
      });
      assert.deepEqual(seen, []);
    });
  });

  describe('when the address is reachable from other machines', () => {
    it('should warn once per process with code WHATSUP_DEFAULT_SECRET, and never for another secret', async () => {
      const seen = await warnings(() => {
        // the address as http.Server.address() reports it; tests only listen on 127.0.0.1
        assert.equal(
          warnIfPublishedSecret('a-long-random-secret', { address: '0.0.0.0', family: 'IPv4', port: 1 }),
          false,
        );
        assert.equal(
          warnIfPublishedSecret('app-secret', { address: '0.0.0.0', family: 'IPv4', port: 1 }),
          true,
        );
        assert.equal(warnIfPublishedSecret('app-secret', { address: '::', family: 'IPv6', port: 1 }), false);
      });
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.name, 'SecurityWarning');
      assert.match(seen[0]!.message, /0\.0\.0\.0 with the published default secret 'app-secret'/);
    });
  });
});
