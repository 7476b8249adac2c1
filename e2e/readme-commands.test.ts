// Every shell command the READMEs show, run as printed on a fresh copy of the repository (no
// node_modules, no dist/; one `npm ci` from the local npm cache first), so a README that drifts
// fails CI. Each command must have an entry in `plan` below and each entry must still be in a
// README: a new command, or a changed one, fails here until it is run (or excluded with a reason).
// The environment picks free ports (PORT, the scale-out ports); the command strings are untouched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { commands, fences } from './docs.js';
import { Panel } from './panel.js';
import { freePort, launch, root, waitFor } from './support.js';

const READMES = [
  'README.md',
  'packages/realtime/README.md',
  'packages/express/README.md',
  'packages/presence-element/README.md',
  'examples/basic/README.md',
  'examples/existing-app/README.md',
  'examples/scale-out/README.md',
  'packages/presence-element/examples/README.md',
];

type Plan =
  | { how: 'run' | 'serve' | 'announce'; cwd?: string }
  | { how: 'elsewhere'; why: string }
  | { how: 'excluded'; why: string };

/** `file: command` → how this test covers it. */
const plan: Record<string, Plan> = {
  'README.md: npm install && npm start': { how: 'serve' },
  'README.md: npm test': {
    how: 'excluded',
    why: 'it is the suite this test runs in; .ci/run runs it on a fresh machine',
  },
  'README.md: npm run announce -- "Lunch is served on the 3rd floor"': { how: 'announce' },
  'README.md: npm run pack': {
    how: 'elsewhere',
    why: 'run as printed by e2e/registry.test.ts in its copy of the repository, which then installs the tarballs from an app beside it',
  },
  'README.md: npm install ../whatsup/packs/*.tgz express express-session': {
    how: 'elsewhere',
    why: 'run as printed by e2e/registry.test.ts in a new app beside its copy of the repository (at ../whatsup)',
  },
  'README.md: npm install @whatsup/express @whatsup/realtime @whatsup/presence express express-session': {
    how: 'elsewhere',
    why: 'run as printed by e2e/registry.test.ts in four new apps, against a local registry the packages were published to as RELEASING.md says',
  },
  'packages/express/README.md: npm install @whatsup/express express express-session': {
    how: 'elsewhere',
    why: 'e2e/tarball.test.ts installs @whatsup/express from its pack, and e2e/registry.test.ts by name from a local registry, each with express and express-session',
  },
  'packages/express/README.md: npx whatsup-announce "Lunch is served on the 3rd floor"': {
    how: 'elsewhere',
    why: 'run as printed by e2e/tarball.test.ts in the app it installs, against that running app',
  },
  'packages/realtime/README.md: npm install @whatsup/realtime': {
    how: 'elsewhere',
    why: 'e2e/tarball.test.ts installs @whatsup/realtime from its pack, and e2e/registry.test.ts by name from a local registry',
  },
  'packages/realtime/README.md: npx whatsup-realtime --port 6001': {
    how: 'excluded',
    why: 'a fixed port on a shared machine; the same CLI is run on a free port by packages/realtime/src/test/cli.test.ts, and e2e/tarball.test.ts checks the bin is linked in an installed app',
  },
  'packages/realtime/README.md: WHATSUP_KEY=my-key WHATSUP_SECRET=… npx whatsup-realtime --host 0.0.0.0': {
    how: 'excluded',
    why: 'listens on every interface with a placeholder secret (tests listen on 127.0.0.1 only)',
  },
  'packages/realtime/README.md: NODE_DEBUG=whatsup node server.js': {
    how: 'elsewhere',
    why: "e2e/tarball.test.ts starts the README's app with exactly this command",
  },
  'packages/realtime/README.md: cd ../.. && WHATSUP_PKG=protocol npx rollup -c && WHATSUP_PKG=realtime npx rollup -c && node --test --test-reporter=spec packages/realtime/dist/test/':
    { how: 'run', cwd: 'packages/realtime' },
  'examples/basic/README.md: npm install && npm start': { how: 'serve' },
  'packages/presence-element/examples/README.md: npm install && npm start': { how: 'serve' },
  'examples/basic/README.md: npm run announce -- "Lunch is served on the 3rd floor"': { how: 'announce' },
  'examples/existing-app/README.md: npm install': { how: 'run' },
  'examples/existing-app/README.md: npm start -w examples/existing-app': { how: 'serve' },
  'examples/scale-out/README.md: npm install && npm run scale-out': { how: 'serve' },
  'examples/scale-out/README.md: PORT=3001 REDIS_URL=redis://127.0.0.1:6379 SESSION_SECRET=… PUSHER_APP_ID=app-id PUSHER_KEY=app-key PUSHER_SECRET=app-secret PUSHER_HOST=127.0.0.1 PUSHER_PORT=6001 PUSHER_USE_TLS=false npm start --workspace examples/scale-out':
    {
      how: 'excluded',
      why: 'names fixed ports (3001, 6379, 6001) in the command itself, on a shared machine; `npm run scale-out` above starts the same server.js with the same variables on free ports, and e2e/scale-out.test.ts drives it',
    },
  'examples/scale-out/README.md: PUSHER_APP_ID=123456 PUSHER_KEY=abcdef0123456789 PUSHER_SECRET=… PUSHER_CLUSTER=eu REDIS_URL=… SESSION_SECRET=… PORT=3001 npm start --workspace examples/scale-out':
    { how: 'excluded', why: 'needs a Pusher Channels account and the internet' },
};

/** Every `file: command` the READMEs show in sh/bash/shell blocks. */
function documented(): Map<string, { file: string; command: string }> {
  const found = new Map<string, { file: string; command: string }>();
  for (const file of READMES) {
    for (const fence of fences(file)) {
      if (!['sh', 'bash', 'shell', 'console'].includes(fence.lang)) continue;
      for (const command of commands(fence.text)) found.set(`${file}: ${command}`, { file, command });
    }
  }
  return found;
}

/** This process's environment without what an outer `npm test` put there (it would point npm at this checkout). */
const clean = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) =>
      !/^npm_/i.test(name) &&
      // set for the test runner's children: a `node --test` in a command would think it is nested
      name !== 'NODE_TEST_CONTEXT' &&
      ![
        'INIT_CWD',
        'PORT',
        'PUSHER_APP_ID',
        'PUSHER_KEY',
        'PUSHER_SECRET',
        'PUSHER_HOST',
        'PUSHER_CLUSTER',
      ].includes(name),
  ),
);

interface Proc {
  child: ChildProcess;
  output: () => string;
}

describe('every README command, as printed, on a fresh copy of the repository', () => {
  const dir = mkdtempSync(join(tmpdir(), 'whatsup-readme-'));
  const copy = join(dir, 'whatsup');
  const all = documented();
  const done = new Set<string>();
  const running = new Set<ChildProcess>();
  let browser: Browser;
  // Free ports for whatever the commands start; offline installs from the shared npm cache.
  const env: Record<string, string> = {
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };

  /** Starts a command line in its own process group (npm → sh → node), output collected. */
  function start(command: string, cwd: string): Proc {
    const child = spawn('sh', ['-c', command], {
      cwd,
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    child.on('exit', () => running.delete(child));
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    return { child, output: () => output };
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 8000);
    await exited;
    clearTimeout(timer);
  }

  async function finish(proc: Proc): Promise<{ code: number; output: string }> {
    const [code] = (
      proc.child.exitCode !== null ? [proc.child.exitCode] : await once(proc.child, 'exit')
    ) as [number];
    return { code, output: proc.output() };
  }

  /** The README's command, in its folder (or the one `plan` names), to completion. */
  async function runDocumented(key: string): Promise<{ code: number; output: string }> {
    const entry = all.get(key);
    assert.ok(entry, `${key} is no longer in the READMEs: update the plan`);
    const p = plan[key]!;
    done.add(key);
    const cwd = join(copy, 'cwd' in p && p.cwd ? p.cwd : '');
    return finish(start(entry.command, cwd));
  }

  /** Starts a long-running README command, waits for the URLs it prints to answer, returns it running. */
  async function serveDocumented(
    key: string,
    ready: RegExp,
    urls: number,
  ): Promise<Proc & { urls: string[] }> {
    const entry = all.get(key);
    assert.ok(entry, `${key} is no longer in the READMEs: update the plan`);
    done.add(key);
    const proc = start(entry.command, copy);
    await waitFor(
      () => ready.test(proc.output()) || proc.child.exitCode !== null,
      240_000,
      () => `${entry.command} did not start:\n${proc.output()}`,
    );
    assert.equal(proc.child.exitCode, null, `${entry.command} exited:\n${proc.output()}`);
    const found = [...proc.output().matchAll(/http:\/\/127\.0\.0\.1:\d+\//g)].map((m) => m[0]);
    const unique = [...new Set(found)];
    assert.ok(unique.length >= urls, `${entry.command} printed ${urls} URL(s):\n${proc.output()}`);
    for (const url of unique) {
      const res = await fetch(url);
      assert.equal(res.status, 200, `${url} answers`);
    }
    return { ...proc, urls: unique };
  }

  function removeDist(packages = ['realtime', 'express', 'presence-element']) {
    for (const pkg of packages) {
      rmSync(join(copy, 'packages', pkg, 'dist'), { recursive: true, force: true });
    }
  }

  before(async () => {
    // The repository as a fresh clone of this working tree would be: tracked and new files, no
    // ignored ones (node_modules, dist/).
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\0')
      .filter(Boolean);
    for (const file of files) {
      if (!existsSync(join(root, file))) continue; // deleted, not yet committed
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(root, file), join(copy, file));
    }
    assert.ok(!existsSync(join(copy, 'node_modules')) && !existsSync(join(copy, 'packages/express/dist')));
    const ci = await finish(start('npm ci', copy));
    assert.equal(ci.code, 0, `npm ci accepts the committed lock:\n${ci.output}`);
    // allowScripts names every dependency with an install script: npm 11 has nothing to warn about
    assert.doesNotMatch(ci.output, /install-scripts|allowScripts/, 'npm ci warned about install scripts');
    browser = await launch();
  });

  after(async () => {
    for (const child of running) await stop(child);
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should have a plan for every command the READMEs show, and nothing stale', () => {
    const missing = [...all.keys()].filter((key) => !(key in plan));
    const stale = Object.keys(plan).filter((key) => !all.has(key));
    assert.deepEqual(missing, [], 'commands in the READMEs that this test does not know: add them to plan');
    assert.deepEqual(stale, [], 'plan entries no longer in any README: remove or update them');
    for (const [key, p] of Object.entries(plan)) {
      if (p.how === 'excluded' || p.how === 'elsewhere') assert.ok(p.why.length > 20, `${key} says why`);
    }
  });

  it('announce after only `npm install`: builds what it needs, then says that nothing is listening', async () => {
    env.PORT = String(await freePort());
    const { code, output } = await runDocumented(
      'README.md: npm run announce -- "Lunch is served on the 3rd floor"',
    );
    assert.equal(code, 1, output);
    assert.match(output, /whatsup: building express/);
    // A normal build says nothing alarming: no `(!) Generated an empty chunk` or other warning.
    assert.doesNotMatch(output, /\(!\)/, 'rollup printed a warning');
    assert.match(
      output,
      new RegExp(
        `nothing is listening at 127\\.0\\.0\\.1:${env.PORT}\\. Is the demo running \\(npm start\\)\\?`,
      ),
    );
    assert.doesNotMatch(output, /not found|ERR_MODULE_NOT_FOUND/);
  });

  it('root README: `npm install && npm start` builds and serves the demo; `npm run announce` reaches an open page', async () => {
    removeDist();
    env.PORT = String(await freePort());
    const demo = await serveDocumented('README.md: npm install && npm start', /whatsup demo: http:\/\//, 1);
    try {
      assert.match(demo.output(), /whatsup: building/);
      assert.doesNotMatch(demo.output(), /\(!\)/, 'rollup printed a warning');
      // Quietly: a line per step, no file lists (rollup's `src/… → dist`), no colour codes.
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(demo.output(), /\x1b\[/, 'colour codes');
      assert.doesNotMatch(demo.output(), /\.ts\b|→/, 'file lists');
      assert.match(demo.output(), /whatsup: built [\w, -]+ in [\d.]+ s/);
      assert.match(demo.output(), new RegExp(`PORT=${env.PORT} npm run announce -- "hello everyone"`));
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(demo.urls[0]!);
      const panel = new Panel(page);
      await panel.signUp('Newcomer', 'first ten minutes');
      const { code, output } = await runDocumented(
        'README.md: npm run announce -- "Lunch is served on the 3rd floor"',
      );
      assert.equal(code, 0, output);
      await panel.toast
        .filter({ hasText: 'Lunch is served on the 3rd floor' })
        .waitFor({ state: 'visible', timeout: 5000 });
      await context.close();
    } finally {
      await stop(demo.child);
    }
  });

  it('examples/basic README: the same two commands', async () => {
    env.PORT = String(await freePort());
    const demo = await serveDocumented(
      'examples/basic/README.md: npm install && npm start',
      /whatsup demo: http:\/\//,
      1,
    );
    try {
      const { code, output } = await runDocumented(
        'examples/basic/README.md: npm run announce -- "Lunch is served on the 3rd floor"',
      );
      assert.equal(code, 0, output);
      assert.match(output, new RegExp(`sent to presence-whatsup-members on 127\\.0\\.0\\.1:${env.PORT}`));
    } finally {
      await stop(demo.child);
    }
  });

  it("the element's examples README: the demo serves headless.html, which lists who is online and sets my status", async () => {
    env.PORT = String(await freePort());
    const demo = await serveDocumented(
      'packages/presence-element/examples/README.md: npm install && npm start',
      /headless example .*: http:\/\//,
      1,
    );
    try {
      const headless = /headless example .*: (http:\S+)/.exec(demo.output())![1]!;
      assert.equal(headless, `${demo.urls[0]}examples/headless.html`);
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(demo.urls[0]!);
      await new Panel(page).signUp('Headless', 'on the demo');
      await page.goto(headless);
      await page.locator('#people li', { hasText: 'Headless — on the demo' }).waitFor({ timeout: 10_000 });
      assert.match((await page.locator('#count').textContent()) ?? '', /^\d+ online$/);
      // Its status box changes my status for everyone: the demo's page, in another context, shows it.
      const other = await (await browser.newContext()).newPage();
      await other.goto(demo.urls[0]!);
      const panel = new Panel(other);
      await panel.signUp('Watcher', 'watching');
      await page.locator('#mine input[name="status"]').fill('set from the headless page');
      await page.locator('#mine button').click();
      await waitFor(
        async () =>
          (await panel.rows()).some(
            (r) => r.name === 'Headless' && r.status === 'set from the headless page',
          ),
        10_000,
        () => 'the demo page shows the status set on the headless page',
      );
      await other.context().close();
      await context.close();
    } finally {
      await stop(demo.child);
    }
  });

  it('examples/existing-app README: `npm install`, then `npm start -w examples/existing-app` builds what it needs', async () => {
    const install = await runDocumented('examples/existing-app/README.md: npm install');
    assert.equal(install.code, 0, install.output);
    // On a fresh clone `npm install` is a no-op on the committed lock file, with no install-script warning.
    assert.equal(
      readFileSync(join(copy, 'package-lock.json'), 'utf8'),
      readFileSync(join(root, 'package-lock.json'), 'utf8'),
      'npm install rewrote package-lock.json',
    );
    assert.doesNotMatch(
      install.output,
      /install-scripts|allowScripts/,
      'npm install warned about install scripts',
    );
    // What failed before: @whatsup/express not built (ERR_MODULE_NOT_FOUND …/dist/index.js).
    removeDist(['express']);
    env.PORT = String(await freePort());
    const app = await serveDocumented(
      'examples/existing-app/README.md: npm start -w examples/existing-app',
      /whatsup existing-app example: http:\/\//,
      1,
    );
    await stop(app.child);
    assert.match(app.output(), /whatsup: building/);
  });

  it('examples/scale-out README: `npm install && npm run scale-out` starts redis, two soketi nodes and two instances', async () => {
    Object.assign(env, {
      REDIS_PORT: String(await freePort()),
      SOKETI_PORT_1: String(await freePort()),
      SOKETI_PORT_2: String(await freePort()),
      BALANCER_PORT: String(await freePort()),
      APP_PORT_1: String(await freePort()),
      APP_PORT_2: String(await freePort()),
    });
    const all = await serveDocumented(
      'examples/scale-out/README.md: npm install && npm run scale-out',
      /Ctrl-C stops everything/,
      2,
    );
    await stop(all.child);
  });

  it('packages/realtime README: the build-and-test line from the package folder', async () => {
    const { code, output } = await runDocumented(
      'packages/realtime/README.md: cd ../.. && WHATSUP_PKG=protocol npx rollup -c && WHATSUP_PKG=realtime npx rollup -c && node --test --test-reporter=spec packages/realtime/dist/test/',
    );
    assert.equal(code, 0, output.slice(-3000));
    assert.match(output, /\bfail 0\b/);
    assert.doesNotMatch(output, /\bpass 0\b/);
  });

  it('should have run every command not covered elsewhere', () => {
    const notRun = Object.entries(plan)
      .filter(([key, p]) => (p.how === 'run' || p.how === 'serve' || p.how === 'announce') && !done.has(key))
      .map(([key]) => key);
    assert.deepEqual(notRun, []);
  });
});
