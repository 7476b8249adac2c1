// The whatsup demo: Express + @whatsup/express + the embedded realtime server, one process, one port.
// Run from the repository root with `npm install && npm start`, then open the printed URL.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import { whatsup } from '@whatsup/express';
import { createRealtimeServer } from '@whatsup/realtime';
import { FileSessionStore, fileStatusStore } from './persist.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const channel = process.env.WHATSUP_CHANNEL ?? 'presence-whatsup-members';

const app = express();
app.disable('x-powered-by');
const server = createServer(app);
const MemoryStore = createMemoryStore(session);
const DAY = 24 * 60 * 60 * 1000;

// The same defaults as soketi's and as `npm run announce`, so the CLI reaches this demo as it is.
// They are for a machine of your own: set PUSHER_APP_ID, PUSHER_KEY and PUSHER_SECRET anywhere else.
const realtime = createRealtimeServer({
  appId: process.env.PUSHER_APP_ID ?? 'app-id',
  key: process.env.PUSHER_KEY ?? 'app-key',
  secret: process.env.PUSHER_SECRET ?? 'app-secret',
  server,
  // Statuses are published by the server: pages never send events to each other.
  clientEvents: false,
});

// With SESSION_SECRET set, sessions, statuses and the names they hold are kept in JSON files
// (WHATSUP_DATA, default examples/basic/.data), so a restart signs nobody out. Without it
// everything lives in memory and a restart starts afresh (README: what a restart keeps).
const dataDir = process.env.WHATSUP_DATA ?? join(here, '.data');
const kept = process.env.SESSION_SECRET
  ? { sessions: new FileSessionStore({ dir: dataDir }), statuses: await fileStatusStore({ dir: dataDir }) }
  : undefined;

app.use(
  session({
    // Without SESSION_SECRET, a new secret per start: a restart signs everyone out.
    secret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    resave: false,
    saveUninitialized: false,
    // Sessions end a day after the last visit, and the store forgets them (every 10 minutes it
    // prunes the expired ones): a guest's display name is held only while their session lives.
    // express-session's own MemoryStore never shrinks. In production: connect-redis (docs/production.md).
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: DAY },
    store: kept?.sessions ?? new MemoryStore({ checkPeriod: 10 * 60 * 1000 }),
  }),
);
// Sign-ups are counted per client address: on a demo tried in many tabs of one machine everyone is
// 127.0.0.1, so allow more than the default 10 per 10 s (a public site keeps the default).
const presence = whatsup({
  publisher: realtime,
  channels: channel,
  rateLimit: { signUpMax: 60 },
  ...(kept ? { statusStore: kept.statuses.store } : {}),
});
// The error handler after the router: a session store error answers JSON 503 store.unavailable.
app.use('/whatsup', presence, presence.errorHandler);
// The scripts, gzipped once (a browser that does not take gzip gets the file as it is): the bundle
// is what a visitor waits for before the first row, 28 kB gzip against 82 kB as it is.
const gzipped = new Map();
function sendScript(req, res, file) {
  if (!req.acceptsEncodings('gzip')) return res.sendFile(file);
  const key = `${file}:${statSync(file).mtimeMs}`; // a rebuild while the demo runs is served anew
  let body = gzipped.get(key);
  if (!body) gzipped.set(key, (body = gzipSync(readFileSync(file), { level: 9 })));
  res.set({
    'Content-Type': 'text/javascript; charset=utf-8',
    'Content-Encoding': 'gzip',
    Vary: 'Accept-Encoding',
  });
  res.send(body); // with an ETag: a reload asks again and gets 304
}
// The one-file element bundle, served beside the page (`npm start` builds it first), then pusher-js,
// which the bundle loads from beside itself (its own folder) while the list is drawn, and the
// status editor, which it loads from there on first use (or a hover or focus of my row).
for (const [path, name] of [
  ['/whatsup-presence.js', 'bundle'],
  ['/whatsup-presence.pusher.min.js', 'bundle.pusher'],
  ['/whatsup-presence.editor.min.js', 'bundle.editor'],
])
  app.get(path, (req, res) => sendScript(req, res, require.resolve(`@whatsup/presence/${name}`)));
// Its language packs, so the page's settings (or ?lang=fr) can try them: @whatsup/presence's
// dist/locales/<lang>.bundle.min.js, found through the package's exports. A tag only, no paths.
app.get('/locales/:file', (req, res, next) => {
  const lang = /^([a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*)\.bundle\.min\.js$/.exec(req.params.file)?.[1];
  let file;
  try {
    file = lang && require.resolve(`@whatsup/presence/locales/${lang}.bundle.min.js`);
  } catch {
    // no pack for that language: the static files' 404
  }
  if (!file) return next();
  sendScript(req, res, file);
});
// The headless example that ships in @whatsup/presence (examples/headless.html): a UI of its own on
// PresenceController, without the element. It imports ../dist/whatsup-presence.bundle.esm.min.js.
const presencePackage = dirname(require.resolve('@whatsup/presence/package.json'));
app.get('/examples/headless.html', (_req, res) =>
  res.sendFile(join(presencePackage, 'examples', 'headless.html')),
);
app.get('/dist/whatsup-presence.bundle.esm.min.js', (_req, res) =>
  res.sendFile(require.resolve('@whatsup/presence/bundle.esm')),
);
app.get('/dist/whatsup-presence.pusher.min.js', (_req, res) =>
  res.sendFile(require.resolve('@whatsup/presence/bundle.pusher')),
);
app.get('/dist/whatsup-presence.editor.min.js', (_req, res) =>
  res.sendFile(require.resolve('@whatsup/presence/bundle.editor')),
);
app.use(express.static(join(here, 'public')));

server.listen(port, host, () => {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  console.log(`whatsup demo: http://${shown}:${server.address().port}/`);
  console.log(
    `headless example (sign in on the demo first): http://${shown}:${server.address().port}/examples/headless.html`,
  );
  // The port it really listens on, so the hint works as printed (PORT=0 picks a free one).
  const actual = server.address().port;
  const prefix = actual === 3000 ? '' : `PORT=${actual} `;
  console.log(`announce to every open page:  ${prefix}npm run announce -- "hello everyone"`);
});

async function shutdown() {
  kept?.sessions.close();
  await kept?.statuses.close();
  realtime.close().finally(() => server.close(() => process.exit(0)));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
