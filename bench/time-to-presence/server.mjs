// The server of the time-to-presence scenario (bench/scenarios/time-to-presence.mjs), in its own
// process: Express + express-session + @whatsup/express + the embedded realtime server on the same
// port, as examples/basic runs them, and two pages:
//   /element.html?enc=gzip|identity   one <whatsup-presence>, its one-file bundle in <head>
//   /pusher.html?enc=gzip|identity    pusher-js alone (its own dist/web/pusher.min.js) subscribing
//                                     to the same presence channel, authorized by the same route
// The scripts are served from /gzip/ (gzip -9, Content-Encoding: gzip, as a CDN or a compressing
// server sends them) or /identity/ (uncompressed, as a plain res.sendFile sends them); the
// bundle finds its pusher-js and editor chunks beside itself, so under the same prefix.
// IPC: sends { type: 'listening', port } once it listens.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import express from 'express';
import session from 'express-session';
import { createRealtimeServer } from '@whatsup/realtime';
import { whatsup } from '@whatsup/express';

const require = createRequire(import.meta.url);
export const CHANNEL = 'presence-whatsup-members';
const credentials = { appId: 'app-id', key: 'app-key', secret: 'app-secret' };

const scripts = new Map(
  [
    ['whatsup-presence.bundle.min.js', require.resolve('@whatsup/presence/bundle')],
    ['whatsup-presence.pusher.min.js', require.resolve('@whatsup/presence/bundle.pusher')],
    ['whatsup-presence.editor.min.js', require.resolve('@whatsup/presence/bundle.editor')],
    ['pusher.min.js', require.resolve('pusher-js/dist/web/pusher.min.js')],
  ].map(([name, file]) => {
    const identity = readFileSync(file);
    return [name, { identity, gzip: gzipSync(identity, { level: 9 }) }];
  }),
);

const app = express();
app.disable('x-powered-by');
const server = createServer(app);
const realtime = createRealtimeServer({ ...credentials, server, clientEvents: false });
app.use(session({ secret: 'time to presence', resave: false, saveUninitialized: false }));
// Sign-ups all come from 127.0.0.1 here: the rate limit is for abuse, not for a benchmark.
app.use(
  '/whatsup',
  whatsup({
    publisher: realtime,
    channels: CHANNEL,
    rateLimit: { signUpMax: 1e9, signUpGlobalMax: 1e9, windowMs: 1000 },
  }),
);

app.get('/:enc/:name', (req, res, next) => {
  const script = scripts.get(req.params.name);
  if (!script || !['gzip', 'identity'].includes(req.params.enc)) return next();
  const gzip = req.params.enc === 'gzip';
  res.set({
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'no-cache',
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(gzip ? script.gzip : script.identity);
});

const encoding = (req) => (req.query.enc === 'identity' ? 'identity' : 'gzip');
const page = (head, body = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>time to presence</title><link rel="icon" href="data:,">${head}</head><body>${body}</body></html>`;

// The moment the script has run: an inline script right after it (classic scripts run in order).
const RAN = `<script>performance.mark('bench:script-ran')</script>`;

app.get('/element.html', (req, res) => {
  res
    .type('html')
    .send(
      page(
        `<script src="/${encoding(req)}/whatsup-presence.bundle.min.js"></script>${RAN}`,
        `<whatsup-presence auth-endpoint="/whatsup/usersystem/auth" channel="${CHANNEL}"></whatsup-presence>`,
      ),
    );
});

// pusher-js as a page would use it alone: the same channel, the same auth route, the page's host.
app.get('/pusher.html', (req, res) => {
  res.type('html').send(
    page(
      `<script src="/${encoding(req)}/pusher.min.js"></script>${RAN}<script>
const pusher = new Pusher('${credentials.key}', {
  cluster: 'local',
  forceTLS: false,
  wsHost: location.hostname,
  wsPort: Number(location.port),
  enabledTransports: ['ws', 'wss'],
  channelAuthorization: { endpoint: '/whatsup/usersystem/auth', transport: 'ajax' },
});
pusher.subscribe('${CHANNEL}').bind('pusher:subscription_succeeded', () =>
  performance.mark('bench:subscribed'),
);
</script>`,
    ),
  );
});

server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () =>
  process.send?.({ type: 'listening', port: server.address().port }),
);

process.on('SIGTERM', async () => {
  await realtime.close();
  server.closeAllConnections();
  server.close();
  process.exit(0);
});
