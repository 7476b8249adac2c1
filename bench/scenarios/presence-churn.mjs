// 2. Presence churn: M loops join the presence channel as new members and leave again, back to
// back, while K watchers follow; then memory per presence member. Both servers, one after the other.
import { credentials, request, startClients, startEmbedded, startSoketi, wsUrl } from '../processes.mjs';
import { int, kb, ms, percentile, ratio } from '../stats.mjs';

export const title = 'Presence churn';
const CHANNEL = 'presence-bench-churn';

export async function run({ quick, log }) {
  const K = quick ? 20 : 50;
  const M = quick ? 10 : 20;
  const MEMBERS = quick ? 300 : 1000;
  const durationMs = quick ? 3000 : 6000;
  const results = [];
  for (const start of [startEmbedded, startSoketi]) {
    const server = await start();
    const stack = [server];
    try {
      const common = { url: wsUrl(server.port), channel: CHANNEL, ...credentials };
      const watchers = startClients();
      stack.push(watchers);
      await request(watchers.child, { type: 'connect', n: K, idBase: 'watcher', ...common }, 'ready');

      const churn = await request(watchers.child, { type: 'churn', m: M, durationMs, ...common }, 'churned');
      const result = {
        server: server.name,
        eventsPerSecond: (churn.joins + churn.leaves) / (durationMs / 1000),
        deliveredPerSecond: churn.delivered / (durationMs / 1000),
        delivered: churn.delivered,
        expected: churn.expected,
        joinP50: percentile(churn.joinLatencies, 50),
        joinP99: percentile(churn.joinLatencies, 99),
        memberBytes: await memoryPerMember(start, MEMBERS),
      };
      results.push(result);
      log(`presence churn, ${server.name}: ${JSON.stringify(result)}`);
    } finally {
      for (const part of stack.reverse()) await part.stop();
    }
  }
  return { K, M, MEMBERS, durationMs, results };
}

/** RSS growth of a fresh server while `n` presence members join, ÷ n. */
async function memoryPerMember(start, n) {
  const server = await start();
  const members = startClients();
  try {
    const before = await server.rss();
    const common = { url: wsUrl(server.port), channel: CHANNEL, ...credentials };
    await request(members.child, { type: 'connect', n, idBase: 'member', ...common }, 'ready');
    return ((await server.rss()) - before) / n;
  } finally {
    await members.stop();
    await server.stop();
  }
}

export function report(r) {
  const [e, s] = r.results;
  const row = (x) =>
    `| ${x.server} | ${int(x.eventsPerSecond)} | ${int(x.deliveredPerSecond)} | ${x.delivered} / ${x.expected} | ${ms(x.joinP50)} / ${ms(x.joinP99)} | ${kb(x.memberBytes)} |`;
  return [
    `${r.M} loops, each joining \`${CHANNEL}\` as a new member and leaving again as soon as the join succeeded, for ${r.durationMs / 1000} s, while ${r.K} watchers follow.`,
    '',
    '| server | joins + leaves per second | member events delivered to watchers per second | delivered / expected | join → seen by every watcher, p50 / p99 | memory per presence member |',
    '|---|---|---|---|---|---|',
    row(e),
    row(s),
    `| **ratio embedded ÷ soketi** | ${ratio(e.eventsPerSecond, s.eventsPerSecond)} | ${ratio(e.deliveredPerSecond, s.deliveredPerSecond)} | | ${ratio(e.joinP50, s.joinP50)} | ${ratio(e.memberBytes, s.memberBytes)} |`,
    '',
    `"Delivered / expected" is a count: every join and every leave should reach each of the ${r.K} watchers once. "Join → seen" runs from opening the member's socket to the last watcher's \`member_added\` (all in the clients' process). Memory per presence member is, on a fresh server, the RSS growth (after a GC for the embedded server) while ${r.MEMBERS.toLocaleString('en-US')} more members join, ÷ ${r.MEMBERS.toLocaleString('en-US')}; it includes each member's \`member_added\` to all the others. The embedded server runs in its own process; soketi's RSS is read from \`/proc/<pid>/status\`.`,
  ];
}
