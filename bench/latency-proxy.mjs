// A TCP proxy that makes 127.0.0.1 look like a phone network: every byte waits a one-way delay in
// each direction, each direction is one shared link of limited bandwidth (all connections queue on
// it, as on one radio), and a new connection pays the round trip of its TCP handshake before its
// first bytes reach the server. TCP, so HTTP and WebSocket alike. Plain `net`, no dependencies.
//
// The model, per direction: a chunk is cut into segments of 1,460 bytes; a segment leaves when the
// link is free (`freeAt`), takes size ÷ rate on the link, and arrives `oneWayMs` later. Not modelled:
// TCP slow start, loss, and the receive window (nothing here sends enough to fill one).
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

const SEGMENT = 1460;

/**
 * Starts the proxy on a free 127.0.0.1 port in front of `target` ({ host, port }).
 * `downBitsPerSecond`/`upBitsPerSecond`: the shared link's rate towards the browser / the server
 * (0 = unlimited). Resolves to { port, stats(), close() }; stats() counts connections and bytes.
 */
export async function startLatencyProxy({
  target,
  oneWayMs = 75,
  downBitsPerSecond = 1_600_000,
  upBitsPerSecond = 750_000,
}) {
  const down = link(downBitsPerSecond);
  const up = link(upBitsPerSecond);
  const sockets = new Set();
  const counts = { connections: 0, bytesDown: 0, bytesUp: 0 };

  // Half-open allowed on both sides: a FIN is passed on when it would arrive, not answered at once.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    counts.connections++;
    const accepted = performance.now();
    const upstream = connect({ port: target.port, host: target.host, allowHalfOpen: true });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    // The browser's SYN and the SYN-ACK take a round trip before it can send: its first bytes
    // reach the server 1.5 round trips after it connected, not half of one.
    const toServer = pipe(client, upstream, up, oneWayMs, accepted + 2 * oneWayMs, (n) => {
      counts.bytesUp += n;
    });
    const toClient = pipe(upstream, client, down, oneWayMs, 0, (n) => {
      counts.bytesDown += n;
    });
    const kill = () => {
      toServer.stop();
      toClient.stop();
      client.destroy();
      upstream.destroy();
    };
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    stats: () => ({ ...counts }),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** One direction's shared link: when it is next free, and how long a byte takes on it. */
function link(bitsPerSecond) {
  return { freeAt: 0, msPerByte: bitsPerSecond > 0 ? 8000 / bitsPerSecond : 0 };
}

/**
 * Copies `from` to `to` through `link`: each segment is written when it would have arrived. A FIN
 * follows the last byte; nothing leaves before `notBefore` (the handshake).
 */
function pipe(from, to, link, oneWayMs, notBefore, counted) {
  const queue = [];
  let timer;
  let last = 0;
  const schedule = (item) => {
    queue.push(item);
    if (queue.length === 1) arm();
  };
  const arm = () => {
    clearTimeout(timer);
    if (queue.length) timer = setTimeout(flush, Math.max(0, queue[0].at - performance.now()));
  };
  const flush = () => {
    const now = performance.now();
    while (queue.length && queue[0].at <= now + 0.5) {
      const item = queue.shift();
      if (item.end) to.end();
      else if (!to.destroyed) to.write(item.bytes);
    }
    arm();
  };
  from.on('data', (chunk) => {
    counted(chunk.length);
    for (let offset = 0; offset < chunk.length; offset += SEGMENT) {
      const bytes = chunk.subarray(offset, offset + SEGMENT);
      const leaves = Math.max(performance.now(), link.freeAt) + bytes.length * link.msPerByte;
      link.freeAt = leaves;
      // In order; and not before the handshake's round trip (which does not hold up the shared link).
      last = Math.max(last, leaves + oneWayMs, notBefore + oneWayMs);
      schedule({ at: last, bytes });
    }
  });
  from.on('end', () => {
    last = Math.max(last, performance.now() + oneWayMs);
    schedule({ at: last, end: true });
  });
  return { stop: () => clearTimeout(timer) };
}
