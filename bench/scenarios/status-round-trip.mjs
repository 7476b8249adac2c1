// 3. POST /status (real @whatsup/express, express-session, signed in through POST /register) until
// the status-updated event reached all 100 presence subscribers, by three publishing paths running
// side by side and taking turns round by round: the router publishing in-process to the embedded
// server, through the pusher library to the embedded server's HTTP API, and through the pusher
// library to soketi.
import {
  credentials,
  freePort,
  register,
  request,
  startClients,
  startEmbedded,
  startSoketi,
  wsUrl,
} from '../processes.mjs';
import { interleavedRounds, ms, ratio } from '../stats.mjs';

export const title = 'Status round trip (`POST /status` → `status-updated` at 100 presence subscribers)';
const SUBSCRIBERS = 100;
const PATHS = ['embedded in-process', 'embedded over its HTTP API', 'soketi over its HTTP API'];

/** One app (router + embedded server) publishing one way, with its subscribers connected. */
async function setUp(path, soketi, stack) {
  let server;
  let wsPort;
  if (path === PATHS[0]) {
    server = await startEmbedded();
    wsPort = server.port;
  } else if (path === PATHS[1]) {
    const port = await freePort();
    server = await startEmbedded({
      BENCH_PORT: String(port),
      BENCH_PUBLISH: 'http',
      BENCH_PUSHER_PORT: String(port),
    });
    wsPort = port;
  } else {
    server = await startEmbedded({ BENCH_PUBLISH: 'http', BENCH_PUSHER_PORT: String(soketi.port) });
    wsPort = soketi.port;
  }
  stack.push(server);
  const base = `http://127.0.0.1:${server.port}/whatsup`;
  const { cookie } = await register(base, 'bench-status');
  const clients = startClients();
  stack.push(clients);
  await request(
    clients.child,
    {
      type: 'connect',
      url: wsUrl(wsPort),
      n: SUBSCRIBERS,
      channel: 'presence-whatsup-members',
      ...credentials,
    },
    'ready',
  );
  return {
    name: path,
    clients: clients.child,
    event: 'status-updated',
    publish: async (i) => {
      const res = await fetch(`${base}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ status: `round ${i}` }),
      });
      if (!res.ok) throw new Error(`POST /status answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    },
  };
}

export async function run({ quick, log }) {
  const count = quick ? 15 : 50;
  const stack = [];
  try {
    const soketi = await startSoketi();
    stack.push(soketi);
    const targets = [];
    for (const path of PATHS) targets.push(await setUp(path, soketi, stack));
    const results = await interleavedRounds(targets, { count });
    for (const [path, r] of Object.entries(results))
      log(`status round trip, ${path}: p50 ${ms(r.p50)}, p99 ${ms(r.p99)}`);
    return { count, results };
  } finally {
    for (const part of stack.reverse()) await part.stop();
  }
}

/** One line for the summary at the top of BENCHMARKS.md. */
export function headline(r) {
  const [inProcess, , soketi] = PATHS.map((path) => r.results[path]);
  return [
    [
      'status round trip p50, embedded in-process',
      ms(inProcess.p50),
      `soketi ${ms(soketi.p50)}`,
      ratio(inProcess.p50, soketi.p50),
    ],
  ];
}

export function report(r) {
  const base = r.results[PATHS[0]].p50;
  return [
    '| publishing path | p50 | p99 | p50 ratio to in-process |',
    '|---|---|---|---|',
    ...PATHS.map((path) => {
      const x = r.results[path];
      return `| ${path} | ${ms(x.p50)} | ${ms(x.p99)} | ${ratio(x.p50, base)} |`;
    }),
    '',
    `${r.count} rounds each after 3 warm-up rounds; the three set-ups (each an app with the router, its own 100 subscribers, and the server it publishes to) run at the same time and take turns round by round. Timed in the subscribers' process, from just before it asks for the request to its last socket receiving the event; the request is sent by the bench driver, so one IPC hop is inside every figure alike.`,
  ];
}
