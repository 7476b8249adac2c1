// `npm run announce -- "…"` exactly as the README shows it, against a running demo: the toast
// appears, credentials alone (no host) reach the local demo, and each failure says what to do.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Browser } from 'playwright-core';
import { Panel } from './panel.js';
import { freePort, launch, root, startExample, type RunningExample } from './support.js';

/** Runs a command line through the shell, as typed in a terminal, in the repository root. */
async function shell(line: string, env: Record<string, string>) {
  const child = spawn('sh', ['-c', line], {
    cwd: root,
    env: { ...process.env, PUSHER_APP_ID: '', PUSHER_KEY: '', PUSHER_SECRET: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, output };
}

const README_COMMAND = 'npm run announce -- "Lunch is served on the 3rd floor"';
const credentials = { PUSHER_APP_ID: 'my-app', PUSHER_KEY: 'my-key', PUSHER_SECRET: 'my-secret' };

describe('npm run announce against a running demo', () => {
  let demo: RunningExample;
  let browser: Browser;

  before(async () => {
    // The demo with credentials of its own: the CLI gets the same three and nothing else.
    demo = await startExample('basic', credentials);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('should print a start-up hint with the port the demo really uses', () => {
    assert.match(demo.output(), new RegExp(`PORT=${demo.port} npm run announce -- "hello everyone"`));
  });

  it("should show the README's announcement as a toast, given only PUSHER_APP_ID/KEY/SECRET and PORT", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.url);
    const panel = new Panel(page);
    await panel.signUp('Ana', 'hungry');
    const cli = await shell(README_COMMAND, { ...credentials, PORT: String(demo.port) });
    assert.equal(cli.code, 0, cli.output);
    assert.match(cli.output, new RegExp(`sent to presence-whatsup-members on 127.0.0.1:${demo.port}`));
    await panel.toast
      .filter({ hasText: 'Lunch is served on the 3rd floor' })
      .waitFor({ state: 'visible', timeout: 5000 });
    await context.close();
  });

  it('should say that nothing is listening, and how to point it at the demo', async () => {
    const port = await freePort();
    const cli = await shell(README_COMMAND, { PORT: String(port) });
    assert.equal(cli.code, 1);
    assert.match(
      cli.output,
      new RegExp(
        `nothing is listening at 127\\.0\\.0\\.1:${port}\\. Is the demo running \\(npm start\\)\\? .*set PORT`,
      ),
    );
    assert.doesNotMatch(cli.output, /at .*\.js:\d+/, 'no stack trace');
  });

  it('should say that the secret is wrong', async () => {
    const cli = await shell(README_COMMAND, {
      ...credentials,
      PUSHER_SECRET: 'not-it',
      PORT: String(demo.port),
    });
    assert.equal(cli.code, 1);
    assert.match(
      cli.output,
      /refused the credentials .*the key or the secret is wrong\. Set PUSHER_KEY and PUSHER_SECRET/,
    );
  });

  it('should say that the app id is wrong', async () => {
    const cli = await shell(README_COMMAND, {
      ...credentials,
      PUSHER_APP_ID: 'other-app',
      PORT: String(demo.port),
    });
    assert.equal(cli.code, 1);
    assert.match(cli.output, /has no app "other-app" .*the app id is wrong\. Set PUSHER_APP_ID/);
  });

  it('should reach the demo with the default credentials only when the demo uses them', async () => {
    const cli = await shell(README_COMMAND, { PORT: String(demo.port) });
    assert.equal(cli.code, 1);
    assert.match(cli.output, /has no app "app-id"/);
    assert.match(cli.output, /the demo uses app-id unless you set your own/);
  });

  it('should refuse an empty, an overlong and a malformed request in plain words', async () => {
    const empty = await shell('npm run announce -- "  "', { PORT: String(demo.port) });
    assert.equal(empty.code, 1);
    assert.match(empty.output, /no message given/);
    const long = await shell(`npm run announce -- "${'x'.repeat(300)}"`, {
      ...credentials,
      PORT: String(demo.port),
    });
    assert.equal(long.code, 1);
    assert.match(long.output, /The announcement .*280/);
    const port = await shell(README_COMMAND, { PORT: 'eighty' });
    assert.equal(port.code, 1);
    assert.match(port.output, /PORT must be a port number/);
  });
});
