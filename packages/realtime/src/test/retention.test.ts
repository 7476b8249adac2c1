// What an open connection keeps alive (issue 15, memory per connection). Heap snapshots showed
// every connection holding its whole upgrade request (IncomingMessage, headers and all) through a
// listener closure that shared its context: this checks, with a real GC, that once the handshake is
// done nothing keeps the request.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRealtimeServer } from '../index.js';
import { APP } from './support/pusher.js';
import { openRaw, type RawSocket } from './support/raw.js';

// A real, full GC without starting the test process with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Whether the object behind `ref` survives a few full GCs (a WeakRef clears only between jobs). */
async function survives(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    if (ref.deref() === undefined) return false;
  }
  return true;
}

describe('what an open connection keeps', () => {
  for (const [label, subscribe] of [
    ['a connection', undefined],
    ['a subscribed connection', { event: 'pusher:subscribe', data: { channel: 'public-room' } }],
  ] as const) {
    it(`should let ${label}'s upgrade request go once the handshake is done`, async () => {
      const http = createServer();
      const requests: WeakRef<IncomingMessage>[] = [];
      // first in line: sees the same request object the realtime server gets, and keeps only a weak reference
      http.prependListener('upgrade', (req: IncomingMessage) => requests.push(new WeakRef(req)));
      const realtime = createRealtimeServer({ ...APP, server: http });
      http.listen(0, '127.0.0.1');
      await once(http, 'listening');
      cleanups.push(async () => {
        await realtime.close();
        http.close();
      });
      const port = (http.address() as { port: number }).port;
      const sockets: RawSocket[] = [];
      for (let i = 0; i < 3; i++) {
        const raw = openRaw(port);
        cleanups.push(() => raw.ws.terminate());
        await raw.socketId();
        if (subscribe) {
          raw.send(subscribe);
          await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
        }
        sockets.push(raw);
      }
      assert.equal(requests.length, 3);
      assert.equal(realtime.connectionCount, 3, 'the connections are open while the requests are checked');
      for (const ref of requests)
        assert.equal(await survives(ref), false, 'the upgrade request is collected');
      // and the connections still work afterwards
      const echo = sockets[0]!;
      echo.send({ event: 'pusher:ping', data: {} });
      await echo.next((f) => f.event === 'pusher:pong');
    });
  }
});
