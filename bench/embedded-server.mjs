// The embedded realtime server (+ @whatsup/express for the status round trip) in its own process,
// so its RSS is its own. IPC: {type:'trigger', channel, event} publishes in-process; {type:'rss'}.
import { createServer } from 'node:http';
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
  limits: { presenceMembers: 100_000, maxConnections: 100_000 },
});
const mode = process.env.BENCH_PUBLISH ?? 'in-process';
const publisherOptions =
  mode === 'in-process'
    ? { publisher: realtime }
    : {
        pusher: {
          ...credentials,
          host: '127.0.0.1',
          port: Number(process.env.BENCH_PUSHER_PORT),
          useTLS: false,
        },
      };
app.use(session({ secret: 'bench', resave: false, saveUninitialized: false }));
app.use('/whatsup', whatsup({ ...publisherOptions, rateLimit: { windowMs: 1000, max: 1_000_000 } }));
app.post('/bare', (_req, res) =>
  res.json({ auth: 'app-key:' + 'a'.repeat(64), channel_data: 'x'.repeat(80) }),
);

server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  process.send({ type: 'listening', port: server.address().port });
});

process.on('message', async (msg) => {
  if (msg.type === 'trigger') {
    await realtime.trigger(msg.channel, msg.event, { at: Date.now() });
  } else if (msg.type === 'rss') {
    global.gc?.();
    process.send({ type: 'rss', rss: process.memoryUsage().rss });
  } else if (msg.type === 'close') {
    await realtime.close();
    server.close();
    process.exit(0);
  }
});
