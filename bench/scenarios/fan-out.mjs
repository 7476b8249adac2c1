// 1. Fan-out: one event to N subscribers of one public channel, until the last one has it.
// For each N both servers run side by side, each with its own clients process, and the three
// publishing paths take turns round by round: embedded in-process (realtime.trigger), embedded
// through its HTTP API (pusher library), soketi through its HTTP API (pusher library).
// Also: server RSS growth per subscribed connection.
import Pusher from 'pusher';
import { credentials, request, startClients, startEmbedded, startSoketi, wsUrl } from '../processes.mjs';
import { interleavedRounds, kb, ms, ratio } from '../stats.mjs';

export const title = 'Fan-out (one event to N subscribers of one public channel)';

export function sizes({ quick }) {
  if (process.env.BENCH_SIZES) return process.env.BENCH_SIZES.split(',').map(Number);
  return quick ? [100, 1000] : [100, 1000, 5000, 10_000];
}

/** Starts the server, measures its RSS before and after n clients subscribed. */
async function serverWithClients(start, n, stack) {
  const server = await start();
  stack.push(server);
  const before = await server.rss();
  const clients = startClients();
  stack.push(clients);
  await request(clients.child, { type: 'connect', url: wsUrl(server.port), n, channel: 'bench' }, 'ready');
  const memory = ((await server.rss()) - before) / n;
  const http = new Pusher({ ...credentials, host: '127.0.0.1', port: String(server.port), useTLS: false });
  return { server, clients: clients.child, memory, overHttp: () => http.trigger('bench', 'tick', { at: 1 }) };
}

export async function run(ctx) {
  const count = ctx.quick ? 10 : 30;
  const rows = [];
  const skipped = [];
  for (const n of sizes(ctx)) {
    // Scale down when the run would not finish in time: about 10 s per 1,000 subscribers.
    const needed = 15_000 + n * 10;
    if (ctx.remaining() < needed) {
      skipped.push(n);
      ctx.log(`fan-out: skipping N = ${n}, ${Math.round(ctx.remaining() / 1000)} s left of the budget`);
      continue;
    }
    const stack = [];
    try {
      const embedded = await serverWithClients(startEmbedded, n, stack);
      const soketi = await serverWithClients(startSoketi, n, stack);
      const results = await interleavedRounds(
        [
          {
            name: 'inProcess',
            clients: embedded.clients,
            event: 'tick',
            publish: () =>
              request(
                embedded.server.child,
                { type: 'trigger', channel: 'bench', event: 'tick' },
                'triggered',
              ),
          },
          { name: 'embeddedHttp', clients: embedded.clients, event: 'tick', publish: embedded.overHttp },
          { name: 'soketiHttp', clients: soketi.clients, event: 'tick', publish: soketi.overHttp },
        ],
        { count },
      );
      const row = { n, results, memory: { embedded: embedded.memory, soketi: soketi.memory } };
      rows.push(row);
      ctx.log(`fan-out ${n}: ${JSON.stringify(row)}`);
    } finally {
      for (const part of stack.reverse()) await part.stop();
    }
  }
  return { count, rows, skipped };
}

/** Lines for the summary at the top of BENCHMARKS.md: the largest N measured. */
export function headline(r) {
  const last = r.rows[r.rows.length - 1];
  if (!last) return [];
  const n = last.n.toLocaleString('en-US');
  const x = last.results;
  return [
    [
      `fan-out to ${n} p50, embedded HTTP API`,
      ms(x.embeddedHttp.p50),
      `soketi ${ms(x.soketiHttp.p50)}`,
      ratio(x.embeddedHttp.p50, x.soketiHttp.p50),
    ],
    [
      `fan-out to ${n} p50, embedded in-process`,
      ms(x.inProcess.p50),
      `soketi ${ms(x.soketiHttp.p50)}`,
      ratio(x.inProcess.p50, x.soketiHttp.p50),
    ],
    [
      `memory per connection at ${n} (embedded)`,
      kb(last.memory.embedded),
      `soketi ${kb(last.memory.soketi)}`,
      ratio(last.memory.embedded, last.memory.soketi),
    ],
  ];
}

export function report(r) {
  const cell = (x) => `${ms(x.p50)} / ${ms(x.p99)}`;
  const lines = [
    '| N | embedded, in-process p50 / p99 | embedded, HTTP API p50 / p99 | soketi, HTTP API p50 / p99 | **embedded HTTP ÷ soketi** (p50) | embedded in-process ÷ soketi (p50) |',
    '|---|---|---|---|---|---|',
  ];
  for (const { n, results: x } of r.rows) {
    lines.push(
      `| ${n.toLocaleString('en-US')} | ${cell(x.inProcess)} | ${cell(x.embeddedHttp)} | ${cell(x.soketiHttp)} | ${ratio(x.embeddedHttp.p50, x.soketiHttp.p50)} | ${ratio(x.inProcess.p50, x.soketiHttp.p50)} |`,
    );
  }
  lines.push(
    '',
    `${r.count} rounds per cell after 3 warm-up rounds. For each N both servers run at the same time, each with N subscribers in a clients process of its own, and the three paths take turns round by round (in an order that reverses every turn), so a noisy moment on the machine hits them alike. Subscribers are raw-ws Pusher-protocol clients; their process times each round on its own clock, from just before it tells the driver to publish to its last socket receiving the event. "In-process" is \`realtime.trigger()\` run inside the server's process on an IPC message; "HTTP API" is the \`pusher\` library's \`trigger()\` from the driver. The IPC hop to the driver is inside every figure alike.${r.skipped.length ? ` **Not measured** to stay within the time budget: N = ${r.skipped.map((n) => n.toLocaleString('en-US')).join(', ')}.` : ''}`,
    '',
    '### Memory per connection (server RSS growth ÷ N, each connection subscribed to one public channel)',
    '',
    '| N | embedded | soketi | ratio |',
    '|---|---|---|---|',
  );
  for (const { n, memory } of r.rows) {
    lines.push(
      `| ${n.toLocaleString('en-US')} | ${kb(memory.embedded)} | ${kb(memory.soketi)} | ${ratio(memory.embedded, memory.soketi)} |`,
    );
  }
  lines.push(
    '',
    "RSS after a GC for the embedded server (its own process), from `/proc/<pid>/status` for soketi. At small N the figure is mostly the allocator's noise; read the larger rows.",
  );
  return lines;
}
