// 3. POST /status (real @whatsup/express, express-session, signed in through POST /register) until
// the status-updated event reached all 100 presence subscribers: the router publishing in-process
// to the embedded server, through the pusher library to the embedded server's HTTP API, and
// through the pusher library to soketi.
import {
  credentials,
  register,
  startClients,
  startEmbedded,
  startSoketi,
  wsUrl,
  freePort,
  request,
} from '../processes.mjs';
import { ms, ratio, rounds } from '../stats.mjs';

export const title = 'Status round trip (`POST /status` → `status-updated` at 100 presence subscribers)';
const SUBSCRIBERS = 100;

export async function run({ quick, log }) {
  const count = quick ? 15 : 40;
  const results = [];
  for (const path of ['embedded in-process', 'embedded over its HTTP API', 'soketi over its HTTP API']) {
    const stack = [];
    try {
      let wsPort;
      let server;
      if (path.startsWith('soketi')) {
        const soketi = await startSoketi();
        stack.push(soketi);
        server = await startEmbedded({ BENCH_PUBLISH: 'http', BENCH_PUSHER_PORT: String(soketi.port) });
        wsPort = soketi.port;
      } else if (path.includes('HTTP')) {
        const port = await freePort();
        server = await startEmbedded({
          BENCH_PORT: String(port),
          BENCH_PUBLISH: 'http',
          BENCH_PUSHER_PORT: String(port),
        });
        wsPort = port;
      } else {
        server = await startEmbedded();
        wsPort = server.port;
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
      const r = await rounds(clients.child, count, 'status-updated', async (i) => {
        const res = await fetch(`${base}/status`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ status: `round ${i}` }),
        });
        if (!res.ok) throw new Error(`POST /status answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      });
      results.push({ path, ...r });
      log(`status round trip, ${path}: p50 ${ms(r.p50)}, p99 ${ms(r.p99)}`);
    } finally {
      for (const part of stack.reverse()) await part.stop();
    }
  }
  return { count, results };
}

export function report(r) {
  const base = r.results[0].p50;
  return [
    '| publishing path | p50 | p99 | p50 ratio to in-process |',
    '|---|---|---|---|',
    ...r.results.map((x) => `| ${x.path} | ${ms(x.p50)} | ${ms(x.p99)} | ${ratio(x.p50, base)} |`),
    '',
    `${r.count} rounds each. Timed in the subscribers' process, from just before it asks for the request to its last socket receiving the event (the request is sent by the bench driver: one IPC hop is inside every figure alike).`,
  ];
}
