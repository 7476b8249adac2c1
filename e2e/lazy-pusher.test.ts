// Issue 23, "load only what is needed to see": the one-file bundle draws the list from GET /bootstrap
// without pusher-js, which it imports as a chunk from beside its own URL while that request runs.
// Here the bundle and its chunk come from a CDN-like path on another origin; the chunk is held back
// until the list is on screen, which proves the first rows need only the bundle, then let through:
// the panel goes live with the chunk from the bundle's folder.
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
import type { Browser } from 'playwright-core';
import { Panel } from './panel.js';
import { launch, waitFor } from './support.js';

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('@whatsup/presence/bundle'));
const CDN_PATH = '/npm/@whatsup/presence@0.1.0/dist/';

interface PanelElement extends HTMLElement {
  connectionState: string;
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return String((server.address() as { port: number }).port);
}

describe('the bundle from a CDN path: the list before pusher-js, then live with its chunk', () => {
  let browser: Browser;
  let base = '';
  let cdn = '';
  const closers: (() => Promise<void> | void)[] = [];

  before(async () => {
    // The "CDN": the package's dist/ under a versioned path, on another origin, with CORS.
    const files = createServer((req, res) => {
      const name = req.url?.startsWith(CDN_PATH) ? req.url.slice(CDN_PATH.length) : '';
      if (!/^whatsup-presence\.[a-z.]+\.js$/.test(name)) {
        res.writeHead(404).end();
        return;
      }
      readFile(join(dist, name)).then(
        (body) =>
          res
            .writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' })
            .end(body),
        () => res.writeHead(404).end(),
      );
    });
    cdn = `http://localhost:${await listen(files)}`;
    const app = express();
    const server = createServer(app);
    const realtime = createRealtimeServer({ appId: 'app-id', key: 'app-key', secret: 'app-secret', server });
    app.use(session({ secret: 'lazy pusher', resave: false, saveUninitialized: false }));
    app.use('/whatsup', whatsup({ publisher: realtime }));
    app.get('/', (_req, res) =>
      res.type('html').send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>lazy</title>
<script src="${cdn}${CDN_PATH}whatsup-presence.bundle.min.js"></script>
<whatsup-presence auth-endpoint="/whatsup/usersystem/auth" channel="presence-whatsup-members"></whatsup-presence>`),
    );
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

  it('should show the rows from the first request while the chunk is held, then go live with it', async () => {
    // Two people signed up and live (the chunk let through at once): Bea stays in the channel.
    const bea = await browser.newContext();
    const ann = await browser.newContext();
    closers.unshift(
      () => bea.close(),
      () => ann.close(),
    );
    for (const [context, name] of [
      [bea, 'Bea'],
      [ann, 'Ann'],
    ] as const) {
      const tab = await context.newPage();
      await tab.goto(base);
      await new Panel(tab).signUp(name, `${name} here`);
      await waitFor(
        () =>
          tab.evaluate(
            () => document.querySelector<PanelElement>('whatsup-presence')!.connectionState === 'connected',
          ),
        10_000,
        () => `${name} live`,
      );
    }

    // Ann's second tab: the chunk is held until her list is on screen.
    const tab = await ann.newPage();
    const asked: string[] = [];
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await tab.route('**/whatsup-presence.pusher.min.js', async (route) => {
      asked.push(route.request().url());
      await released;
      await route.continue();
    });
    const errors: string[] = [];
    tab.on('pageerror', (err) => errors.push(err.message));
    await tab.goto(base);
    const panel = new Panel(tab);
    await waitFor(
      async () => (await panel.names()).length === 2,
      10_000,
      () => 'the two rows',
    );
    assert.deepEqual((await panel.names()).sort(), ['Ann', 'Bea']);
    assert.deepEqual(
      asked,
      [`${cdn}${CDN_PATH}whatsup-presence.pusher.min.js`],
      'asked from beside the bundle',
    );
    const state = () =>
      tab.evaluate(() => document.querySelector<PanelElement>('whatsup-presence')!.connectionState);
    assert.notEqual(await state(), 'connected', 'not live without pusher-js');
    assert.equal(await tab.evaluate(() => 'Pusher' in window), false);

    release();
    await waitFor(
      async () => (await state()) === 'connected',
      10_000,
      () => 'live once the chunk is here',
    );
    assert.deepEqual((await panel.names()).sort(), ['Ann', 'Bea'], 'the same rows, live');
    assert.equal(asked.length, 1, 'the chunk once');
    assert.deepEqual(errors, []);
  });
});
