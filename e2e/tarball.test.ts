// Installable outside the monorepo: `npm pack` each package, install the three tarballs with
// express and express-session into a new app in a temporary folder (no workspace links), run the
// root README's "Add it to your Express app" code exactly as printed with a plain page, and sign
// two people up in Chromium. Then the express README's `npx whatsup-announce` from that app.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { commands, fences } from './docs.js';
import { Panel } from './panel.js';
import { freePort, launch, root, waitFor } from './support.js';

/** Runs a command line in a folder through the shell; rejects with its output on failure. */
async function sh(line: string, cwd: string, env: Record<string, string> = {}) {
  const child = spawn('sh', ['-c', line], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`${line} (in ${cwd}) exited with ${code}:\n${output}`);
  return output;
}

describe('the packages installed from their tarballs into an app outside the repository', () => {
  const dir = mkdtempSync(join(tmpdir(), 'whatsup-tarball-'));
  const app = join(dir, 'my-app');
  let server: ChildProcess | undefined;
  let output = '';
  let url = '';
  let port = 0;
  let browser: Browser;
  const env = {
    PUSHER_SECRET: 'a-long-random-pusher-secret',
    SESSION_SECRET: 'a-long-random-session-secret',
  };

  before(async () => {
    const packs = join(dir, 'packs');
    mkdirSync(packs);
    mkdirSync(join(app, 'public'), { recursive: true });
    await sh(
      `npm pack --workspace packages/protocol --workspace packages/realtime --workspace packages/express --workspace packages/presence-element --pack-destination ${packs}`,
      root,
    );
    const tarballs = readdirSync(packs).map((name) => join(packs, name));
    assert.equal(tarballs.length, 4, `four tarballs: ${tarballs.join(', ')}`);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'my-app', private: true, type: 'module' }, null, 2),
    );
    // Offline from the npm cache when it has everything, the registry otherwise.
    await sh(
      `npm install --prefer-offline --no-audit --no-fund ${tarballs.join(' ')} express express-session`,
      app,
    );

    const section = fences('README.md').filter((f) => f.heading === 'Add it to your Express app');
    const code = section.find((f) => f.lang === 'js');
    const page = section.find((f) => f.lang === 'html');
    assert.ok(code && page, 'the root README shows the app code and the page');
    writeFileSync(join(app, 'server.js'), code.text);
    writeFileSync(join(app, 'public', 'index.html'), page.text);

    port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    // Started with the realtime README's debugging command, as printed.
    const debugLine = fences('packages/realtime/README.md')
      .filter((f) => f.lang === 'sh')
      .flatMap((f) => commands(f.text))
      .find((c) => c === 'NODE_DEBUG=whatsup node server.js');
    assert.ok(debugLine, 'the realtime README shows NODE_DEBUG=whatsup node server.js');
    server = spawn('sh', ['-c', debugLine], {
      cwd: app,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // sh and node: stopped together as a process group
    });
    server.stdout!.on('data', (chunk) => (output += chunk));
    server.stderr!.on('data', (chunk) => (output += chunk));
    await waitFor(
      async () => server!.exitCode !== null || (await fetch(url).catch(() => null))?.ok === true,
      20_000,
      () => `the README's app did not answer at ${url}:\n${output}`,
    );
    assert.equal(server.exitCode, null, `the README's app exited:\n${output}`);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = once(server, 'exit');
      process.kill(-server.pid!, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('should install real copies, not links into the repository', () => {
    for (const name of ['@whatsup/express', '@whatsup/realtime', '@whatsup/presence']) {
      const installed = join(app, 'node_modules', name);
      assert.equal(lstatSync(installed).isSymbolicLink(), false, name);
      assert.ok(!realpathSync(installed).startsWith(root), `${name} is outside the repository`);
      assert.throws(() => lstatSync(join(installed, 'dist', 'test')), `${name} ships no tests`);
    }
    // The bins are linked (dist/ is in the pack, unlike a fresh clone before its first build).
    for (const bin of ['whatsup-announce', 'whatsup-realtime']) {
      assert.ok(lstatSync(join(app, 'node_modules', '.bin', bin)), bin);
    }
  });

  it('should let two people sign up and see each other on the plain page', async () => {
    const people = [];
    for (const [name, status] of [
      ['Ana', 'installed from a tarball'],
      ['Bo', 'me too'],
    ] as const) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(url);
      const panel = new Panel(page);
      await panel.signUp(name, status);
      people.push({ context, panel });
    }
    for (const { panel } of people) {
      await waitFor(
        async () => JSON.stringify((await panel.names()).slice().sort()) === '["Ana","Bo"]',
        10_000,
        () => 'both in the list',
      );
    }
    // The express README's CLI command, as printed, from the app's folder.
    const cli = fences('packages/express/README.md')
      .filter((f) => f.lang === 'sh')
      .flatMap((f) => commands(f.text))
      .find((c) => c.startsWith('npx whatsup-announce'));
    assert.ok(cli, 'the express README shows npx whatsup-announce');
    const said = await sh(cli, app, { PORT: String(port), PUSHER_SECRET: env.PUSHER_SECRET });
    assert.match(said, /sent to presence-whatsup-members/);
    for (const { panel } of people) {
      await panel.toast
        .filter({ hasText: 'Lunch is served on the 3rd floor' })
        .waitFor({ state: 'visible', timeout: 5000 });
    }
    for (const { context } of people) await context.close();
    // NODE_DEBUG=whatsup showed the sign-ups, as the realtime README says.
    assert.match(output, /WHATSUP \d+:/);
  });
});
