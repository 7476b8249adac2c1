// Sign-up time against the number of stored records (issue 20, item 9): POST /whatsup/register on
// a router whose store is empty, and on one whose store holds N records (filled directly, N =
// 100,000; 10,000 with BENCH_QUICK), both in one process (bench/sign-up-server.mjs). The two take
// turns request by request (A B, B A, …) so the shared machine's noise hits them alike; each
// sign-up is a new person with a new name. The figure is the ratio of the medians: a check that
// walks the records grows with N; one that looks a name up stays flat.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { here, root, stop, track } from '../processes.mjs';
import { ms, percentile, ratio, target } from '../stats.mjs';

export const title = 'Sign-up against stored records (`POST /whatsup/register`)';

export async function run({ quick, log }) {
  const records = Number(process.env.BENCH_SIGNUP_RECORDS ?? (quick ? 10_000 : 100_000));
  const count = quick ? 100 : 400;
  const child = track(
    fork(join(here, 'sign-up-server.mjs'), {
      cwd: root,
      env: { ...process.env, BENCH_RECORDS: String(records) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  try {
    const t0 = Date.now();
    const [msg] = await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the sign-up server exited (${code}) while filling its store`);
      }),
    ]);
    log(`sign-up: ${records} records filled in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const targets = { empty: msg.empty, filled: msg.filled };
    const times = { empty: [], filled: [] };
    const signUp = async (port, i) => {
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/whatsup/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `bench ${i}`, status: 'hello' }),
      });
      await res.text();
      if (!res.ok) throw new Error(`POST /register answered ${res.status}`);
      return performance.now() - started;
    };
    // Warm-up, not counted: the JIT and the first sessions.
    for (let i = 0; i < 20; i++) for (const name of ['empty', 'filled']) await signUp(targets[name], `w${i}`);
    for (let i = 0; i < count; i++) {
      const order = i % 2 ? ['filled', 'empty'] : ['empty', 'filled'];
      for (const name of order) times[name].push(await signUp(targets[name], i));
    }
    const result = {
      records,
      count,
      empty: { p50: percentile(times.empty, 50), p99: percentile(times.empty, 99) },
      filled: { p50: percentile(times.filled, 50), p99: percentile(times.filled, 99) },
      build: process.env.BENCH_EXPRESS ?? '@whatsup/express',
    };
    log(`sign-up: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await stop(child);
  }
}

export function headline(r) {
  return [
    [
      `sign-up at ${r.records.toLocaleString('en-US')} records, p50`,
      ms(r.filled.p50),
      `empty store ${ms(r.empty.p50)}`,
      ratio(r.filled.p50, r.empty.p50),
      ...target(r.filled.p50, r.empty.p50, 'max', 1.5),
    ],
  ];
}

export function report(r) {
  return [
    '| store | sign-ups | p50 | p99 | ratio of p50 |',
    '|---|---|---|---|---|',
    `| baseline: empty | ${r.count} | ${ms(r.empty.p50)} | ${ms(r.empty.p99)} | 1.00× |`,
    `| ${r.records.toLocaleString('en-US')} records (filled directly) | ${r.count} | ${ms(r.filled.p50)} | ${ms(r.filled.p99)} | **${ratio(r.filled.p50, r.empty.p50)}** |`,
    '',
    `Two routers in one process (\`bench/sign-up-server.mjs\`), each with its own Express app, express-session and MemoryStatusStore, the second filled with ${r.records.toLocaleString('en-US')} records and their names held before the run; ${r.count} sign-ups each, new names, taking turns request by request after 20 of each not counted. Issue 20 asks for a flat line: a name check that walks the records grows with N (before: 6 → 34 ms at 12,000 records).`,
  ];
}
