// 2. Presence churn: M loops join a presence channel as new members and leave again, back to
// back, while K watchers follow (the most the server sustains); then members joining at a steady
// rate and leaving after a second (join and leave latency). Both servers are up with their
// watchers the whole time and take turns. Then memory per presence member, each server fresh.
import {
  credentials,
  request,
  settledRss,
  startClients,
  startEmbedded,
  startSoketi,
  wsUrl,
} from '../processes.mjs';
import { readFileSync } from 'node:fs';
import { int, kb, ms, percentile, ratio, target } from '../stats.mjs';

export const title = 'Presence churn';
const CHANNEL = 'presence-bench-churn';

export async function run({ quick, log }) {
  const K = quick ? 20 : 50;
  const M = quick ? 10 : 20;
  const MEMBERS = quick ? 300 : 1000;
  const sliceMs = quick ? 1500 : 3000;
  const RATE = quick ? 50 : 100;
  const HOLD_MS = 1000;
  const JOINS = quick ? 5 : 20;
  const stack = [];
  const totals = {};
  const steadyTotals = {};
  try {
    const setups = {};
    for (const start of [startEmbedded, startSoketi]) {
      const server = await start();
      stack.push(server);
      const common = { url: wsUrl(server.port), channel: CHANNEL, ...credentials };
      const watchers = startClients();
      stack.push(watchers);
      await request(watchers.child, { type: 'connect', n: K, idBase: 'watcher', ...common }, 'ready');
      setups[server.name] = { watchers: watchers.child, common };
      totals[server.name] = { joins: 0, leaves: 0, delivered: 0, expected: 0, joinLatencies: [], ms: 0 };
      steadyTotals[server.name] = {
        joins: 0,
        leaves: 0,
        delivered: 0,
        expected: 0,
        joinLatencies: [],
        leaveLatencies: [],
      };
    }
    for (const name of ['embedded', 'soketi', 'soketi', 'embedded']) {
      const { watchers, common } = setups[name];
      const r = await request(watchers, { type: 'churn', m: M, durationMs: sliceMs, ...common }, 'churned');
      const t = totals[name];
      for (const key of ['joins', 'leaves', 'delivered', 'expected']) t[key] += r[key];
      t.joinLatencies.push(...r.joinLatencies);
      t.ms += sliceMs;
    }
    for (const name of ['soketi', 'embedded', 'embedded', 'soketi']) {
      const { watchers, common } = setups[name];
      const r = await request(
        watchers,
        { type: 'steady', rate: RATE, holdMs: HOLD_MS, durationMs: sliceMs, ...common },
        'steadied',
      );
      const t = steadyTotals[name];
      for (const key of ['joins', 'leaves', 'delivered', 'expected']) t[key] += r[key];
      t.joinLatencies.push(...r.joinLatencies);
      t.leaveLatencies.push(...r.leaveLatencies);
    }
  } finally {
    for (const part of stack.reverse()) await part.stop();
  }
  const results = [];
  for (const [name, start] of [
    ['embedded', startEmbedded],
    ['soketi', startSoketi],
  ]) {
    const t = totals[name];
    const result = {
      server: name,
      eventsPerSecond: (t.joins + t.leaves) / (t.ms / 1000),
      deliveredPerSecond: t.delivered / (t.ms / 1000),
      delivered: t.delivered,
      expected: t.expected,
      joinP50: percentile(t.joinLatencies, 50),
      joinP99: percentile(t.joinLatencies, 99),
      ...(await bigRoom(start, MEMBERS, JOINS)),
      steady: {
        delivered: steadyTotals[name].delivered,
        expected: steadyTotals[name].expected,
        joinP50: percentile(steadyTotals[name].joinLatencies, 50),
        joinP99: percentile(steadyTotals[name].joinLatencies, 99),
        leaveP50: percentile(steadyTotals[name].leaveLatencies, 50),
        leaveP99: percentile(steadyTotals[name].leaveLatencies, 99),
      },
    };
    results.push(result);
    log(`presence churn, ${name}: ${JSON.stringify({ ...result })}`);
  }
  return { K, M, MEMBERS, JOINS, RATE, HOLD_MS, durationMs: 2 * sliceMs, results };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * A fresh server while `n` presence members join: its settled RSS growth ÷ n, then `joins` more
 * members joining and leaving one at a time (what the n+1st costs the server and everyone in the room).
 */
async function bigRoom(start, n, joins) {
  const server = await start();
  const members = startClients();
  try {
    const before = await settledRss(server);
    const common = { url: wsUrl(server.port), channel: CHANNEL, ...credentials };
    const t0 = performance.now();
    await request(members.child, { type: 'connect', n, idBase: 'member', ...common }, 'ready');
    const fillMs = performance.now() - t0;
    // The last joins' member_added frames are still being written when the last join succeeds, and
    // the fill's garbage still holds pages: what a member costs is what the server holds once both
    // have gone, not the fill's passing peak.
    const memberBytes = ((await settledRss(server)) - before) / n;
    const cpu0 = cpuSeconds(server.child.pid);
    const r = await request(members.child, { type: 'roomJoins', count: joins, ...common }, 'roomJoined');
    const cpuPerJoin = (cpuSeconds(server.child.pid) - cpu0) / joins;
    return {
      memberBytes,
      fillMs,
      room: {
        members: r.members,
        frameBytes: r.frameBytes,
        succeededP50: percentile(r.succeeded, 50),
        seenP50: percentile(r.seen, 50),
        seenP99: percentile(r.seen, 99),
        leftP50: percentile(r.left, 50),
        cpuPerJoin,
      },
    };
  } finally {
    await members.stop();
    await server.stop();
  }
}

/** Lines for the summary at the top of BENCHMARKS.md. */
export function headline(r) {
  const [e, s] = r.results;
  return [
    [
      'presence churn, joins + leaves/s (embedded)',
      int(e.eventsPerSecond),
      `soketi ${int(s.eventsPerSecond)}`,
      ratio(e.eventsPerSecond, s.eventsPerSecond),
      ...target(e.eventsPerSecond, s.eventsPerSecond, 'min', 1.0),
    ],
    [
      'presence churn, p99 join → seen by every watcher (embedded)',
      ms(e.joinP99),
      `soketi ${ms(s.joinP99)}`,
      ratio(e.joinP99, s.joinP99),
      ...target(e.joinP99, s.joinP99, 'max', 1.0),
    ],
    [
      'memory per presence member (embedded)',
      kb(e.memberBytes),
      `soketi ${kb(s.memberBytes)}`,
      ratio(e.memberBytes, s.memberBytes),
      ...target(e.memberBytes, s.memberBytes, 'max', 1.0),
    ],
  ];
}

export function report(r) {
  const [e, s] = r.results;
  const row = (x) =>
    `| ${x.server} | ${int(x.eventsPerSecond)} | ${int(x.deliveredPerSecond)} | ${int(x.delivered)} / ${int(x.expected)} | ${ms(x.joinP50)} / ${ms(x.joinP99)} | ${kb(x.memberBytes)} |`;
  return [
    `**As fast as it goes** (closed loop): ${r.M} loops, each joining \`${CHANNEL}\` as a new member and leaving again as soon as the join succeeded, while ${r.K} watchers follow: ${r.durationMs / 1000} s per server, in turns of ${r.durationMs / 2000} s (embedded, soketi, soketi, embedded) with both servers and their watchers up the whole time.`,
    '',
    '| server | joins + leaves per second | member events delivered to watchers per second | delivered / expected | join → seen by every watcher, p50 / p99 | memory per presence member |',
    '|---|---|---|---|---|---|',
    row(e),
    row(s),
    `| **ratio embedded ÷ soketi** | ${ratio(e.eventsPerSecond, s.eventsPerSecond)} | ${ratio(e.deliveredPerSecond, s.deliveredPerSecond)} | | ${ratio(e.joinP50, s.joinP50)} | ${ratio(e.memberBytes, s.memberBytes)} |`,
    '',
    `**A big room** (each server fresh, one at a time): ${int(r.MEMBERS)} members fill \`${CHANNEL}\` (every one from its own socket), then ${r.JOINS} more people join it and leave again, one at a time.`,
    '',
    `| server | fill: ${int(r.MEMBERS)} joins | members in the joiner's \`subscription_succeeded\` (its size) | subscribe → \`subscription_succeeded\`, p50 | subscribe → every member has \`member_added\`, p50 / p99 | close → every member has \`member_removed\`, p50 | server CPU per join + leave |`,
    '|---|---|---|---|---|---|---|',
    ...[e, s].map(
      (x) =>
        `| ${x.server} | ${(x.fillMs / 1000).toFixed(1)} s | ${int(x.room.members)} (${kb(x.room.frameBytes)}) | ${ms(x.room.succeededP50)} | ${ms(x.room.seenP50)} / ${ms(x.room.seenP99)} | ${ms(x.room.leftP50)} | ${ms(x.room.cpuPerJoin * 1000)} |`,
    ),
    `| **ratio embedded ÷ soketi** | ${ratio(e.fillMs, s.fillMs)} | | ${ratio(e.room.succeededP50, s.room.succeededP50)} | ${ratio(e.room.seenP50, s.room.seenP50)} | ${ratio(e.room.leftP50, s.room.leftP50)} | ${ratio(e.room.cpuPerJoin, s.room.cpuPerJoin)} |`,
    '',
    `Filling a room is quadratic whatever the server: the k-th joiner's \`subscription_succeeded\` lists all k members and its \`member_added\` goes to the k − 1 others, so n members cost n²/2 member entries and frames on the wire (the fill column). That is why the room here has ${int(r.MEMBERS)} members and not 10,000; the cost of one more join grows with the room linearly (one entry per member in the joiner's frame, one \`member_added\` write per member). Server CPU is read from \`/proc/<pid>/stat\` around the joins (clock ticks of 10 ms, so a figure below a few ms is coarse).`,
    '',
    `**At a steady rate** (open loop): a new member every ${1000 / r.RATE} ms (${r.RATE} joins/s), each leaving with a clean close ${r.HOLD_MS / 1000} s after its join succeeded, so about ${(r.RATE * r.HOLD_MS) / 1000} members are in the channel at any time besides the ${r.K} watchers; ${r.durationMs / 1000} s per server, in turns (soketi, embedded, embedded, soketi).`,
    '',
    '| server | delivered / expected | join → seen by every watcher, p50 / p99 | leave → seen by every watcher, p50 / p99 |',
    '|---|---|---|---|',
    ...[e, s].map(
      (x) =>
        `| ${x.server} | ${int(x.steady.delivered)} / ${int(x.steady.expected)} | ${ms(x.steady.joinP50)} / ${ms(x.steady.joinP99)} | ${ms(x.steady.leaveP50)} / ${ms(x.steady.leaveP99)} |`,
    ),
    `| **ratio embedded ÷ soketi** (p50) | | ${ratio(e.steady.joinP50, s.steady.joinP50)} | ${ratio(e.steady.leaveP50, s.steady.leaveP50)} |`,
    '',
    `"Delivered / expected" is a count: every join and every leave should reach each of the ${r.K} watchers once. "Join → seen" runs from opening the member's socket to the last watcher's \`member_added\`, "leave → seen" from the member's \`close()\` to the last watcher's \`member_removed\` (all in the clients' process, on its clock). Memory per presence member is, on a fresh server, the settled RSS growth while ${r.MEMBERS.toLocaleString('en-US')} members join, ÷ ${r.MEMBERS.toLocaleString('en-US')}: RSS read every second (the embedded server after a full GC; soketi's from \`/proc/<pid>/status\`) until three readings in a row agree within 1 %, their median, before and after the fill (so the fill's \`member_added\` frames have drained and its garbage has been given back; a single reading right after the fill varied by 2×).`,
  ];
}
