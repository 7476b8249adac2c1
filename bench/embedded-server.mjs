// The embedded realtime server and the real @whatsup/express router (with express-session) in
// their own process, so RSS is theirs alone. Started by processes.mjs; IPC:
//   {type:'trigger', channel, event}  → publishes in-process (realtime.trigger) → {type:'triggered'}
//   {type:'bare-size', bytes}         → sizes the bare baseline route's JSON     → {type:'sized'}
//   {type:'gc'}                       → collects garbage before an RSS reading   → {type:'gc'}
//   {type:'memory'}                   → a GC, then process.memoryUsage()          → {type:'memory', usage}
//   {type:'publishTimes'}             → how long each trigger from the trigger port took, from the
//                                       call to its return (every socket's write() has returned:
//                                       the frames are in the kernel), and clears them → {type:'publishTimes', times}
// env BENCH_WEBHOOK_URL: the realtime server POSTs its webhooks there.
// A plain TCP port (`triggerPort` in the 'listening' message): each byte received runs
// realtime.trigger('bench', 'tick') here, so a clients process can ask for an in-process publish
// over one local hop, like the HTTP API's one request, instead of two IPC hops through the driver.
// env BENCH_PUBLISH=http + BENCH_PUSHER_PORT: the router publishes through the pusher library's
// HTTP API (to this server itself, or to soketi) instead of in-process.
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import express from 'express';
import session from 'express-session';
import { createRealtimeServer } from '@whatsup/realtime';
import { whatsup } from '@whatsup/express';

const credentials = { appId: 'app-id', key: 'app-key', secret: 'app-secret' };
const app = express();
const server = createServer(app);
const realtime = createRealtimeServer({
  ...credentials,
  server,
  // every bench client connects from 127.0.0.1: lift the per-address cap too
  limits: { presenceMembers: 100_000, maxConnections: 100_000, connectionsPerAddress: 100_000 },
  // BENCH_WEBHOOK_URL: webhooks (all default events, default grace/batching) POSTed there
  ...(process.env.BENCH_WEBHOOK_URL
    ? { webhooks: { targets: [{ url: process.env.BENCH_WEBHOOK_URL }] } }
    : {}),
});
const overHttp = process.env.BENCH_PUBLISH === 'http';
const publisherOptions = overHttp
  ? {
      pusher: {
        ...credentials,
        host: '127.0.0.1',
        port: Number(process.env.BENCH_PUSHER_PORT),
        useTLS: false,
      },
    }
  : { publisher: realtime };

app.use(session({ secret: 'bench', resave: false, saveUninitialized: false }));
// The rate limit is there for abuse; a benchmark is one client asking on purpose.
app.use('/whatsup', whatsup({ ...publisherOptions, rateLimit: { windowMs: 1000, max: 1_000_000 } }));
// The auth route's baseline: same server, same session middleware, JSON body of the same size.
let bare = JSON.stringify({ auth: 'x' });
app.post('/bare', (_req, res) => res.type('application/json').send(bare));

// trigger() is synchronous up to its promise: when it returns, every subscriber's socket.write() has
// returned. Timed here, server-side, to tell the server's share of a round from the clients' reading.
const publishTimes = [];
const triggers = createNetServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (bytes) => {
    for (let i = 0; i < bytes.length; i++) {
      const t0 = performance.now();
      void realtime.trigger('bench', 'tick', { at: 1 });
      publishTimes.push(performance.now() - t0);
    }
  });
  socket.on('error', () => {});
});
triggers.listen(0, '127.0.0.1', () => {
  server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
    process.send({ type: 'listening', port: server.address().port, triggerPort: triggers.address().port });
  });
});

process.on('message', async (msg) => {
  try {
    if (msg.type === 'trigger') {
      await realtime.trigger(msg.channel, msg.event, { at: 1 });
      process.send({ type: 'triggered' });
    } else if (msg.type === 'bare-size') {
      bare = JSON.stringify({ auth: 'a'.repeat(Math.max(0, msg.bytes - '{"auth":""}'.length)) });
      process.send({ type: 'sized', bytes: Buffer.byteLength(bare) });
    } else if (msg.type === 'gc') {
      global.gc?.();
      process.send({ type: 'gc' });
    } else if (msg.type === 'publishTimes') {
      process.send({ type: 'publishTimes', times: publishTimes.splice(0) });
    } else if (msg.type === 'memory') {
      // process.memoryUsage() after a full GC: where an RSS growth sits (V8 heap, Buffers, native)
      global.gc?.();
      process.send({ type: 'memory', usage: process.memoryUsage() });
    }
  } catch (err) {
    process.send({ type: 'error', message: String(err?.stack ?? err) });
  }
});

process.on('SIGTERM', async () => {
  await realtime.close();
  triggers.close();
  server.close();
  process.exit(0);
});
