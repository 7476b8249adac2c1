// End-to-end: examples/existing-app, where the site signs people in itself and whatsup only shows members.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { Panel } from './panel.js';
import { launch, root, run, startExample, waitFor, type RunningExample } from './support.js';

describe('examples/existing-app end to end', () => {
  let example: RunningExample;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    example = await startExample('existing-app');
    browser = await launch();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await example?.stop();
  });

  /** Signs in through the app's own form, in a fresh browser context. */
  async function signIn(username: string, password = 'whatsup-demo') {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(example.url);
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.locator('form.login button[type="submit"]').click();
    const panel = new Panel(page);
    await panel.me.waitFor();
    return { context, page, panel };
  }

  async function expectNames(panel: Panel, names: string[], message = '') {
    await waitFor(
      async () =>
        JSON.stringify((await panel.names()).slice().sort()) === JSON.stringify(names.slice().sort()),
      10_000,
      () => `${message} expected ${names.join(', ')}`,
    ).catch(async (err) => {
      throw new Error(`${err.message}; shown: ${JSON.stringify(await panel.rows())}`);
    });
  }

  it("should refuse a wrong password with the app's own message and show no panel", async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(example.url);
    await page.locator('input[name="username"]').fill('alice');
    await page.locator('input[name="password"]').fill('not-the-password');
    await page.locator('form.login button[type="submit"]').click();
    await page.locator('#failed').waitFor({ state: 'visible' });
    assert.equal(await page.locator('whatsup-presence').count(), 0);
    await context.close();
  });

  it('should show members without any sign-up form, and live status changes', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    assert.equal(await alice.panel.form.count(), 0, 'no sign-up form with identify()');
    await expectNames(alice.panel, ['Alice Liddell', 'Bob Marley'], 'Alice sees Bob');
    await expectNames(bob.panel, ['Alice Liddell', 'Bob Marley'], 'Bob sees Alice');
    await alice.panel.editStatusByKeyboard('reviewing pull requests');
    await waitFor(async () =>
      (await bob.panel.rows()).some(
        (r) => r.name === 'Alice Liddell' && r.status === 'reviewing pull requests',
      ),
    );
    const carol = await signIn('carol');
    await waitFor(async () =>
      (await carol.panel.rows()).some(
        (r) => r.name === 'Alice Liddell' && r.status === 'reviewing pull requests',
      ),
    );
    await Promise.all([alice.context.close(), bob.context.close(), carol.context.close()]);
  });

  it('should keep one row for two tabs, survive a reload, and remove a person who signs out of the app', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    const tab = await alice.context.newPage();
    await tab.goto(example.url);
    await new Panel(tab).me.waitFor();
    await expectNames(bob.panel, ['Alice Liddell', 'Bob Marley'], 'one row for two tabs');
    await bob.page.reload();
    await bob.panel.me.waitFor();
    await expectNames(bob.panel, ['Alice Liddell', 'Bob Marley'], 'list intact after reload');
    await tab.close();
    await alice.page.locator('header form button[type="submit"]').click();
    await alice.page.waitForURL(/\/login$/);
    await expectNames(bob.panel, ['Bob Marley'], 'Alice left');
    await Promise.all([alice.context.close(), bob.context.close()]);
  });

  it('should show an announcement from the CLI', async () => {
    const alice = await signIn('alice');
    const text = `All hands at 5 (${Date.now()})`;
    const cli = await run(process.execPath, [join(root, 'packages/express/dist/cli.js'), text], {
      PORT: String(example.port),
    });
    assert.equal(cli.code, 0, cli.output);
    await alice.panel.toast.filter({ hasText: text }).waitFor({ state: 'visible', timeout: 5000 });
    await alice.context.close();
  });
});
