// `npm run soak`: does the server give memory back?
//  1. 5,000 WebSocket connections join presence through the real auth route of @whatsup/express
//     (POST /whatsup/usersystem/auth, signed by the embedded server) — 50 presence channels of 100
//     members — then leave; 3 rounds. The server's heap after GC must end within 10 % of the start.
//  2. 200 sockets subscribe to one channel and stop reading while 100 MB is published to it: every
//     one must be dropped (close code 4101, limits.sendBufferBytes) and the RSS must come back.
// The server runs in its own process with --expose-gc (bench/soak-server.mjs); the clients are raw
// `ws` sockets here. Each round has a time budget (SOAK_ROUND_S, default 180 s). SOAK_CONNECTIONS,
// SOAK_ROUNDS, SOAK_SLOW and SOAK_FLOOD_MB change the sizes. Exits non-zero when a check fails.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 5000);
const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 3);
const SLOW = Number(process.env.SOAK_SLOW ?? 200);
const FLOOD_MB = Number(process.env.SOAK_FLOOD_MB ?? 100);
const ROUND_S = Number(process.env.SOAK_ROUND_S ?? 180);
const PER_CHANNEL = 100;
const CONCURRENCY = 200;

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
// no keep-alive: a socket the server closes as idle while it is reused is a needless reset
const agent = new Agent({ keepAlive: false, maxSockets: 64 });

const server = fork(fileURLToPath(new URL('./soak-server.mjs', import.meta.url)), {
  execArgv: ['--expose-gc'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
process.on('exit', () => server.kill());
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function ask(message, reply) {
  return new Promise((resolve, reject) => {
    const onMessage = (msg) => {
      if (msg.type === 'error') reject(new Error(msg.message));
      else if (msg.type === reply) resolve(msg);
      else return;
      server.off('message', onMessage);
    };
    server.on('message', onMessage);
    server.send(message);
  });
}

const [listening] = await once(server, 'message');
const port = listening.port;

function within(promise, seconds, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${seconds} s`)), seconds * 1000);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Opens a socket and resolves with it and its socket id. */
function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/app-key?protocol=7&client=js&version=8.4.0`);
    ws.on('error', reject);
    ws.once('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.event !== 'pusher:connection_established') reject(new Error(data.toString()));
      else resolve({ ws, socketId: JSON.parse(frame.data).socket_id });
    });
  });
}

function auth(user, socketId, channel) {
  const body = new URLSearchParams({ socket_id: socketId, channel_name: channel }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/whatsup/usersystem/auth',
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-user': user },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(JSON.parse(text))
            : reject(new Error(`auth ${res.statusCode}: ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let retries = 0;

/** A join, tried again (up to 3 times) when the connection is reset: a load of 2 cores drops some. */
async function join(i) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await joinOnce(i);
    } catch (error) {
      if (attempt === 3) throw error;
      retries += 1;
    }
  }
}

async function joinOnce(i) {
  const channel = `presence-soak-${Math.floor(i / PER_CHANNEL)}`;
  const { ws, socketId } = await open();
  ws.on('error', () => {});
  let signed;
  try {
    signed = await auth(`user-${i}`, socketId, channel);
  } catch (error) {
    ws.terminate();
    throw error;
  }
  const joined = new Promise((resolve, reject) => {
    ws.on('message', function onMessage(data) {
      const frame = JSON.parse(data.toString());
      if (frame.channel !== channel) return;
      if (frame.event === 'pusher_internal:subscription_succeeded') {
        ws.off('message', onMessage);
        resolve();
      } else if (frame.event === 'pusher:subscription_error') reject(new Error(data.toString()));
    });
  });
  ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, ...signed } }));
  await joined;
  return ws;
}

async function pool(count, task) {
  const results = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

async function drained() {
  for (;;) {
    const { connections } = await ask({ type: 'stats' }, 'stats');
    if (connections === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let failed = false;
const fresh = await ask({ type: 'memory' }, 'memory');
// Round 0 warms up: JIT code, lazily built parts of Express and ws, and the router's record of each
// of the CONNECTIONS users (kept by design; the same users come back in every round). The check is
// against the heap after it, so what it measures is what a join-and-leave cycle leaves behind.
await within(
  (async () => {
    const sockets = await pool(CONNECTIONS, join);
    for (const ws of sockets) ws.close();
    await drained();
  })(),
  ROUND_S,
  'the warm-up round',
);
const start = await ask({ type: 'memory' }, 'memory');
console.log(
  `soak: ${CONNECTIONS} presence joins through the auth route × ${ROUNDS} rounds; ${SLOW} non-reading sockets × ${FLOOD_MB} MB`,
);
console.log(`  fresh server     heap ${mb(fresh.heapUsed)}  rss ${mb(fresh.rss)}`);
console.log(
  `  after warm-up    heap ${mb(start.heapUsed)}  rss ${mb(start.rss)}  (the start the rounds are checked against)`,
);
const rounds = [];
for (let round = 1; round <= ROUNDS; round += 1) {
  const began = Date.now();
  await within(
    (async () => {
      const sockets = await pool(CONNECTIONS, join);
      const { connections } = await ask({ type: 'stats' }, 'stats');
      if (connections !== CONNECTIONS)
        throw new Error(`${connections} connections open, ${CONNECTIONS} expected`);
      const peak = await ask({ type: 'memory' }, 'memory');
      for (const ws of sockets) ws.close();
      await drained();
      const after = await ask({ type: 'memory' }, 'memory');
      rounds.push({
        round,
        seconds: (Date.now() - began) / 1000,
        peakHeap: peak.heapUsed,
        heap: after.heapUsed,
        rss: after.rss,
      });
      console.log(
        `  round ${round} (${((Date.now() - began) / 1000).toFixed(1)} s)  joined heap ${mb(peak.heapUsed)}  ` +
          `after leaving heap ${mb(after.heapUsed)} (${(((after.heapUsed - start.heapUsed) / start.heapUsed) * 100).toFixed(1)} % vs start)  rss ${mb(after.rss)}`,
      );
    })(),
    ROUND_S,
    `round ${round}`,
  );
}
console.log(`  joins retried after a connection error: ${retries}`);
const end = rounds.at(-1);
const heapGrowth = (end.heap - start.heapUsed) / start.heapUsed;
const heapOk = heapGrowth <= 0.1;
if (!heapOk) failed = true;
console.log(
  `  heap after ${ROUNDS} rounds: ${(heapGrowth * 100).toFixed(1)} % vs start (limit 10 %): ${heapOk ? 'ok' : 'FAILED'}`,
);

// 2. the readers that never read
const before = await ask({ type: 'memory' }, 'memory');
const { disconnections: codesBefore } = await ask({ type: 'stats' }, 'stats');
const slow = await pool(SLOW, async () => {
  const { ws } = await open();
  ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'soak-flood' } }));
  await new Promise((resolve) =>
    ws.on('message', (data) => {
      if (data.toString().includes('subscription_succeeded')) resolve();
    }),
  );
  // from now on nothing is read: the kernel buffers fill, then the server's
  ws._socket.pause();
  return ws;
});
const flooded = await within(
  ask({ type: 'flood', channel: 'soak-flood', bytes: FLOOD_MB * 1024 * 1024 }, 'flooded'),
  ROUND_S,
  'the flood',
);
const deadline = Date.now() + 30_000;
let stats;
for (;;) {
  stats = await ask({ type: 'stats' }, 'stats');
  if (stats.connections === 0 || Date.now() > deadline) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const dropped = (stats.disconnections[4101] ?? 0) - (codesBefore[4101] ?? 0);
for (const ws of slow) ws.terminate();
const afterFlood = await ask({ type: 'memory' }, 'memory');
const droppedOk = dropped === SLOW && stats.connections === 0;
if (!droppedOk) failed = true;
console.log(
  `  flood: ${mb(flooded.published)} in ${flooded.events} events; ${dropped}/${SLOW} dropped with 4101 ` +
    `(${stats.connections} left): ${droppedOk ? 'ok' : 'FAILED'}`,
);
const rssGrowth = (afterFlood.rss - before.rss) / before.rss;
console.log(
  `  rss before ${mb(before.rss)}, peak during ${mb(flooded.peakRss)}, after ${mb(afterFlood.rss)} ` +
    `(${(rssGrowth * 100).toFixed(1)} % vs before); heap after ${mb(afterFlood.heapUsed)}`,
);
console.log(
  JSON.stringify({
    fresh,
    start,
    rounds,
    heapGrowth,
    flood: { ...flooded, dropped, before, after: afterFlood },
  }),
);
agent.destroy();
server.kill();
process.exit(failed ? 1 : 0);
