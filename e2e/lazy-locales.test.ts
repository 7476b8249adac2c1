// Issue 23, "load only what is needed to see": the language packs are files beside the one-file
// bundles (locales/<lang>.bundle.min.js), which a panel imports from the bundle's own folder when
// its language has no pack yet. Here the classic bundle and the ES-module bundle, each from the
// page's origin and from a CDN-like path on another origin: a French page shows the French form
// from that file; an English page asks for no pack; a pack the page loads itself is not fetched
// again; a pack that cannot load leaves English and a console warning, and is not asked again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express from 'express';
import session from 'express-session';
import { whatsup } from '@whatsup/express';
import { createRealtimeServer } from '@whatsup/realtime';
import type { Browser, Page } from 'playwright-core';
import { launch, waitFor } from './support.js';

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('@whatsup/presence/bundle'));
const CDN_PATH = '/npm/@whatsup/presence@0.1.0/dist/';
const SAME_PATH = '/js/';
const BUNDLES = { classic: 'whatsup-presence.bundle.min.js', esm: 'whatsup-presence.bundle.esm.min.js' };
const TITLE = {
  en: "Join in: tell everyone what you're up to",
  fr: 'Rejoignez-nous : dites à tout le monde ce que vous faites',
};

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return String((server.address() as { port: number }).port);
}

/** The package's dist/ scripts and language packs under `path`, with CORS as a CDN sends them. */
function serveDist(path: string) {
  return (req: { url?: string }, res: ServerResponse, next?: () => void): void => {
    const name = req.url?.startsWith(path) ? req.url.slice(path.length) : '';
    if (!/^(whatsup-presence\.[a-z.]+|locales\/[a-zA-Z-]+\.bundle\.min)\.js$/.test(name)) {
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

describe('language packs, files beside the bundles, loaded when a panel needs one', () => {
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
    app.use(session({ secret: 'lazy locales', resave: false, saveUninitialized: false }));
    app.use('/whatsup', whatsup({ publisher: realtime }));
    app.use(serveDist(SAME_PATH));
    // /?bundle=classic|esm&from=same|cdn&lang=…&own=1 (own: the page loads the pack itself, after the bundle)
    app.get('/', (req, res) => {
      const esm = req.query['bundle'] === 'esm';
      const folder = req.query['from'] === 'cdn' ? cdn : SAME_PATH;
      const lang = String(req.query['lang'] ?? 'en');
      const own = req.query['own'] ? `<script src="${folder}locales/${lang}.bundle.min.js"></script>` : '';
      res.type('html')
        .send(`<!doctype html><html lang="${lang}"><meta charset="utf-8"><title>lazy locales</title>
<whatsup-presence auth-endpoint="/whatsup/usersystem/auth" channel="presence-whatsup-members"></whatsup-presence>
<script${esm ? ' type="module"' : ''} src="${folder}${esm ? BUNDLES.esm : BUNDLES.classic}"></script>
${own}`);
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

  /** A new visitor's tab on the page; the scripts it asks for, its errors and console warnings. */
  async function visit(query: string, prepare?: (tab: Page) => Promise<unknown>) {
    const context = await browser.newContext();
    closers.unshift(() => context.close());
    const tab = await context.newPage();
    const scripts: string[] = [];
    tab.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.url());
    });
    const errors: string[] = [];
    tab.on('pageerror', (err) => errors.push(err.message));
    const warnings: string[] = [];
    tab.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await prepare?.(tab);
    await tab.goto(`${base}/?${query}`);
    const title = () =>
      tab.evaluate(
        () =>
          document.querySelector('whatsup-presence')?.shadowRoot?.querySelector('#form-title')?.textContent,
      );
    return { tab, scripts, errors, warnings, title };
  }

  const packs = (scripts: string[]) => scripts.filter((url) => url.includes('/locales/'));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  for (const bundle of ['classic', 'esm'] as const) {
    for (const from of ['same', 'cdn'] as const) {
      it(`${bundle} bundle from ${from === 'cdn' ? 'a CDN path on another origin' : 'the page’s origin'}: lang="fr" shows French from locales/fr.bundle.min.js beside it`, async () => {
        const { scripts, errors, title } = await visit(`bundle=${bundle}&from=${from}&lang=fr`);
        const folder = from === 'cdn' ? cdn : `${base}${SAME_PATH}`;
        await waitFor(
          async () => (await title()) === TITLE.fr,
          10_000,
          () => `the French form, scripts: ${scripts.join(', ')}`,
        );
        await settle();
        assert.deepEqual(
          packs(scripts),
          [`${folder}locales/fr.bundle.min.js`],
          'the pack once, from beside the bundle',
        );
        assert.deepEqual(errors, []);
      });
    }

    it(`${bundle} bundle on an English page: no language pack asked for`, async () => {
      const { scripts, errors, title } = await visit(`bundle=${bundle}&from=same&lang=en-GB`);
      await waitFor(
        async () => (await title()) === TITLE.en,
        10_000,
        () => 'the English form',
      );
      await settle();
      assert.deepEqual(scripts, [
        `${base}${SAME_PATH}${BUNDLES[bundle]}`,
        `${base}${SAME_PATH}whatsup-presence.pusher.min.js`,
      ]);
      assert.deepEqual(errors, []);
    });
  }

  it('a pack the page loads itself, after the bundle and the panel: used, not fetched a second time', async () => {
    const { scripts, errors, title } = await visit('bundle=classic&from=cdn&lang=fr&own=1');
    await waitFor(
      async () => (await title()) === TITLE.fr,
      10_000,
      () => 'the French form',
    );
    await settle();
    assert.deepEqual(packs(scripts), [`${cdn}locales/fr.bundle.min.js`], "the page's script only");
    assert.deepEqual(errors, []);
  });

  it('a pack that cannot load: English, a console warning, asked once', async () => {
    const asked: string[] = [];
    const { tab, warnings, title } = await visit('bundle=esm&from=cdn&lang=de', (tab) =>
      tab.route('**/locales/*.bundle.min.js', async (route) => {
        asked.push(route.request().url());
        await route.abort('connectionrefused');
      }),
    );
    await waitFor(
      () => warnings.length > 0,
      10_000,
      () => 'a warning',
    );
    assert.match(warnings.join('\n'), /'de' language pack/);
    assert.equal(await title(), TITLE.en);
    // Renders again (the language changes and back): no new attempt.
    await tab.evaluate(() => {
      const el = document.querySelector('whatsup-presence')!;
      el.setAttribute('lang', 'de-AT');
    });
    await settle();
    assert.equal(await title(), TITLE.en);
    assert.deepEqual(asked, [`${cdn}locales/de.bundle.min.js`]);
  });
});
