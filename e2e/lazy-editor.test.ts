// Issue 23, "load only what is needed to see": the status editor, its emoji picker and presets are a
// chunk beside the one-file bundles (whatsup-presence.editor.min.js), which they import from their
// own folder only when someone is about to edit: a hover or focus of my row, else the first open.
// Here the classic bundle and the ES-module bundle, each served from the page's origin and from a
// CDN-like path on another origin: a visitor who never edits asks for nothing more than before;
// a hover (or focus) fetches the chunk once, from beside the bundle, and the editor then opens and
// saves. A chunk that cannot load says so, and the next open tries again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express from 'express';
import session from 'express-session';
import { whatsup } from '@whatsup/express';
import { createRealtimeServer } from '@whatsup/realtime';
import type { Browser, Page } from 'playwright-core';
import { Panel } from './panel.js';
import { launch, waitFor } from './support.js';

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('@whatsup/presence/bundle'));
const CDN_PATH = '/npm/@whatsup/presence@0.1.0/dist/';
const SAME_PATH = '/js/';
const BUNDLES = { classic: 'whatsup-presence.bundle.min.js', esm: 'whatsup-presence.bundle.esm.min.js' };
const EDITOR = 'whatsup-presence.editor.min.js';

interface PanelElement extends HTMLElement {
  connectionState: string;
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return String((server.address() as { port: number }).port);
}

/** The package's dist/ files under `path` (their names only), with CORS as a CDN sends them. */
function serveDist(path: string) {
  return (req: { url?: string }, res: import('node:http').ServerResponse, next?: () => void): void => {
    const name = req.url?.startsWith(path) ? req.url.slice(path.length) : '';
    if (!/^whatsup-presence\.[a-z.]+\.js$/.test(name)) {
      if (next) next();
      else res.writeHead(404).end();
      return;
    }
    readFile(join(dist, name)).then(
      (body) =>
        res
          .writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' })
          .end(body),
      () => res.writeHead(404).end(),
    );
  };
}

describe('the status editor, a chunk beside the bundles, loaded when someone edits', () => {
  let browser: Browser;
  let base = '';
  let cdn = '';
  const closers: (() => Promise<void> | void)[] = [];

  before(async () => {
    const files = createServer(serveDist(CDN_PATH));
    cdn = `http://localhost:${await listen(files)}${CDN_PATH}`;
    const app = express();
    const server = createServer(app);
    const realtime = createRealtimeServer({ appId: 'app-id', key: 'app-key', secret: 'app-secret', server });
    app.use(session({ secret: 'lazy editor', resave: false, saveUninitialized: false }));
    app.use('/whatsup', whatsup({ publisher: realtime }));
    app.use(serveDist(SAME_PATH));
    // /?bundle=classic|esm&from=same|cdn
    app.get('/', (req, res) => {
      const bundle = BUNDLES[req.query['bundle'] === 'esm' ? 'esm' : 'classic'];
      const src = `${req.query['from'] === 'cdn' ? cdn : SAME_PATH}${bundle}`;
      const type = req.query['bundle'] === 'esm' ? ' type="module"' : '';
      res.type('html').send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>lazy editor</title>
<script${type} src="${src}"></script>
<whatsup-presence auth-endpoint="/whatsup/usersystem/auth" channel="presence-whatsup-members"></whatsup-presence>`);
    });
    base = `http://127.0.0.1:${await listen(server)}`;
    closers.push(async () => {
      await realtime.close();
      server.closeAllConnections();
      server.close();
      files.closeAllConnections();
      files.close();
    });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    for (const close of closers) await close();
  });

  /** A signed-up person's fresh tab on the page, live; the scripts it asked for from then on. */
  async function signedInTab(
    name: string,
    query: string,
  ): Promise<{ tab: Page; panel: Panel; scripts: string[]; errors: string[] }> {
    const context = await browser.newContext();
    closers.unshift(() => context.close());
    const first = await context.newPage();
    await first.goto(`${base}/?${query}`);
    await new Panel(first).signUp(name, `${name} here`);
    await first.close();
    const tab = await context.newPage();
    const scripts: string[] = [];
    tab.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.url());
    });
    const errors: string[] = [];
    tab.on('pageerror', (err) => errors.push(err.message));
    await tab.goto(`${base}/?${query}`);
    const panel = new Panel(tab);
    await panel.me.waitFor();
    await waitFor(
      () =>
        tab.evaluate(
          () => document.querySelector<PanelElement>('whatsup-presence')!.connectionState === 'connected',
        ),
      10_000,
      () => `${name} live`,
    );
    return { tab, panel, scripts, errors };
  }

  for (const bundle of ['classic', 'esm'] as const) {
    for (const from of ['same', 'cdn'] as const) {
      const how = bundle === 'esm' ? 'focus' : 'hover';
      it(`${bundle} bundle from ${from === 'cdn' ? 'a CDN path on another origin' : 'the page’s origin'}: not fetched to see the list, fetched on ${how} of my row, then it edits`, async () => {
        const name = `${bundle === 'esm' ? 'Esm' : 'Cla'}${from === 'cdn' ? 'Cdn' : 'Same'}`;
        const { tab, panel, scripts, errors } = await signedInTab(name, `bundle=${bundle}&from=${from}`);
        const folder = from === 'cdn' ? cdn : `${base}${SAME_PATH}`;
        // A visitor who never edits: the bundle and pusher-js, nothing more.
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(scripts, [`${folder}${BUNDLES[bundle]}`, `${folder}whatsup-presence.pusher.min.js`]);

        // The pointer over my row, or focus on it: the chunk, from beside the bundle.
        if (how === 'hover') await panel.me.hover();
        else await panel.me.focus();
        await waitFor(
          () => scripts.length === 3,
          10_000,
          () => `the editor's chunk on ${how}: ${scripts.join(', ')}`,
        );
        assert.equal(scripts[2], `${folder}${EDITOR}`);
        assert.equal(await panel.host.locator('[part~="status-panel"]').count(), 0, 'not opened by it');

        // It opens, with its picker, and saves.
        await panel.me.click();
        const editor = panel.host.locator('[part~="status-panel"]');
        await editor.waitFor();
        assert.equal(await editor.evaluate((e) => getComputedStyle(e).display), 'grid', 'its styles');
        await panel.host.locator('[part~="emoji-button"]').click();
        await panel.host.locator('[part~="picker"] [role=option]').first().waitFor();
        await panel.host.locator('[part~="status-editor"]').fill(`${name} edited`);
        await tab.keyboard.press('Enter');
        await waitFor(
          async () => (await panel.rows()).some((row) => row.status.endsWith(`${name} edited`)),
          10_000,
          () => 'saved',
        );
        // Opened again: the same chunk, not fetched again.
        await panel.me.click();
        await editor.waitFor();
        await tab.keyboard.press('Escape');
        assert.equal(scripts.filter((url) => url.endsWith(EDITOR)).length, 1, 'the chunk once');
        assert.deepEqual(errors, []);
      });
    }
  }

  it('a chunk that cannot load: an error by my row, no editor; the next open loads it and edits', async () => {
    const { tab, panel } = await signedInTab('Flaky', 'bundle=classic&from=cdn');
    let refuse = true;
    const asked: string[] = [];
    await tab.route(`**/${EDITOR}`, async (route) => {
      asked.push(route.request().url());
      if (refuse) await route.abort('connectionrefused');
      else await route.continue();
    });
    const consoleErrors: string[] = [];
    tab.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    // The click's hover asks first, then the open: both refused.
    await panel.me.click();
    const alert = panel.host.locator('[role="alert"]');
    await alert.waitFor();
    assert.equal(await alert.textContent(), 'Something went wrong. Please try again.');
    assert.equal(await panel.host.locator('[part~="status-panel"]').count(), 0);
    assert.equal(await panel.host.locator('.loading').count(), 0, 'no "Loading…" left behind');
    assert.ok(
      consoleErrors.some((text) => text.includes('the status editor could not load')),
      'the developer is told in the console',
    );
    assert.ok(asked.length >= 1);

    // The network is back: the next open loads it.
    refuse = false;
    const before = asked.length;
    await panel.me.click();
    await panel.host.locator('[part~="status-panel"]').waitFor();
    assert.equal(await alert.count(), 0, 'the error gone');
    assert.ok(asked.length > before, 'asked again');
    await panel.host.locator('[part~="status-editor"]').fill('back');
    await tab.keyboard.press('Enter');
    await waitFor(
      async () => (await panel.rows()).some((row) => row.status === 'back'),
      10_000,
      () => 'saved after the retry',
    );
  });
});
