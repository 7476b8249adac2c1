// The soak's server (bench/soak.mjs): the embedded realtime server attached to an Express app with
// the real @whatsup/express router, in identify mode (the user is the x-user header; sessions are
// per-request objects, so no session store grows and what is measured is the realtime server and the
// router). Run with --expose-gc. IPC: {type:'memory'} → {heapUsed, rss} after GC;
// {type:'flood', channel, bytes} → publishes ~bytes in 9 kB events → {published, events};
// {type:'stats'} → {connections, disconnections: {code: n}}.
import { createServer } from 'node:http';
import express from 'express';
import { createRealtimeServer } from '@whatsup/realtime';
import { whatsup } from '@whatsup/express';

const credentials = { appId: 'app-id', key: 'app-key', secret: 'soak-secret' };
const app = express();
const server = createServer(app);
const realtime = createRealtimeServer({
  ...credentials,
  server,
  // every soak client comes from 127.0.0.1; members are spread over channels of 100
  limits: { connectionsPerAddress: 100_000 },
});
const disconnections = {};
realtime.on('disconnection', ({ code }) => {
  disconnections[code] = (disconnections[code] ?? 0) + 1;
});
app.use((req, _res, next) => {
  req.session = {};
  next();
});
app.use(
  '/whatsup',
  whatsup({
    publisher: realtime,
    identify: (req) => {
      const id = req.get('x-user');
      return id ? { id, name: id } : null;
    },
    channels: (channel) => channel.startsWith('presence-soak-'),
    defaultChannel: 'presence-soak-0',
    rateLimit: { windowMs: 1000, max: 1_000_000 },
  }),
);

function memory() {
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));

process.on('message', async (msg) => {
  try {
    if (msg.type === 'memory') {
      // let closed sockets' timers and buffers go first
      await new Promise((resolve) => setTimeout(resolve, 500));
      process.send({ type: 'memory', ...memory() });
    } else if (msg.type === 'stats') {
      process.send({
        type: 'stats',
        connections: realtime.connectionCount,
        disconnections: { ...disconnections },
      });
    } else if (msg.type === 'flood') {
      const data = 'x'.repeat(9 * 1024);
      let published = 0;
      let events = 0;
      let peakRss = 0;
      while (published < msg.bytes) {
        await realtime.trigger(msg.channel, 'flood', data);
        published += data.length;
        events += 1;
        // let the event loop write (and notice who is not reading)
        if (events % 50 === 0) {
          await new Promise((resolve) => setImmediate(resolve));
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
        }
      }
      process.send({ type: 'flooded', published, events, peakRss });
    }
  } catch (error) {
    process.send({ type: 'error', message: String(error?.stack ?? error) });
  }
});
