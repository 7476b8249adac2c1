// 1. Fan-out: one event to N subscribers of one public channel, until the last one has it.
// For each N both servers run side by side, each with its own clients process, and the three
// publishing paths take turns round by round: embedded in-process (realtime.trigger), embedded
// through its HTTP API (pusher library), soketi through its HTTP API (pusher library).
// Also: server RSS growth per subscribed connection.
// Then the same, one server at a time ("alone", the figure a user sees): only one server and its
// clients are up, the clients process calls the pusher library's trigger() itself (the clock starts
// just before it, no IPC hop), and the servers take turns three times (E S, S E, E S), each turn on a
// freshly started server. In-process: one byte over TCP to the server's process, which triggers.
import Pusher from 'pusher';
import {
  credentials,
  request,
  settledRss,
  startClients,
  startEmbedded,
  startSoketi,
  wsUrl,
} from '../processes.mjs';
import { interleavedRounds, kb, ms, ratio, summary, target } from '../stats.mjs';

const TURNS = 3;

export const title = 'Fan-out (one event to N subscribers of one public channel)';

export function sizes({ quick }) {
  if (process.env.BENCH_SIZES) return process.env.BENCH_SIZES.split(',').map(Number);
  return quick ? [100, 1000] : [100, 1000, 5000, 10_000];
}

/**
 * Memory per connection is read from this N up: below it the growth is the allocator's noise, and
 * a settled reading costs ~10 s per server, before and after.
 */
const MEMORY_FROM_N = 1000;

/** Starts the server, measures its settled RSS before and after n clients subscribed. */
async function serverWithClients(start, n, stack) {
  const server = await start();
  stack.push(server);
  const measure = n >= MEMORY_FROM_N;
  const before = measure ? await settledRss(server) : 0;
  const clients = startClients();
  stack.push(clients);
  await request(clients.child, { type: 'connect', url: wsUrl(server.port), n, channel: 'bench' }, 'ready');
  const memory = measure ? ((await settledRss(server)) - before) / n : undefined;
  const http = new Pusher({ ...credentials, host: '127.0.0.1', port: String(server.port), useTLS: false });
  return { server, clients: clients.child, memory, overHttp: () => http.trigger('bench', 'tick', { at: 1 }) };
}

/** One server at a time: fresh server, N clients, rounds, stop; the servers take turns TURNS times. */
async function alone(n, count) {
  const times = { inProcess: [], embeddedHttp: [], soketiHttp: [] };
  const perTurn = Math.ceil(count / TURNS);
  for (let turn = 0; turn < TURNS; turn++) {
    for (const which of turn % 2 ? ['soketi', 'embedded'] : ['embedded', 'soketi']) {
      const stack = [];
      try {
        const server = await (which === 'embedded' ? startEmbedded() : startSoketi());
        stack.push(server);
        const clients = startClients();
        stack.push(clients);
        await request(
          clients.child,
          { type: 'connect', url: wsUrl(server.port), n, channel: 'bench' },
          'ready',
        );
        const http = await request(
          clients.child,
          {
            type: 'httpRounds',
            host: '127.0.0.1',
            port: server.port,
            event: 'tick',
            count: perTurn,
            warmup: 3,
          },
          'httpTimes',
        );
        times[which === 'embedded' ? 'embeddedHttp' : 'soketiHttp'].push(...http.times);
        if (which === 'embedded') {
          const inProcess = await request(
            clients.child,
            { type: 'socketRounds', port: server.triggerPort, event: 'tick', count: perTurn, warmup: 3 },
            'socketTimes',
          );
          times.inProcess.push(...inProcess.times);
        }
      } finally {
        for (const part of stack.reverse()) await part.stop();
      }
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, xs]) => [name, summary(xs)]));
}

const brief = (results) =>
  Object.fromEntries(Object.entries(results).map(([k, { p50, p99 }]) => [k, { p50, p99 }]));

export async function run(ctx) {
  const count = ctx.quick ? 10 : 30;
  const rows = [];
  const skipped = [];
  for (const n of sizes(ctx)) {
    // Scale down when the run would not finish in time: about 25 s per 1,000 subscribers.
    const needed = 30_000 + n * 25;
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
      for (const part of stack.reverse()) await part.stop();
      stack.length = 0;
      const aloneResults = await alone(n, count);
      const row = {
        n,
        results,
        alone: aloneResults,
        memory: { embedded: embedded.memory, soketi: soketi.memory },
      };
      rows.push(row);
      ctx.log(
        `fan-out ${n}: side by side ${JSON.stringify(brief(results))}; alone ${JSON.stringify(brief(aloneResults))}; memory ${JSON.stringify(row.memory)}`,
      );
    } finally {
      for (const part of stack.reverse()) await part.stop();
    }
  }
  return { count, rows, skipped };
}

/**
 * Lines for the summary at the top of BENCHMARKS.md: issue 15's targets at 1,000 and above, from the
 * one-server-at-a-time rounds (what a user sees), and memory per connection at the largest N.
 */
export function headline(r) {
  const lines = [];
  for (const { n, alone: x } of r.rows.filter((row) => row.n >= 1000)) {
    const at = n.toLocaleString('en-US');
    lines.push(
      [
        `fan-out to ${at} p50, embedded in-process (alone)`,
        ms(x.inProcess.p50),
        `soketi ${ms(x.soketiHttp.p50)}`,
        ratio(x.inProcess.p50, x.soketiHttp.p50),
        ...target(x.inProcess.p50, x.soketiHttp.p50, 'max', 0.8),
      ],
      [
        `fan-out to ${at} p50, embedded HTTP API (alone)`,
        ms(x.embeddedHttp.p50),
        `soketi ${ms(x.soketiHttp.p50)}`,
        ratio(x.embeddedHttp.p50, x.soketiHttp.p50),
        ...target(x.embeddedHttp.p50, x.soketiHttp.p50, 'max', 1.0),
      ],
    );
  }
  const last = r.rows[r.rows.length - 1];
  if (last) {
    lines.push([
      `memory per connection at ${last.n.toLocaleString('en-US')} (embedded)`,
      kb(last.memory.embedded),
      `soketi ${kb(last.memory.soketi)}`,
      ratio(last.memory.embedded, last.memory.soketi),
      ...target(last.memory.embedded, last.memory.soketi, 'max', 1.2),
    ]);
  }
  return lines;
}

export function report(r) {
  const cell = (x) => `${ms(x.p50)} / ${ms(x.p99)}`;
  const lines = [
    '**One server at a time** (the figure a user sees; the targets are read here):',
    '',
    '| N | embedded, in-process p50 / p99 | embedded, HTTP API p50 / p99 | soketi, HTTP API p50 / p99 | **embedded in-process ÷ soketi** (p50) | **embedded HTTP ÷ soketi** (p50) |',
    '|---|---|---|---|---|---|',
    ...r.rows.map(
      ({ n, alone: x }) =>
        `| ${n.toLocaleString('en-US')} | ${cell(x.inProcess)} | ${cell(x.embeddedHttp)} | ${cell(x.soketiHttp)} | ${ratio(x.inProcess.p50, x.soketiHttp.p50)} | ${ratio(x.embeddedHttp.p50, x.soketiHttp.p50)} |`,
    ),
    '',
    `${TURNS} turns per server (embedded, soketi; soketi, embedded; embedded, soketi), each on a freshly started server with only its own N subscribers up: ${Math.ceil(r.count / TURNS)} rounds per turn after 3 warm-up rounds, ${TURNS * Math.ceil(r.count / TURNS)} per cell. HTTP API: the subscribers' process itself calls the \`pusher\` library's \`trigger()\` and times from just before that call to its last socket receiving the event (no IPC hop, like an app publishing). In-process: the subscribers' process starts its clock and writes one byte to a TCP port of the server's process, which calls \`realtime.trigger()\` on it (one local hop, as the HTTP request is one; no IPC).`,
    '',
    '**Side by side** (both servers and both client sets up at once, turns round by round; kept for comparison with earlier runs — see bench/README.md for why the two methods differ):',
    '',
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
    if (memory.embedded === undefined) continue;
    lines.push(
      `| ${n.toLocaleString('en-US')} | ${kb(memory.embedded)} | ${kb(memory.soketi)} | ${ratio(memory.embedded, memory.soketi)} |`,
    );
  }
  lines.push(
    '',
    `Settled RSS growth ÷ N, from N = ${MEMORY_FROM_N.toLocaleString('en-US')} (below, the figure is the allocator's noise): each server fresh, RSS read every second (the embedded server, its own process, after a full GC; soketi from \`/proc/<pid>/status\`) for at least 8 s until five readings in a row agree within 1 %, their median, before the N clients connect and after they subscribed. It includes everything the process holds for a connection: the socket and its \`ws\` objects, the server's bookkeeping, and the kernel-side buffers only insofar as they are counted in RSS (they are not).`,
  );
  return lines;
}
