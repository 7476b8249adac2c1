// An existing Express app with its own sign-in. whatsup does not sign anyone up here:
// `identify(req)` maps the app's signed-in user to a whatsup member, and the panel shows only members.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import { whatsup } from '@whatsup/express';
import { createRealtimeServer } from '@whatsup/realtime';
import { byId, usernames, verify } from './accounts.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const port = Number(process.env.PORT ?? 3001);
const host = process.env.HOST ?? '127.0.0.1';

const app = express();
app.disable('x-powered-by');
const server = createServer(app);
const realtime = createRealtimeServer({
  appId: process.env.PUSHER_APP_ID ?? 'app-id',
  key: process.env.PUSHER_KEY ?? 'app-key',
  secret: process.env.PUSHER_SECRET ?? 'app-secret',
  server,
  // Statuses are published by the server: pages never send events to each other.
  clientEvents: false,
});
const MemoryStore = createMemoryStore(session);

app.use(
  session({
    secret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    resave: false,
    saveUninitialized: false,
    // A day after the last visit the session ends and the store forgets it (pruned every 10 minutes).
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 60 * 60 * 1000 },
    store: new MemoryStore({ checkPeriod: 10 * 60 * 1000 }),
  }),
);
app.use(express.urlencoded({ extended: false, limit: '2kb' }));

// --- the app's own sign-in, as it was before whatsup ---
app.get('/login', (req, res) => res.sendFile(join(here, 'public', 'login.html')));
app.post('/login', async (req, res, next) => {
  try {
    const account = await verify(req.body?.username, req.body?.password);
    if (!account) return res.redirect(303, '/login?failed=1');
    // A new session id on sign-in (session fixation).
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.accountId = account.id;
      res.redirect(303, '/');
    });
  } catch (err) {
    next(err);
  }
});
app.post('/logout', (req, res, next) => {
  req.session.destroy((err) => (err ? next(err) : res.redirect(303, '/login')));
});
app.get('/', (req, res) => {
  if (!req.session.accountId) return res.redirect(303, '/login');
  res.sendFile(join(here, 'public', 'index.html'));
});

// --- the whatsup part ---
const presence = whatsup({
  publisher: realtime,
  identify: (req) => {
    const account = byId(req.session.accountId);
    return account ? { id: account.id, name: account.name } : null;
  },
});
// The error handler after the router: a session store error answers JSON 503 store.unavailable.
app.use('/whatsup', presence, presence.errorHandler);
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

app.use(express.static(join(here, 'public'), { index: false }));

server.listen(port, host, () => {
  console.log(`whatsup existing-app example: http://${host}:${server.address().port}/`);
  console.log(`sign in as ${usernames.join(', ')} with the password "whatsup-demo"`);
  const actual = server.address().port;
  console.log(
    `announce to every open page:  ${actual === 3000 ? '' : `PORT=${actual} `}npm run announce -- "hello everyone"`,
  );
});

function shutdown() {
  realtime.close().finally(() => server.close(() => process.exit(0)));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
