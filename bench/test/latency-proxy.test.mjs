// node --test bench/test/ — the time-to-presence proxy must pass every byte, in order, and must not
// deliver anything sooner than its model allows, or the scenario measures a faster network than it says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startLatencyProxy } from '../latency-proxy.mjs';

describe('startLatencyProxy', () => {
  describe('when a payload larger than many segments goes through and back', () => {
    it('should echo every byte in order and end the connection after the last one', async () => {
      const { proxy, close } = await echoBehindProxy({
        oneWayMs: 5,
        downBitsPerSecond: 0,
        upBitsPerSecond: 0,
      });
      try {
        const payload = randomBytes(200_000);
        const received = await roundTrip(proxy.port, payload);
        assert.equal(Buffer.compare(received.bytes, payload), 0);
        assert.deepEqual(proxy.stats(), { connections: 1, bytesUp: 200_000, bytesDown: 200_000 });
      } finally {
        await close();
      }
    });
  });

  describe('when the links are slow', () => {
    it('should take at least the handshake, both one-way delays and both links’ transfer times', async () => {
      const oneWayMs = 20;
      // 80 kbit/s = 10 bytes per ms each way: 2,000 bytes take 200 ms on each link
      const { proxy, close } = await echoBehindProxy({
        oneWayMs,
        downBitsPerSecond: 80_000,
        upBitsPerSecond: 80_000,
      });
      try {
        const received = await roundTrip(proxy.port, randomBytes(2000));
        // handshake (2 × one way) + up (200 ms on the link, one way) + down (the echo's last byte
        // leaves the link no sooner than the first one arrived + 200 ms, then one way)
        const least = 2 * oneWayMs + oneWayMs + 200 + oneWayMs;
        assert.ok(received.ms >= least - 1, `${received.ms.toFixed(1)} ms, at least ${least} ms expected`);
      } finally {
        await close();
      }
    });
  });
});

async function echoBehindProxy(options) {
  const echo = createServer((socket) => socket.pipe(socket));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const proxy = await startLatencyProxy({
    target: { host: '127.0.0.1', port: echo.address().port },
    ...options,
  });
  return {
    proxy,
    close: async () => {
      await proxy.close();
      await new Promise((resolve) => echo.close(resolve));
    },
  };
}

/** Sends `payload`, half-closes, and collects the echo until the proxy ends the connection. */
async function roundTrip(port, payload) {
  const started = performance.now();
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.end(payload);
  await once(socket, 'end');
  const ms = performance.now() - started;
  socket.destroy();
  return { bytes: Buffer.concat(chunks), ms };
}
