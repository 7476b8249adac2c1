// 1. Fan-out: one event to N subscribers of one public channel, until the last one has it.
// One server at a time ("alone", the figure a user sees, measured at every N): only one server and
// its clients are up, the clients process calls the pusher library's trigger() itself (the clock
// starts just before it, no IPC hop), and the servers take turns three times (E S, S E, E S), each
// turn on a freshly started server. In-process: one byte over TCP to the server's process, which
// triggers. The first turn of each server also measures its RSS growth per subscribed connection.
// Below SIDE_BY_SIDE_BELOW_N also side by side (the earlier method): both servers run at once, each
// with its own clients process, and the three publishing paths take turns round by round: embedded
// in-process (realtime.trigger), embedded through its HTTP API (pusher library), soketi through its
// HTTP API (pusher library).
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

/**
 * Turns per server in the one-at-a-time rounds: E S, S E, E S. At 10,000 two (E S, S E, still
 * balanced): each turn refills a fresh server, and soketi's fill is quadratic (its local adapter
 * counts the channel's sockets by copying them into a new Map at every subscribe: 19 s of CPU for
 * 10,000 subscribers, 4 s for 5,000), so a third pair of turns would cost about 30 s.
 */
const turnsFor = (n) => (n >= 10_000 ? 2 : 3);

export const title = 'Fan-out (one event to N subscribers of one public channel)';

export function sizes({ quick }) {
  if (process.env.BENCH_SIZES) return process.env.BENCH_SIZES.split(',').map(Number);
  return quick ? [100, 1000] : [100, 1000, 5000, 10_000];
}

/**
 * Memory per connection is read from this N up: below it the growth is the allocator's noise (at
 * 1,000 soketi's figure was −10.5 kB in one run and 17.8 kB in another), and a settled reading costs
 * 8–20 s per server, before and after.
 */
const MEMORY_FROM_N = 5000;

/**
 * The side-by-side method runs below this N only: at 5,000 and 10,000 its two servers and two
 * clients processes (20,000 sockets at 10,000) cost a minute per N and the targets are not read
 * from it; one server at a time measures every N.
 */
const SIDE_BY_SIDE_BELOW_N = 5000;

/** Starts the server and connects n subscribed clients; the side-by-side rounds publish through it. */
async function serverWithClients(start, n, stack) {
  const server = await start();
  stack.push(server);
  const clients = startClients();
  stack.push(clients);
  await request(clients.child, { type: 'connect', url: wsUrl(server.port), n, channel: 'bench' }, 'ready');
  const http = new Pusher({ ...credentials, host: '127.0.0.1', port: String(server.port), useTLS: false });
  return { server, clients: clients.child, overHttp: () => http.trigger('bench', 'tick', { at: 1 }) };
}

/**
 * One server at a time: fresh server, N clients, rounds, stop; the servers take turns (turnsFor).
 * In each server's first turn (from N = MEMORY_FROM_N) its settled RSS is read before the clients
 * connect and after they subscribed: memory per connection, each server fresh and alone.
 */
async function alone(n, count, remaining) {
  // serverPublish: in the server's process, trigger() until it returned (every socket's write()
  // returned); firstArrival: the first subscriber's arrival in the same in-process rounds
  const times = { inProcess: [], embeddedHttp: [], soketiHttp: [], serverPublish: [], firstArrival: [] };
  const memory = { embedded: undefined, soketi: undefined };
  const turns = turnsFor(n);
  const perTurn = Math.ceil(count / turns);
  let turnsDone = 0;
  for (let turn = 0; turn < turns; turn++) {
    // a machine slower than neededMs assumed: stop after a whole turn of both servers rather than
    // have the scenario's deadline stop everything (the row says how many turns it has)
    if (turn > 0 && remaining() < 30_000) break;
    turnsDone = turn + 1;
    for (const which of turn % 2 ? ['soketi', 'embedded'] : ['embedded', 'soketi']) {
      const stack = [];
      try {
        const server = await (which === 'embedded' ? startEmbedded() : startSoketi());
        stack.push(server);
        const measure = turn === 0 && n >= MEMORY_FROM_N;
        const before = measure ? await settledRss(server) : 0;
        const clients = startClients();
        stack.push(clients);
        await request(
          clients.child,
          { type: 'connect', url: wsUrl(server.port), n, channel: 'bench' },
          'ready',
        );
        if (measure) memory[which] = ((await settledRss(server)) - before) / n;
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
          times.firstArrival.push(...inProcess.firsts);
          const published = await request(server.child, { type: 'publishTimes' }, 'publishTimes');
          times.serverPublish.push(...published.times.slice(-inProcess.times.length));
        }
      } finally {
        for (const part of stack.reverse()) await part.stop();
      }
    }
  }
  return {
    results: Object.fromEntries(Object.entries(times).map(([name, xs]) => [name, summary(xs)])),
    memory,
    turns: turnsDone,
    planned: turns,
  };
}

const brief = (results) =>
  Object.fromEntries(Object.entries(results).map(([k, { p50, p99 }]) => [k, { p50, p99 }]));

/**
 * What one N may take, to stay within the budget. Measured on the 2-core machine (1 Dec 2026):
 * 10,000 took 108 s at a load average below 1.5, 153 s at 4 and 293 s at 7; 5,000 85 s, 109 s and
 * 159 s. The whole scenario took 248 s at the lowest load.
 */
function neededMs(n) {
  return 20_000 + n * 22;
}

export async function run(ctx) {
  const count = ctx.quick ? 10 : 30;
  const rows = [];
  const skipped = [];
  for (const n of sizes(ctx)) {
    const needed = neededMs(n);
    if (ctx.remaining() < needed) {
      skipped.push(n);
      ctx.log(`fan-out: skipping N = ${n}, ${Math.round(ctx.remaining() / 1000)} s left of the budget`);
      continue;
    }
    const started = Date.now();
    let results;
    if (n < SIDE_BY_SIDE_BELOW_N) {
      const stack = [];
      try {
        const embedded = await serverWithClients(startEmbedded, n, stack);
        const soketi = await serverWithClients(startSoketi, n, stack);
        results = await interleavedRounds(
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
      } finally {
        for (const part of stack.reverse()) await part.stop();
      }
    }
    const { results: aloneResults, memory, turns, planned } = await alone(n, count, ctx.remaining);
    const row = { n, results, alone: aloneResults, memory, turns, planned };
    rows.push(row);
    ctx.log(
      `fan-out ${n} (${Math.round((Date.now() - started) / 1000)} s): ${results ? `side by side ${JSON.stringify(brief(results))}; ` : ''}alone ${JSON.stringify(brief(aloneResults))}; memory ${JSON.stringify(row.memory)}`,
    );
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
  // the largest N whose memory was measured (not below MEMORY_FROM_N)
  const last = r.rows.filter((row) => row.memory.embedded !== undefined).at(-1);
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
    `3 turns per server (embedded, soketi; soketi, embedded; embedded, soketi; at 10,000 the first two only, as soketi's fill takes 20 s there), each on a freshly started server with only its own N subscribers up: ${Math.ceil(r.count / 3)} rounds per turn (${Math.ceil(r.count / 2)} with two turns) after 3 warm-up rounds, ${3 * Math.ceil(r.count / 3)} per cell. HTTP API: the subscribers' process itself calls the \`pusher\` library's \`trigger()\` and times from just before that call to its last socket receiving the event (no IPC hop, like an app publishing). In-process: the subscribers' process starts its clock and writes one byte to a TCP port of the server's process, which calls \`realtime.trigger()\` on it (one local hop, as the HTTP request is one; no IPC).${r.skipped.length ? ` **Not measured** to stay within the time budget: N = ${r.skipped.map((n) => n.toLocaleString('en-US')).join(', ')}.` : ''}${r.rows
      .filter((row) => row.turns < row.planned)
      .map(
        (row) =>
          ` At N = ${row.n.toLocaleString('en-US')} ${row.turns} of ${row.planned} turns, to stay within the time budget (${row.alone.inProcess.rounds} rounds per cell).`,
      )
      .join('')}`,
    '',
    '**Where an in-process round goes** (the same one-at-a-time rounds): the server publishes, then the clients process reads N sockets on the same two cores:',
    '',
    '| N | server: `trigger()` until every `write()` returned, p50 | first subscriber has it, p50 | last subscriber has it, p50 | server share of the round |',
    '|---|---|---|---|---|',
    ...r.rows.map(
      ({ n, alone: x }) =>
        `| ${n.toLocaleString('en-US')} | ${ms(x.serverPublish.p50)} | ${ms(x.firstArrival.p50)} | ${ms(x.inProcess.p50)} | ${Math.round((100 * x.serverPublish.p50) / x.inProcess.p50)} % |`,
    ),
    '',
    "The server's time is measured in its own process around `realtime.trigger()`, which is synchronous up to its promise: when it returns, every subscriber's frame is in the kernel. The rest of the round is the clients process finishing its reading of N frames (it starts while the server is still writing; both share the two cores). Two thirds of the server's share is the kernel's `write()` per socket (see bench/README.md, \"Fan-out: where the time goes\").",
    '',
    '**Side by side** (both servers and both client sets up at once, turns round by round; kept for comparison with earlier runs — see bench/README.md for why the two methods differ):',
    '',
    '| N | embedded, in-process p50 / p99 | embedded, HTTP API p50 / p99 | soketi, HTTP API p50 / p99 | **embedded HTTP ÷ soketi** (p50) | embedded in-process ÷ soketi (p50) |',
    '|---|---|---|---|---|---|',
  ];
  for (const { n, results: x } of r.rows.filter((row) => row.results !== undefined)) {
    lines.push(
      `| ${n.toLocaleString('en-US')} | ${cell(x.inProcess)} | ${cell(x.embeddedHttp)} | ${cell(x.soketiHttp)} | ${ratio(x.embeddedHttp.p50, x.soketiHttp.p50)} | ${ratio(x.inProcess.p50, x.soketiHttp.p50)} |`,
    );
  }
  lines.push(
    '',
    `${r.count} rounds per cell after 3 warm-up rounds. For each N both servers run at the same time, each with N subscribers in a clients process of its own, and the three paths take turns round by round (in an order that reverses every turn), so a noisy moment on the machine hits them alike. Subscribers are raw-ws Pusher-protocol clients; their process times each round on its own clock, from just before it tells the driver to publish to its last socket receiving the event. "In-process" is \`realtime.trigger()\` run inside the server's process on an IPC message; "HTTP API" is the \`pusher\` library's \`trigger()\` from the driver. The IPC hop to the driver is inside every figure alike. Side by side runs below N = ${SIDE_BY_SIDE_BELOW_N.toLocaleString('en-US')} only: above, its two servers and two clients processes cost about a minute per N and the targets are read from the first table.`,
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
    `Settled RSS growth ÷ N, from N = ${MEMORY_FROM_N.toLocaleString('en-US')} (below, the figure is the allocator's noise), in each server's first turn of the one-at-a-time rounds: each server fresh and alone, RSS read every second (the embedded server, its own process, after a full GC; soketi from \`/proc/<pid>/status\`) for at least 8 s until five readings in a row agree within 1 %, their median, before the N clients connect and after they subscribed. It includes everything the process holds for a connection: the socket and its \`ws\` objects, the server's bookkeeping, and the kernel-side buffers only insofar as they are counted in RSS (they are not).`,
  );
  return lines;
}
