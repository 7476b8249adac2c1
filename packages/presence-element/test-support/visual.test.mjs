/* global document -- the waitForFunction callbacks run in the page */
// Visual regression: a few main states of the one-file bundle, against the real servers, compared
// with the baselines in docs/gallery/baseline-*.png by pixelmatch. The scene is fixed (identify
// mode, chosen ids and names, so avatars keep their colours; statuses set a moment ago, so the
// time slot is empty; no clock in any state shown). `UPDATE_BASELINES=1 npm run test:visual` rewrites the baselines after a
// deliberate change: look at them before committing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { whatsupServer } from './whatsup-server.mjs';

const root = new URL('../../../', import.meta.url);
const bundle = fileURLToPath(new URL('packages/presence-element/dist/whatsup-presence.bundle.min.js', root));
// pusher-js, which the bundle imports from beside itself
const chunk = fileURLToPath(new URL('packages/presence-element/dist/whatsup-presence.pusher.min.js', root));
const baselines = fileURLToPath(new URL('docs/gallery/', root));
/** Share of pixels allowed to differ (anti-aliasing, sub-pixel text). */
const TOLERANCE = 0.005;

const SCENES = [
  { name: 'list-light-ltr', variant: 'list', scheme: 'light', dir: 'ltr', width: 480 },
  { name: 'list-dark-rtl', variant: 'list', scheme: 'dark', dir: 'rtl', width: 375 },
  { name: 'compact-light-ltr', variant: 'compact', scheme: 'light', dir: 'ltr', width: 480 },
  { name: 'stack-light-ltr', variant: 'stack', scheme: 'light', dir: 'ltr', width: 480 },
  { name: 'list-dark-ltr-320', variant: 'list', scheme: 'dark', dir: 'ltr', width: 320 },
];

describe('the panel looks as it did (pixelmatch against docs/gallery/baseline-*.png)', () => {
  let html = '';
  let server;
  let browser;
  const whatsup = whatsupServer();
  const command = (name, payload) => whatsup.plugin.executeCommand({ command: name, payload });

  before(async () => {
    await whatsup.plugin.serverStart();
    server = createServer((req, res) => {
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      if (req.url === '/bundle.js')
        return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(bundle));
      if (req.url === '/whatsup-presence.pusher.min.js')
        return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(chunk));
      whatsup.app()(req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    await command('whatsup-identified', {
      people: [
        { id: 'visual-bo', name: 'Bo Lindqvist', status: 'In a meeting until 3', emoji: '📅' },
        {
          id: 'visual-chidi',
          name: 'Chidi Okonkwo-Abernathy',
          status: 'At lunch, back at 1:30 — ping me if urgent',
          availability: 'dnd',
        },
        { id: 'visual-dee', name: 'Dee', status: '', emoji: '🎧' },
      ],
    });
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
    await whatsup.plugin.serverStop();
  });

  for (const scene of SCENES) {
    it(`should match the baseline: ${scene.name}`, async () => {
      html = `<!doctype html><html lang="${scene.dir === 'rtl' ? 'ar' : 'en'}" dir="${scene.dir}"><head><meta charset="utf-8">
        <style>:root { color-scheme: light dark; } body { margin: 16px; }</style><script src="/bundle.js"></script></head>
        <body><whatsup-presence variant="${scene.variant}" auth-endpoint="/whatsup-id/usersystem/auth" channel="presence-whatsup-identified"></whatsup-presence></body></html>`;
      const context = await browser.newContext({
        viewport: { width: scene.width, height: 420 },
        colorScheme: scene.scheme,
        reducedMotion: 'reduce',
      });
      try {
        const base = `http://127.0.0.1:${server.address().port}`;
        await context.addCookies([
          { name: 'whatsup-test-user', value: `visual-me~${encodeURIComponent('Ada Lovelace')}`, url: base },
        ]);
        const tab = await context.newPage();
        await tab.goto(`${base}/`);
        await tab.waitForFunction(() => document.querySelector('whatsup-presence')?.ready?.then(() => true));
        await tab.waitForFunction(() => document.querySelector('whatsup-presence').members.length === 4);
        if (scene.variant === 'stack') await tab.click('whatsup-presence >> [part~="stack"]');
        await tab.waitForTimeout(250);
        const actual = PNG.sync.read(await tab.screenshot());
        const file = `${baselines}baseline-${scene.name}.png`;
        if (process.env.UPDATE_BASELINES) writeFileSync(file, PNG.sync.write(actual));
        assert.ok(
          existsSync(file),
          `no baseline ${file}: run UPDATE_BASELINES=1 npm run test:visual and look at it`,
        );
        const expected = PNG.sync.read(readFileSync(file));
        assert.deepEqual([actual.width, actual.height], [expected.width, expected.height], 'same size');
        const diff = new PNG({ width: actual.width, height: actual.height });
        const differing = pixelmatch(actual.data, expected.data, diff.data, actual.width, actual.height, {
          threshold: 0.1,
        });
        const share = differing / (actual.width * actual.height);
        if (share > TOLERANCE) writeFileSync(file.replace('baseline-', 'diff-'), PNG.sync.write(diff));
        assert.ok(
          share <= TOLERANCE,
          `${(share * 100).toFixed(2)} % of pixels differ (diff-${scene.name}.png)`,
        );
      } finally {
        await context.close();
      }
    });
  }
});
