// A newcomer opens the demo with the console open: every example page has an icon, and no
// request answers 4xx/5xx (no favicon 404), no console error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { Panel } from './panel.js';
import { launch, startExample, type RunningExample } from './support.js';

/** Opens a page and records what a developer would see in the console and network panels. */
function watch(page: Page) {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
  return problems;
}

/** The page's declared icon answers 200 with an image. */
async function assertIcon(page: Page) {
  const href = await page.locator('link[rel="icon"]').getAttribute('href');
  assert.ok(href, 'the page declares an icon');
  const url = new URL(href, page.url()).href;
  const res = await page.request.get(url);
  assert.equal(res.status(), 200, url);
  assert.match(res.headers()['content-type'] ?? '', /^image\//);
}

describe('example pages: an icon, and a clean console', () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(() => browser?.close());

  it('examples/basic', async () => {
    const example: RunningExample = await startExample('basic');
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(example.url);
      await new Panel(page).signUp('Ana', 'looking around');
      await assertIcon(page);
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      await example.stop();
    }
  });

  it('examples/existing-app (its sign-in page and the panel page)', async () => {
    const example = await startExample('existing-app');
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(example.url);
      await assertIcon(page);
      await page.locator('input[name="username"]').fill('alice');
      await page.locator('input[name="password"]').fill('whatsup-demo');
      await page.locator('form.login button[type="submit"]').click();
      await new Panel(page).me.waitFor();
      await assertIcon(page);
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      await example.stop();
    }
  });

  // examples/scale-out needs redis-server and two soketi nodes; its page is checked here for the
  // icon link alone (the same favicon.svg beside it), and end to end by scale-out.test.ts.
  it('examples/scale-out declares the icon it ships', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { root } = await import('./support.js');
    const html = readFileSync(join(root, 'examples/scale-out/public/index.html'), 'utf8');
    assert.match(html, /<link rel="icon" href="favicon\.svg"/);
    assert.ok(existsSync(join(root, 'examples/scale-out/public/favicon.svg')));
  });
});
