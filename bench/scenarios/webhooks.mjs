// Webhooks: the embedded server's fan-out with webhooks enabled (POSTed to a local receiver) vs
// disabled, in the same run. Both servers run at once, each with N subscribers in a clients process
// of its own, and the same presence churn from a second clients process (a member joining every
// 1000/rate ms and leaving 200 ms later, in 3 s stretches until the rounds are done), so the server with webhooks is making, signing and
// POSTing member_added / member_removed / channel_* webhooks while the fan-out rounds are timed.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Pusher from 'pusher';
import { credentials, request, startClients, startEmbedded, wsUrl } from '../processes.mjs';
import { interleavedRounds, int, ms, ratio } from '../stats.mjs';

export const title = 'Webhooks (fan-out with webhooks enabled vs disabled)';

/**
 * CPU seconds (user + system) a process has used, from /proc/<pid>/stat. Latency on a loaded shared
 * machine swings several-fold between runs; CPU time spent on the same work does not.
 */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // fields after "(comm) ": state is [0], utime [11], stime [12], in clock ticks (100 per second)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A webhook receiver in the driver: checks every body with the pusher library, counts events. */
async function startReceiver() {
  const verifier = new Pusher({ ...credentials, host: '127.0.0.1', useTLS: false });
  const counts = { bodies: 0, invalid: 0, events: {} };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const webhook = verifier.webhook({ headers: req.headers, rawBody: Buffer.concat(chunks).toString() });
      if (webhook.isValid()) {
        counts.bodies++;
        for (const event of webhook.getEvents())
          counts.events[event.name] = (counts.events[event.name] ?? 0) + 1;
      } else {
        counts.invalid++;
      }
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/webhooks`,
    counts,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

export async function run(ctx) {
  const n = ctx.quick ? 100 : 200;
  const count = ctx.quick ? 10 : 20;
  const rate = 100;
  const stack = [];
  try {
    const receiver = await startReceiver();
    stack.push(receiver);
    const setups = {};
    for (const [name, env] of [
      ['plain', {}],
      ['hooked', { BENCH_WEBHOOK_URL: receiver.url }],
    ]) {
      const server = await startEmbedded(env);
      stack.push(server);
      const clients = startClients();
      stack.push(clients);
      await request(
        clients.child,
        { type: 'connect', url: wsUrl(server.port), n, channel: 'bench' },
        'ready',
      );
      const churners = startClients();
      stack.push(churners);
      setups[name] = { server, clients: clients.child, churners: churners.child };
    }
    // churn in 3 s stretches until the rounds are done, so every round is timed under it
    let timing = true;
    const churn = async ({ server, churners }) => {
      const total = { joins: 0, leaves: 0 };
      while (timing) {
        const { joins, leaves } = await request(
          churners,
          {
            type: 'steady',
            url: wsUrl(server.port),
            rate,
            holdMs: 200,
            durationMs: 3000,
            channel: 'presence-churn',
            ...credentials,
          },
          'steadied',
        );
        total.joins += joins;
        total.leaves += leaves;
      }
      return total;
    };
    const cpuBefore = {
      plain: cpuSeconds(setups.plain.server.child.pid),
      hooked: cpuSeconds(setups.hooked.server.child.pid),
    };
    const churning = { plain: churn(setups.plain), hooked: churn(setups.hooked) };
    // let the churn reach its pace before timing
    await new Promise((resolve) => setTimeout(resolve, 500));
    const t0 = Date.now();
    let results;
    try {
      results = await interleavedRounds(
        Object.entries(setups).map(([name, { server, clients }]) => ({
          name,
          clients,
          event: 'tick',
          publish: () =>
            request(server.child, { type: 'trigger', channel: 'bench', event: 'tick' }, 'triggered'),
        })),
        { count },
      );
    } finally {
      timing = false;
    }
    const roundsMs = Date.now() - t0;
    const steadied = { plain: await churning.plain, hooked: await churning.hooked };
    const cpu = {
      plain: cpuSeconds(setups.plain.server.child.pid) - cpuBefore.plain,
      hooked: cpuSeconds(setups.hooked.server.child.pid) - cpuBefore.hooked,
    };
    // member_removed waits out the default 3 s grace; then the batch goes out
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const received = { ...receiver.counts, events: { ...receiver.counts.events } };
    // the webhooks still held (grace) and batched are sent during the wait above: count their CPU too
    cpu.hookedAfter = cpuSeconds(setups.hooked.server.child.pid) - cpuBefore.hooked;
    cpu.plainAfter = cpuSeconds(setups.plain.server.child.pid) - cpuBefore.plain;
    const row = { n, count, rate, roundsMs, results, steadied, received, cpu };
    ctx.log(`webhooks: ${JSON.stringify({ ...row, steadied: undefined })}`);
    return row;
  } finally {
    for (const part of stack.reverse()) await part.stop();
  }
}

export function headline(r) {
  return [
    [
      `server CPU time, fan-out + churn, webhooks on`,
      `${r.cpu.hookedAfter.toFixed(2)} s`,
      `webhooks off ${r.cpu.plainAfter.toFixed(2)} s`,
      ratio(r.cpu.hookedAfter, r.cpu.plainAfter),
    ],
    [
      `fan-out to ${int(r.n)} p50 with webhooks on (${r.rate} joins/s churn)`,
      ms(r.results.hooked.p50),
      `webhooks off ${ms(r.results.plain.p50)}`,
      ratio(r.results.hooked.p50, r.results.plain.p50),
    ],
  ];
}

export function report(r) {
  const cell = (x) => `${ms(x.p50)} / ${ms(x.p99)}`;
  const joins = r.steadied.hooked.joins;
  const added = r.received.events.member_added ?? 0;
  const removed = r.received.events.member_removed ?? 0;
  return [
    `| N | webhooks off p50 / p99 | webhooks on p50 / p99 | **on ÷ off** (p50) | on ÷ off (p99) |`,
    '|---|---|---|---|---|',
    `| ${int(r.n)} | ${cell(r.results.plain)} | ${cell(r.results.hooked)} | ${ratio(r.results.hooked.p50, r.results.plain.p50)} | ${ratio(r.results.hooked.p99, r.results.plain.p99)} |`,
    '',
    `| server CPU time (user + system) | webhooks off | webhooks on | **on ÷ off** |`,
    '|---|---|---|---|',
    `| rounds and churn | ${r.cpu.plain.toFixed(2)} s | ${r.cpu.hooked.toFixed(2)} s | ${ratio(r.cpu.hooked, r.cpu.plain)} |`,
    `| … and the 4 s after (held and batched webhooks go out) | ${r.cpu.plainAfter.toFixed(2)} s | ${r.cpu.hookedAfter.toFixed(2)} s | ${ratio(r.cpu.hookedAfter, r.cpu.plain > 0 ? r.cpu.plainAfter : 0)} |`,
    '',
    'Latency on this shared machine swings several-fold between runs (read p50 with care); CPU time spent by each server process on the same work (from `/proc/<pid>/stat`) is the steadier measure of what webhooks cost.',
    '',
    `${r.count} rounds per server after 3 warm-up rounds, in turns (order reversed every turn), publishing in-process (\`realtime.trigger\` on an IPC message) to N subscribers of one public channel. Both embedded servers run at once; one has \`webhooks: { targets: [{ url }] }\` (default events, 3 s grace, 50 ms batches) pointing at a receiver in the driver process that checks every body with the \`pusher\` library's \`webhook().isValid()\`. Both get the same presence churn from a second clients process for as long as the rounds last (${(r.roundsMs / 1000).toFixed(1)} s): ${r.rate} joins/s in 3 s stretches, each member leaving 200 ms after its join.`,
    '',
    `Webhooks received from the server with webhooks on: ${int(r.received.bodies)} bodies (${r.received.invalid} invalid), member_added ${int(added)} and member_removed ${int(removed)} for ${int(joins)} joins and ${int(r.steadied.hooked.leaves)} leaves, channel_occupied ${int(r.received.events.channel_occupied ?? 0)}, channel_vacated ${int(r.received.events.channel_vacated ?? 0)} (presence-churn empties and fills again between members; a refill within the grace sends neither). Counted after waiting out the grace.`,
  ];
}
