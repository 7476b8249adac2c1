// npm run bench: speed, scale and size, every figure a ratio against a baseline measured in the
// same run (the machines here are shared and noisy) or a count that does not depend on the clock.
// Runs the scenarios under bench/scenarios/ one after the other and writes BENCHMARKS.md.
//   BENCH_QUICK=1          smaller sizes and fewer rounds (about 2 minutes)
//   BENCH_ONLY=size,auth-route   only these scenarios (names of the files in bench/scenarios/)
//   BENCH_SIZES=100,1000   fan-out sizes
//   BENCH_BUDGET_S=540     time budget; fan-out drops its largest sizes to stay within it
//   BENCH_OUT=path         where to write the report (default BENCHMARKS.md at the root)
//   BENCH_NO_BUILD=1       never run `npm run build`, even when a package is not built yet
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { SOKETI, killAll, root } from './processes.mjs';
import * as size from './scenarios/size.mjs';
import * as element from './scenarios/element.mjs';
import * as authRoute from './scenarios/auth-route.mjs';
import * as statusRoundTrip from './scenarios/status-round-trip.mjs';
import * as presenceChurn from './scenarios/presence-churn.mjs';
import * as fanOut from './scenarios/fan-out.mjs';
import * as webhooks from './scenarios/webhooks.mjs';
import * as firstStart from './scenarios/first-start.mjs';
import * as slowBody from './scenarios/slow-body.mjs';
import * as signUp from './scenarios/sign-up.mjs';
import * as recovery from './scenarios/recovery.mjs';
import * as timeToPresence from './scenarios/time-to-presence.mjs';
import * as sharedConnection from './scenarios/shared-connection.mjs';

const started = Date.now();
const quick = process.env.BENCH_QUICK === '1';
const budgetMs = Number(process.env.BENCH_BUDGET_S ?? (quick ? 240 : 900)) * 1000;
const only = process.env.BENCH_ONLY?.split(',');
const log = (line) =>
  console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
const ctx = { quick, log, remaining: () => budgetMs - (Date.now() - started) };

/** The server scenarios need the built packages; each answers why not if they are missing. */
async function serversAvailable() {
  try {
    const { createRealtimeServer } = await import('@whatsup/realtime');
    if (typeof createRealtimeServer !== 'function')
      return '@whatsup/realtime does not export createRealtimeServer';
  } catch (err) {
    return `@whatsup/realtime cannot be loaded (npm run build): ${err.message.split('\n')[0]}`;
  }
  try {
    const { whatsup } = await import('@whatsup/express');
    if (typeof whatsup !== 'function') return '@whatsup/express does not export whatsup';
  } catch (err) {
    return `@whatsup/express cannot be loaded (npm run build): ${err.message.split('\n')[0]}`;
  }
  return '';
}

const BUILT = [
  'packages/realtime/dist/index.js',
  'packages/express/dist/index.js',
  'packages/presence-element/dist/whatsup-presence.bundle.min.js',
  'packages/presence-element/dist/whatsup-presence.bundle.esm.min.js',
];

/** A fresh clone has no dist/: build once, so `npm run bench` works on its own. */
function buildIfNeeded() {
  const missing = BUILT.filter((file) => !existsSync(join(root, file)));
  if (missing.length === 0 || process.env.BENCH_NO_BUILD === '1') return;
  log(`not built yet (${missing.join(', ')}): npm run build`);
  const { status } = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (status !== 0) log(`npm run build failed (${status}); the scenarios that need it say so`);
}

/** A scenario that hangs (a lost frame, a server that never answers) must not hang the run. */
async function withDeadline(promise, ms) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => {
      killAll();
      reject(new Error(`did not finish within ${Math.round(ms / 1000)} s; its processes were stopped`));
    }, ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function main() {
  buildIfNeeded();
  const servers = await serversAvailable();
  const soketi = (() => {
    try {
      execFileSync(process.execPath, [SOKETI, '--version'], { stdio: 'ignore', timeout: 20_000 });
      return '';
    } catch {
      return `soketi is not installed (${SOKETI})`;
    }
  })();
  const withServers =
    (extra = '') =>
    () =>
      servers || extra;
  const scenarios = [
    ['first-start', firstStart, firstStart.available],
    ['size', size, size.available],
    ['element', element, element.available],
    ['auth-route', authRoute, withServers()],
    ['status-round-trip', statusRoundTrip, withServers(soketi)],
    ['presence-churn', presenceChurn, withServers(soketi)],
    ['fan-out', fanOut, withServers(soketi)],
    ['webhooks', webhooks, withServers()],
    ['slow-body', slowBody, withServers()],
    ['sign-up', signUp, withServers()],
    ['recovery', recovery, withServers(soketi || recovery.available())],
    ['time-to-presence', timeToPresence, () => servers || timeToPresence.available()],
    ['shared-connection', sharedConnection, () => servers || sharedConnection.available()],
  ];
  const sections = [];
  const summary = [];
  for (const [name, scenario, available] of scenarios) {
    if (only && !only.includes(name)) continue;
    const missing = available();
    const t0 = Date.now();
    let body;
    if (missing) {
      body = [`Not measured: ${missing}.`];
      log(`${name}: not measured: ${missing}`);
    } else {
      log(`${name}: running`);
      try {
        const result = await withDeadline(scenario.run(ctx), Math.max(60_000, ctx.remaining() + 30_000));
        body = scenario.report(result);
        summary.push(...scenario.headline(result));
      } catch (err) {
        body = [`Not measured: the scenario failed: \`${String(err?.message ?? err).split('\n')[0]}\`.`];
        log(`${name}: failed: ${err?.stack ?? err}`);
      }
    }
    const seconds = Math.round((Date.now() - t0) / 1000);
    log(`${name}: ${seconds} s`);
    sections.push(
      `## ${scenario.title}`,
      '',
      ...body,
      '',
      `<sub>scenario \`bench/scenarios/${name}.mjs\`, ${seconds} s</sub>`,
      '',
    );
  }
  const glance = [
    '## At a glance',
    '',
    '| | ours | baseline, same run | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...summary.map((cells) => `| ${[...cells, '', ''].slice(0, 6).join(' | ')} |`),
    '',
    "Ratio = ours ÷ baseline. For times, bytes and memory below 1× is better than the baseline; for requests/s and joins + leaves/s above 1× is better. The target is the bound issue 15 sets on that ratio (for the first start, issue 25's bound in seconds). Details and method for each line in the sections below.",
    '',
  ];
  writeFileSync(
    process.env.BENCH_OUT ?? join(root, 'BENCHMARKS.md'),
    [...header(), ...(summary.length ? glance : []), ...sections].join('\n'),
  );
  log(`wrote ${process.env.BENCH_OUT ?? 'BENCHMARKS.md'}`);
}

function header() {
  const env = ['BENCH_QUICK', 'BENCH_ONLY', 'BENCH_SIZES', 'BENCH_BUDGET_S']
    .filter((name) => process.env[name])
    .map((name) => `${name}=${process.env[name]} `)
    .join('');
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return [
    '# Benchmarks',
    '',
    `Generated by \`${env}npm run bench\` (bench/run.mjs; see [bench/README.md](bench/README.md) for what each scenario does and how to read it).`,
    '',
    '| | |',
    '|---|---|',
    `| date | ${new Date().toISOString()} |`,
    `| machine | ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${process.platform} ${process.arch} |`,
    `| Node | ${process.version} |`,
    `| commit | ${commit} |`,
    `| whole run | ${Math.round((Date.now() - started) / 1000)} s |`,
    `| servers | embedded: \`createRealtimeServer()\` + \`whatsup()\` + express-session in a child process (bench/embedded-server.mjs); soketi: \`node ${SOKETI.replace(`${root}/`, '')} start\` with \`SOKETI_PORT=<free port> SOKETI_DEFAULT_APP_ID=app-id SOKETI_DEFAULT_APP_KEY=app-key SOKETI_DEFAULT_APP_SECRET=app-secret\` (limits lifted); all on 127.0.0.1, no TLS |`,
    `| browser | \`${element.CHROMIUM_ARGS.join(' ')}\` headless via playwright-core |`,
    '',
    'The machine is shared and noisy: read the ratios, which compare things measured side by side in the same run; absolute times are indicative only. Sizes and delivered/expected counts do not depend on the clock.',
    '',
  ];
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
