// One app instance of several: everything from the environment, nothing kept in this process.
//   PORT            the port of this instance
//   REDIS_URL       sessions and statuses, shared by every instance (e.g. redis://127.0.0.1:6379)
//   SESSION_SECRET  the same on every instance
//   PUSHER_APP_ID, PUSHER_KEY, PUSHER_SECRET and PUSHER_HOST/PUSHER_PORT/PUSHER_USE_TLS (soketi)
//                   or PUSHER_CLUSTER (Pusher Channels)
//   TRUST_PROXY     optional: Express's `trust proxy` (e.g. 1, loopback) when a load balancer is in front,
//                   so rate limits count the visitor's address and not the balancer's
//   PUSHER_WS_HOST, PUSHER_WS_PORT, PUSHER_FORCE_TLS  optional: where browsers reach soketi, when that is
//                   not where this server does (a load balancer in front of the soketi nodes)
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { Redis } from 'ioredis';
import { RedisStore as RateLimitStore } from 'rate-limit-redis';
import { whatsup, RedisStatusStore, pusherOptionsFromEnv, clientConfigFromEnv } from '@whatsup/express';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function fail(message) {
  console.error(`scale-out: ${message}`);
  process.exit(1);
}

const { REDIS_URL, SESSION_SECRET } = process.env;
if (!REDIS_URL) fail('set REDIS_URL, e.g. redis://127.0.0.1:6379 (every instance uses the same Redis)');
if (!SESSION_SECRET) fail('set SESSION_SECRET, the same long random string on every instance');
let pusher;
let client;
try {
  pusher = pusherOptionsFromEnv();
  client = clientConfigFromEnv();
} catch (err) {
  fail(err.message);
}
if (!pusher)
  fail('set PUSHER_APP_ID, PUSHER_KEY, PUSHER_SECRET and PUSHER_HOST/PUSHER_PORT (soketi) or PUSHER_CLUSTER');

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
// While Redis is away a command fails at once (no offline queue) or after a second (a Redis that
// hangs), so pages get 503 store.unavailable within a second; reconnects are at most a second apart,
// so everything answers again about a second after Redis is back (docs/production.md#redis-down).
const redis = new Redis(REDIS_URL, {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 1000,
  retryStrategy: (times) => Math.min(times * 100, 1000),
});
// Fail at start rather than on the first request. Only the host is shown: the URL may hold a password.
await new Promise((resolve, reject) => {
  redis.once('ready', resolve);
  redis.once('error', reject);
}).catch((err) => fail(`cannot reach Redis at ${redisHost(REDIS_URL)}: ${err.message}`));
let redisDown = false;
redis.on('error', (err) => {
  // Once per outage, not once per reconnect attempt.
  if (!redisDown)
    console.error(`scale-out: redis: ${err.message} (answering 503 store.unavailable until it is back)`);
  redisDown = true;
});
redis.on('ready', () => {
  if (redisDown) console.error('scale-out: redis is back');
  redisDown = false;
});

const app = express();
app.disable('x-powered-by');
if (process.env.TRUST_PROXY) app.set('trust proxy', trustProxy(process.env.TRUST_PROXY));
app.use(
  session({
    // Redis expires each session with its cookie (connect-redis sets the key's TTL from maxAge),
    // and with it the hold on a guest's display name.
    store: new RedisStore({ client: redis, prefix: 'whatsup-sess:' }),
    secret: SESSION_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 60 * 60 * 1000 },
  }),
);
const presence = whatsup({
  pusher,
  client,
  statusStore: new RedisStatusStore({ client: redis }),
  // Counts in Redis: a visitor gets the same limits whichever instance answers.
  rateLimit: {
    store: (name) =>
      new RateLimitStore({
        sendCommand: (command, ...args) => redis.call(command, ...args),
        prefix: `whatsup-rl:${name}:`,
      }),
  },
  channels: process.env.WHATSUP_CHANNEL ?? 'presence-whatsup-members',
});
// The error handler after the router: the session store failing (Redis down) in the session
// middleware above answers JSON 503 store.unavailable on the whatsup routes, not Express's HTML page.
app.use('/whatsup', presence, presence.errorHandler);
app.get('/instance', (_req, res) => res.json({ port }));
app.get('/whatsup-presence.js', (_req, res) => res.sendFile(require.resolve('@whatsup/presence/bundle')));
// pusher-js, which the bundle loads from beside itself (its own folder) while the list is drawn,
// and the status editor, which it loads from there on first use (or a hover or focus of my row).
app.get('/whatsup-presence.pusher.min.js', (_req, res) =>
  res.sendFile(require.resolve('@whatsup/presence/bundle.pusher')),
);
app.get('/whatsup-presence.editor.min.js', (_req, res) =>
  res.sendFile(require.resolve('@whatsup/presence/bundle.editor')),
);
// The language packs, which it loads from locales/ beside itself when a panel's language has one.
app.use('/locales', express.static(join(dirname(require.resolve('@whatsup/presence/bundle')), 'locales')));
app.use(express.static(join(here, 'public')));

const server = createServer(app);
server.listen(port, host, () => {
  const where = pusher.cluster ? `Pusher Channels (${pusher.cluster})` : `${pusher.host}:${pusher.port}`;
  console.log(`whatsup scale-out instance: http://${host}:${port}/ (realtime: ${where})`);
});

function trustProxy(value) {
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

function redisHost(url) {
  try {
    return new URL(url).host;
  } catch {
    return 'REDIS_URL (not a URL)';
  }
}

function shutdown() {
  server.close(() => redis.quit().finally(() => process.exit(0)));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
