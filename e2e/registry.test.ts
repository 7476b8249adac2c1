// The release path, end to end. On a copy of the repository as a release checkout has it (a fresh
// clone plus what RELEASING.md's step 1 leaves: node_modules and the build), RELEASING.md's
// commands run as printed against a local registry (Verdaccio in a temporary folder, no uplinks:
// e2e/registry-server.mjs). Then new apps outside the repository (`npm init -y`) install
// `@whatsup/*` by name with the root README's command, and run the README's code as printed: an
// ES module app (its page in Chromium, two people), a CommonJS app (`require()`), a TypeScript app
// (`tsc --noEmit`, node16 and bundler resolution) and a Vite build importing
// `@whatsup/presence/define`. Last, the README's install from a clone (`npm run pack`, then
// `npm install ../whatsup/packs/*.tgz …`). Only `@whatsup/*` comes from the local registry; express
// and the rest come from the usual one, through the npm cache.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { commands, fences } from './docs.js';
import { Panel } from './panel.js';
import { freePort, launch, root, waitFor } from './support.js';

interface Published {
  path: string;
  name: string;
  version: string;
  manifest: Record<string, Record<string, string> | undefined>;
}

/** The commands of RELEASING.md's sh blocks, in order: a new or changed one fails until it is run here. */
const RELEASE = [
  'npm run release:version -- minor',
  'npm pack --dry-run --workspace packages',
  'npm run build',
  'npm publish --workspace packages',
];
const INSTALL = 'npm install @whatsup/express @whatsup/realtime @whatsup/presence express express-session';
const FROM_CLONE = ['npm run pack', 'npm install ../whatsup/packs/*.tgz express express-session'];
const secrets = {
  PUSHER_SECRET: 'a-long-random-pusher-secret',
  SESSION_SECRET: 'a-long-random-session-secret',
};

describe('a release to a local registry, installed by name into new apps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'whatsup-registry-'));
  const copy = join(dir, 'whatsup');
  const apps = {
    esm: join(dir, 'esm-app'),
    cjs: join(dir, 'cjs-app'),
    ts: join(dir, 'ts-app'),
    vite: join(dir, 'vite-app'),
  };
  const running = new Set<ChildProcess>();
  const env: Record<string, string> = {
    ...clean(),
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  let registry = '';
  let releaseEnv: Record<string, string> = {};
  let before_: Published[] = [];
  let version = '';
  let browser: Browser;
  let esmUrl = '';

  const sh = (line: string, cwd: string, extra: Record<string, string> = {}) =>
    run(line, cwd, { ...env, ...extra }, running);

  before(async () => {
    // A fresh clone of this working tree (tracked and new files), then what step 1 leaves behind.
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
    });
    for (const file of files.split('\0').filter(Boolean)) {
      if (!existsSync(join(root, file))) continue; // deleted, not yet committed
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(root, file), join(copy, file));
    }
    linkNodeModules(copy);
    before_ = await published(copy);
    for (const pkg of before_) {
      for (const entry of (pkg.manifest.files as unknown as string[] | undefined) ?? []) {
        const from = join(root, pkg.path, entry);
        if (!entry.startsWith('!') && existsSync(from) && !existsSync(join(copy, pkg.path, entry)))
          cpSync(from, join(copy, pkg.path, entry), { recursive: true });
      }
    }

    mkdirSync(join(dir, 'registry'));
    const server = start(
      process.execPath,
      [join(root, 'e2e', 'registry-server.mjs'), join(dir, 'registry')],
      root,
      env,
      running,
    );
    await waitFor(
      () => /registry (http:\S+)/.test(server.output()) || server.child.exitCode !== null,
      30_000,
      () => `Verdaccio did not start:\n${server.output()}`,
    );
    registry = /registry (http:\S+)/.exec(server.output())![1]!;
    const res = await fetch(`${registry}-/user/org.couchdb.user:releaser`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'releaser', password: 'a-long-test-password' }),
    });
    const { token } = (await res.json()) as { token: string };
    assert.ok(token, `Verdaccio made a user (${res.status})`);
    // What `npm login` and a scoped registry setting would write: @whatsup/* from here, the rest as usual.
    const npmrc = join(dir, 'npmrc');
    writeFileSync(
      npmrc,
      `${registry.replace(/^http:/, '')}:_authToken=${token}\n@whatsup:registry=${registry}\n`,
    );
    env.npm_config_userconfig = npmrc;
    // While releasing, every registry is the local one: nothing can reach the public registry.
    releaseEnv = { npm_config_registry: registry };
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    for (const child of running) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  });

  it("should run RELEASING.md's commands, and the README's install commands, as printed", () => {
    const shown = fences('RELEASING.md')
      .filter((f) => f.lang === 'sh')
      .flatMap((f) => commands(f.text));
    assert.deepEqual(shown, RELEASE, 'RELEASING.md changed: run its new commands here');
    const readme = fences('README.md')
      .filter((f) => f.lang === 'sh')
      .flatMap((f) => commands(f.text));
    for (const command of [INSTALL, ...FROM_CLONE])
      assert.ok(readme.includes(command), `the README shows ${command}`);
  });

  it('step 3 gives every package the next minor version, with the ranges between them and the lock', async () => {
    const { code, output } = await sh(RELEASE[0]!, copy);
    assert.equal(code, 0, output);
    const [major, minor] = before_[0]!.version.split('.').map(Number);
    version = `${major}.${minor! + 1}.0`;
    const after_ = await published(copy);
    const names = new Set(after_.map((pkg) => pkg.name));
    const lock = JSON.parse(readFileSync(join(copy, 'package-lock.json'), 'utf8'));
    for (const pkg of after_) {
      assert.equal(pkg.version, version, pkg.name);
      assert.equal(lock.packages[pkg.path].version, version, `the lock's ${pkg.path}`);
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'])
        for (const [name, range] of Object.entries(pkg.manifest[field] ?? {}))
          if (names.has(name))
            assert.match(
              range,
              new RegExp(`^[~^]?${version.replace(/\./g, '\\.')}$`),
              `${pkg.name} → ${name}`,
            );
    }
  });

  it('step 5 shows what will be published: the build, no tests', async () => {
    const { code, output } = await sh(RELEASE[1]!, copy);
    assert.equal(code, 0, output);
    for (const pkg of before_) assert.match(output, new RegExp(`name: +${pkg.name}\\b`));
    assert.match(output, /dist\/index\.js/);
    assert.doesNotMatch(output, /dist\/test\//);
  });

  it('step 6 builds and publishes every package', async () => {
    for (const line of RELEASE.slice(2)) {
      const { code, output } = await sh(line, copy, releaseEnv);
      assert.equal(code, 0, `${line}:\n${output.slice(-4000)}`);
    }
    for (const pkg of before_) {
      const res = await fetch(`${registry}${pkg.name.replace('/', '%2f')}`);
      const doc = (await res.json()) as { 'dist-tags'?: { latest?: string } };
      assert.equal(doc['dist-tags']?.latest, version, `${pkg.name} on the registry`);
    }
  });

  it("should install the packages by name with the README's command into new apps", async () => {
    const typescript = ['typescript', '@types/node', '@types/express', '@types/express-session'].map(
      (name) =>
        `${name}@${JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version}`,
    );
    await Promise.all(
      Object.entries(apps).map(async ([kind, app]) => {
        mkdirSync(join(app, 'public'), { recursive: true });
        const steps = ['npm init -y', ...(kind === 'cjs' ? [] : ['npm pkg set type=module']), INSTALL];
        if (kind === 'ts') steps.push(`npm install --save-dev ${typescript.join(' ')}`);
        for (const line of steps) {
          const { code, output } = await sh(line, app);
          assert.equal(code, 0, `${line} in ${kind}-app:\n${output}`);
        }
      }),
    );
    assert.equal(
      JSON.parse(readFileSync(join(apps.cjs, 'package.json'), 'utf8')).type,
      'commonjs',
      'npm init -y makes CommonJS',
    );
    for (const app of Object.values(apps)) {
      for (const pkg of before_) {
        const installed = join(app, 'node_modules', pkg.name);
        assert.equal(lstatSync(installed).isSymbolicLink(), false, `${pkg.name} is a real copy`);
        assert.equal(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version, version);
        assert.equal(existsSync(join(installed, 'dist', 'test')), false, `${pkg.name} ships no tests`);
      }
    }
  });

  it("ES module app: the README's server.js serves the page, and two people see each other", async () => {
    const { esm, html } = snippets();
    writeFileSync(join(apps.esm, 'server.js'), esm);
    writeFileSync(join(apps.esm, 'public', 'index.html'), html);
    esmUrl = await serve(apps.esm);
    const people = [];
    for (const [name, status] of [
      ['Ana', 'installed by name'],
      ['Bo', 'me too'],
    ]) {
      const context = await browser.newContext();
      const panel = new Panel(await context.newPage());
      await panel.page.goto(esmUrl);
      await panel.signUp(name!, status!);
      people.push({ context, panel });
    }
    for (const { panel } of people)
      await waitFor(
        async () => (await panel.names()).sort().join() === 'Ana,Bo',
        10_000,
        () => 'both listed',
      );
    assert.equal(
      await people[0]!.panel.page.evaluate(
        () => (customElements.get('whatsup-presence') as unknown as { version: string }).version,
      ),
      version,
    );
    for (const { context } of people) await context.close();
  });

  it("CommonJS app (npm init -y): the README's CommonJS server.js, with require()", async () => {
    const { cjs, html } = snippets();
    writeFileSync(join(apps.cjs, 'server.js'), cjs);
    writeFileSync(join(apps.cjs, 'public', 'index.html'), html);
    const url = await serve(apps.cjs);
    const context = await browser.newContext();
    const panel = new Panel(await context.newPage());
    await panel.page.goto(url);
    await panel.signUp('Cy', 'from CommonJS');
    assert.deepEqual(await panel.names(), ['Cy']);
    await context.close();
  });

  for (const resolution of ['node16', 'bundler'] as const) {
    it(`TypeScript app: the README's server.js as server.ts type-checks (${resolution} resolution)`, async () => {
      writeFileSync(join(apps.ts, 'server.ts'), snippets().esm);
      const options =
        resolution === 'node16'
          ? { module: 'node16', moduleResolution: 'node16' }
          : { module: 'esnext', moduleResolution: 'bundler' };
      const config = {
        compilerOptions: {
          ...options,
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['server.ts'],
      };
      writeFileSync(join(apps.ts, `tsconfig.${resolution}.json`), JSON.stringify(config, null, 2));
      const { code, output } = await sh(`npx tsc -p tsconfig.${resolution}.json`, apps.ts);
      assert.equal(code, 0, `tsc:\n${output}`);
    });
  }

  it("Vite app: the README's `import '@whatsup/presence/define'`, bundled, runs the panel", async () => {
    const { bundler, html } = snippets();
    writeFileSync(join(apps.vite, 'main.js'), bundler);
    const element = html.split('\n').find((line) => line.includes('<whatsup-presence'))!;
    writeFileSync(
      join(apps.vite, 'index.html'),
      `<!doctype html>\n<script type="module" src="./main.js"></script>\n${element}\n`,
    );
    // Vite 7 from this repository's devDependencies, in the app's folder: it bundles the app's own node_modules.
    const out = join(apps.esm, 'public', 'bundled');
    const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    const { code, output } = await sh(
      `"${process.execPath}" "${vite}" build --base ./ --outDir "${out}" --emptyOutDir`,
      apps.vite,
    );
    assert.equal(code, 0, output);
    const context = await browser.newContext();
    const panel = new Panel(await context.newPage());
    await panel.page.goto(`${esmUrl}bundled/`);
    await panel.signUp('Di', 'bundled by Vite');
    await waitFor(
      async () => (await panel.names()).includes('Di'),
      10_000,
      () => 'Di listed',
    );
    await context.close();
  });

  it('from a clone: `npm run pack`, then `npm install ../whatsup/packs/*.tgz …` in an app beside it', async () => {
    const pack = await sh(FROM_CLONE[0]!, copy);
    assert.equal(pack.code, 0, pack.output);
    const app = join(dir, 'from-clone');
    mkdirSync(app);
    for (const line of ['npm init -y', 'npm pkg set type=module', FROM_CLONE[1]!]) {
      const { code, output } = await sh(line, app);
      assert.equal(code, 0, `${line}:\n${output}`);
    }
    for (const pkg of before_) {
      const installed = join(app, 'node_modules', pkg.name, 'package.json');
      assert.equal(JSON.parse(readFileSync(installed, 'utf8')).version, version, pkg.name);
    }
    const loaded = await sh(
      `node -e "import('@whatsup/express').then((m) => console.log(typeof m.whatsup))"`,
      app,
    );
    assert.equal(loaded.output.trim(), 'function', loaded.output);
  });

  /** Starts `node server.js` in an app on a free port; resolves to the URL it says it listens on. */
  async function serve(app: string): Promise<string> {
    const port = await freePort();
    const server = start('node', ['server.js'], app, { ...env, ...secrets, PORT: String(port) }, running);
    await waitFor(
      () => /listening on (http:\S+)/.test(server.output()) || server.child.exitCode !== null,
      20_000,
      () => `server.js did not start:\n${server.output()}`,
    );
    const url = /listening on (http:\S+)/.exec(server.output())![1]!;
    assert.equal(url, `http://localhost:${port}/`, 'it prints the URL it listens on');
    assert.equal((await fetch(url)).status, 200);
    return url;
  }
});

/** The root README's code for the app, as printed: the ES module and CommonJS server.js, the page, the bundler import. */
function snippets() {
  const section = fences('README.md').filter((f) => f.heading === 'Add it to your Express app');
  const js = section.filter((f) => f.lang === 'js');
  const esm = js.find((f) => f.text.includes("from '@whatsup/express'"))?.text;
  const cjs = js.find((f) => f.text.includes("require('@whatsup/express')"))?.text;
  const bundler = js.find((f) => f.text.trim() === "import '@whatsup/presence/define';")?.text;
  const html = section.find((f) => f.lang === 'html')?.text;
  assert.ok(
    esm && cjs && bundler && html,
    'the README shows the ES module and CommonJS server.js, the page and the bundler import',
  );
  return { esm, cjs, bundler, html };
}

/** The published packages as scripts/workspaces.mjs of that checkout lists them. */
async function published(checkout: string): Promise<Published[]> {
  const module = (await import(pathToFileURL(join(checkout, 'scripts', 'workspaces.mjs')).href)) as {
    publishedPackages: () => Published[];
  };
  return module.publishedPackages();
}

/**
 * node_modules as `npm ci` would make it in the copy, without the minutes: every package linked
 * from this checkout's, except our workspaces, linked to the copy's own folders (so the copy builds
 * against its own packages, whatever state this checkout's dist/ is in).
 */
function linkNodeModules(checkout: string) {
  const modules = join(checkout, 'node_modules');
  mkdirSync(modules);
  const ours = new Map<string, string>();
  for (const entry of JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8'))
    .workspaces as string[]) {
    const dirs = entry.endsWith('/*')
      ? readdirSync(join(checkout, entry.slice(0, -2))).map((name) => `${entry.slice(0, -2)}/${name}`)
      : [entry];
    for (const dir of dirs) {
      const manifest = join(checkout, dir, 'package.json');
      if (existsSync(manifest)) ours.set(JSON.parse(readFileSync(manifest, 'utf8')).name, dir);
    }
  }
  const scopes = new Set([...ours.keys()].map((name) => name.split('/')[0]!));
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (!scopes.has(entry)) symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
    else {
      mkdirSync(join(modules, entry));
      for (const name of readdirSync(join(root, 'node_modules', entry))) {
        const full = `${entry}/${name}`;
        const target = ours.has(full)
          ? join(checkout, ours.get(full)!)
          : join(root, 'node_modules', entry, name);
        symlinkSync(target, join(modules, entry, name));
      }
    }
  }
}

/** This process's environment without what an outer `npm test` put there (it would point npm at this checkout). */
function clean(): Record<string, string> {
  const drop = ['INIT_CWD', 'PORT', 'NODE_TEST_CONTEXT', 'PUSHER_SECRET', 'SESSION_SECRET'];
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !/^npm_/i.test(e[0]) && !drop.includes(e[0]),
    ),
  );
}

function start(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  running: Set<ChildProcess>,
) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

/** A command line through the shell, to completion. */
async function run(line: string, cwd: string, env: Record<string, string>, running: Set<ChildProcess>) {
  const proc = start('sh', ['-c', line], cwd, env, running);
  const [code] = (proc.child.exitCode !== null ? [proc.child.exitCode] : await once(proc.child, 'exit')) as [
    number,
  ];
  return { code, output: proc.output() };
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
  }, 5000);
  await exited;
  clearTimeout(timer);
}
