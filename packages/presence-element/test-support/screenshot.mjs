/* global document -- the waitForFunction callbacks run in the page */
// Takes docs/panel.png: the one-file bundle on a plain page, against the same real servers as the
// tests, with a few people online. Run after a build: `node test-support/screenshot.mjs`.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { whatsupServer } from './whatsup-server.mjs';

const bundle = fileURLToPath(new URL('../dist/whatsup-presence.bundle.min.js', import.meta.url));
const out = fileURLToPath(new URL('../docs/panel.png', import.meta.url));
const page = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>whatsup</title>
    <script src="/whatsup-presence.bundle.min.js"></script>
    <style>body { font-family: system-ui, sans-serif; margin: 24px; background: #f4f5f8; } whatsup-presence { max-width: 420px; }</style>
  </head>
  <body>
    <whatsup-presence auth-endpoint="/whatsup/usersystem/auth" channel="presence-whatsup-members"></whatsup-presence>
  </body>
</html>`;

const whatsup = whatsupServer();
await whatsup.plugin.serverStart();
const command = (name, payload) => whatsup.plugin.executeCommand({ command: name, payload });
const server = createServer(async (req, res) => {
  if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  if (req.url === '/whatsup-presence.bundle.min.js') {
    return res.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(bundle));
  }
  whatsup.app()(req, res);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const browser = await chromium.launch({
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
try {
  const tab = await browser.newPage({ viewport: { width: 480, height: 560 }, deviceScaleFactor: 2 });
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  await tab.fill('whatsup-presence >> input[name="username"]', 'Ada');
  await tab.fill('whatsup-presence >> textarea[name="status"]', 'Reviewing the presence PR');
  await tab.click('whatsup-presence >> button[type="submit"]');
  await tab.waitForSelector('whatsup-presence >> [part~="me"]');
  const bo = await command('whatsup-person', { name: 'Bo Lindqvist', status: 'In a meeting until 3' });
  await command('whatsup-person', { name: 'Chidi', status: 'At lunch, back at 1:30' });
  await command('whatsup-person', { name: 'Dee', status: 'Deep work — ping only if urgent' });
  await tab.waitForFunction(() => document.querySelector('whatsup-presence').members.length === 4);
  await command('whatsup-person-status', { id: bo.id, status: 'Out of the meeting, free now' });
  await tab.waitForFunction(() =>
    document.querySelector('whatsup-presence').members.some((m) => m.status.startsWith('Out of')),
  );
  await tab.waitForFunction(() =>
    document.querySelector('whatsup-presence').members.every((m) => m.updatedAt > 0),
  );
  await tab.locator('whatsup-presence').screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
  await whatsup.plugin.serverStop();
}
