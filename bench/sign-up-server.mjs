// Two @whatsup/express routers in one process for the sign-up scenario (bench/scenarios/sign-up.mjs):
// one over an empty MemoryStatusStore, one over a store filled directly with `BENCH_RECORDS`
// records (and their names held, as sign-ups would have left them). Each has its own Express app,
// express-session and port, and a publisher that signs with the pusher library and publishes
// nowhere, so a sign-up costs what the router does and nothing else.
// env BENCH_EXPRESS: a path to another build of @whatsup/express's index.js (to measure an older one).
// IPC: sends { type: 'listening', empty, filled } once both listen and the fill is done.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import express from 'express';
import session from 'express-session';
import Pusher from 'pusher';

const records = Number(process.env.BENCH_RECORDS ?? 100_000);
const module = await import(
  process.env.BENCH_EXPRESS ? pathToFileURL(process.env.BENCH_EXPRESS).href : '@whatsup/express'
);
const { whatsup, MemoryStatusStore, nameKey } = module;
const pusher = new Pusher({ appId: 'app-id', key: 'app-key', secret: 'app-secret', cluster: 'mt1' });
const publisher = {
  trigger: async () => ({}),
  authorizeChannel: (socketId, channel, data) => pusher.authorizeChannel(socketId, channel, data),
  channelUsers: async () => [],
};

async function serve(store) {
  const app = express();
  app.use(session({ secret: 'bench', resave: false, saveUninitialized: false }));
  // The rate limit is there for abuse; a benchmark is one client asking on purpose.
  app.use(
    '/whatsup',
    whatsup({
      publisher,
      statusStore: store,
      rateLimit: { signUpMax: 1e9, signUpGlobalMax: 1e9, windowMs: 1000 },
    }),
  );
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

const empty = new MemoryStatusStore();
const filled = new MemoryStatusStore();
const now = Date.now();
for (let i = 0; i < records; i++) {
  const id = `filled-${i}`;
  const name = `member ${i}`;
  await filled.set({ id, name, status: 'here', updatedAt: now, channels: ['presence-whatsup-members'] });
  // What a sign-up leaves in the index (this build has one): the name held by its session.
  if (filled.index && nameKey) await filled.index.hold(nameKey(name), { id, sid: `sid-${i}`, at: now });
}
process.send({ type: 'listening', empty: await serve(empty), filled: await serve(filled), records });
process.on('SIGTERM', () => process.exit(0));
