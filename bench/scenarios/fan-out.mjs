// 1. Fan-out: one event to N subscribers of one public channel, until the last one has it.
// Embedded server (published in-process, and through its HTTP API with the pusher library) and
// soketi (HTTP API, pusher library), one after the other for each N; and server RSS per connection.
import Pusher from 'pusher';
import { credentials, request, startClients, startEmbedded, startSoketi, wsUrl } from '../processes.mjs';
import { kb, ms, ratio, rounds } from '../stats.mjs';

export const title = 'Fan-out (one event to N subscribers of one public channel)';

export function sizes({ quick }) {
  if (process.env.BENCH_SIZES) return process.env.BENCH_SIZES.split(',').map(Number);
  return quick ? [100, 1000] : [100, 1000, 5000, 10_000];
}

export async function run(ctx) {
  const count = ctx.quick ? 10 : 30;
  const rows = [];
  const skipped = [];
  for (const n of sizes(ctx)) {
    // Scale down when the run would not finish in time: ~12 s per 1,000 subscribers for both servers.
    const needed = 20_000 + n * 12;
    if (ctx.remaining() < needed) {
      skipped.push(n);
      ctx.log(`fan-out: skipping N = ${n}, ${Math.round(ctx.remaining() / 1000)} s left of the budget`);
      continue;
    }
    const row = { n, results: {}, memory: {} };
    for (const start of [startEmbedded, startSoketi]) {
      const server = await start();
      const stack = [server];
      try {
        const http = new Pusher({
          ...credentials,
          host: '127.0.0.1',
          port: String(server.port),
          useTLS: false,
        });
        const before = await server.rss();
        const clients = startClients();
        stack.push(clients);
        await request(
          clients.child,
          { type: 'connect', url: wsUrl(server.port), n, channel: 'bench' },
          'ready',
        );
        row.memory[server.name] = ((await server.rss()) - before) / n;
        const overHttp = () => http.trigger('bench', 'tick', { at: 1 });
        if (server.name === 'embedded') {
          row.results.inProcess = await rounds(clients.child, count, 'tick', () =>
            request(server.child, { type: 'trigger', channel: 'bench', event: 'tick' }, 'triggered'),
          );
          row.results.embeddedHttp = await rounds(clients.child, count, 'tick', overHttp);
        } else {
          row.results.soketiHttp = await rounds(clients.child, count, 'tick', overHttp);
        }
      } finally {
        for (const part of stack.reverse()) await part.stop();
      }
    }
    rows.push(row);
    ctx.log(`fan-out ${n}: ${JSON.stringify(row)}`);
  }
  return { count, rows, skipped };
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
    `${r.count} rounds per cell. Subscribers are raw-ws Pusher-protocol clients in a separate process, which times each round on its own clock: from just before it tells the driver to publish to its last socket receiving the event. "In-process" is \`realtime.trigger()\` run inside the server's process on an IPC message; "HTTP API" is the \`pusher\` library's \`trigger()\` from the driver. The IPC hop to the driver is inside every figure alike.${r.skipped.length ? ` Not measured to stay within the time budget: N = ${r.skipped.join(', ')}.` : ''}`,
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
  lines.push('', 'At small N the figure is mostly noise of the allocator; read the larger rows.');
  return lines;
}
