// The page on one origin (http://localhost:P1), the middleware on another (https://127.0.0.1:P2):
// an allowed origin signs up and sees itself; an origin not in whatsup({ cors }) gets a message
// in the panel that names the fix. The session cookie is SameSite=None; Secure, so the
// middleware runs over https (a self-signed certificate made here with openssl).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import session from 'express-session';
import type { Browser } from 'playwright-core';
import { whatsup } from '@whatsup/express';
import { createRealtimeServer } from '@whatsup/realtime';
import { Panel } from './panel.js';
import { launch, waitFor } from './support.js';

const require = createRequire(import.meta.url);

/** A plain page, as a site owner would write it, pointing at the middleware's origin. */
function page(middleware: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>another origin</title><link rel="icon" href="data:,"></head>
<body>
<script src="${middleware}/whatsup-presence.js"></script>
<whatsup-presence auth-endpoint="${middleware}/whatsup/usersystem/auth" channel="presence-whatsup-members"></whatsup-presence>
</body></html>`;
}

async function listen(server: HttpServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

describe('the page and the middleware on two origins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'whatsup-cors-'));
  let browser: Browser;
  const closers: (() => Promise<void> | void)[] = [];
  let middleware = '';
  let allowedPage = '';
  let otherPage = '';

  before(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );

    // Two page servers first, so the allowed origin is known when the middleware starts.
    const pages: HttpServer[] = [];
    const ports: number[] = [];
    for (let i = 0; i < 2; i++) {
      const server = createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(middleware));
      });
      ports.push(await listen(server));
      pages.push(server);
      closers.push(() => {
        server.closeAllConnections();
        server.close();
      });
    }
    allowedPage = `http://localhost:${ports[0]}`;
    otherPage = `http://localhost:${ports[1]}`;

    const app = express();
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      app,
    );
    const realtime = createRealtimeServer({ appId: 'app-id', key: 'app-key', secret: 'app-secret', server });
    app.use(
      session({
        secret: 'cross-origin-test',
        resave: false,
        saveUninitialized: false,
        // What a cookie needs to travel with a cross-site request: SameSite=None, hence Secure;
        // and Partitioned (CHIPS), without which browsers that block third-party cookies drop
        // it (this Chromium does). localhost and 127.0.0.1 are different sites.
        cookie: { httpOnly: true, sameSite: 'none', secure: true, partitioned: true },
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    middleware = `https://127.0.0.1:${port}`;
    app.use(
      '/whatsup',
      whatsup({
        publisher: realtime,
        cors: { origin: [allowedPage] },
        // The page is elsewhere: tell the element where the embedded server's WebSocket is.
        client: { wsHost: '127.0.0.1', wsPort: port, wssPort: port, forceTLS: true },
      }),
    );
    app.get('/whatsup-presence.js', (_req, res) => {
      res.sendFile(require.resolve('@whatsup/presence/bundle'));
    });
    // pusher-js and the status editor, imported by the bundle from beside itself: ES modules,
    // fetched with CORS (the editor ahead of its first use, when my row has focus after signing up).
    for (const [path, name] of [
      ['/whatsup-presence.pusher.min.js', 'bundle.pusher'],
      ['/whatsup-presence.editor.min.js', 'bundle.editor'],
    ])
      app.get(path, (_req, res) => {
        res.set('Access-Control-Allow-Origin', '*');
        res.sendFile(require.resolve(`@whatsup/presence/${name}`));
      });
    closers.push(async () => {
      await realtime.close();
      server.closeAllConnections();
      server.close();
    });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    for (const close of closers.reverse()) await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should sign up from an allowed origin and show me, with my cookie sent across', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await tab.goto(`${allowedPage}/`);
    const panel = new Panel(tab);
    await panel.signUp('Ana', 'across origins');
    // Me, in the live members list: the channel authorization carried the cookie across too.
    await waitFor(
      async () => (await panel.names()).includes('Ana'),
      10_000,
      () => 'Ana in the members list',
    );
    assert.deepEqual((await panel.rows())[0], { name: 'Ana', status: 'across origins' });
    // The session survives a reload: the cookie was stored for the middleware's origin and sent back.
    const cookies = await context.cookies(middleware);
    assert.equal(cookies.length, 1, 'the session cookie is stored for the middleware');
    assert.equal(cookies[0]!.sameSite, 'None');
    await tab.reload();
    await waitFor(
      async () => (await panel.names()).includes('Ana'),
      10_000,
      () => 'Ana still signed in and in the list after a reload',
    );
    assert.match((await panel.me.textContent()) ?? '', /Ana/);
    assert.deepEqual(errors, [], 'no console error: no CORS refusal, no failed WebSocket or authorization');
    await context.close();
  });

  it("should show visitors plain words, and the page's developer the cors option to set in the console", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const tab = await context.newPage();
    const consoleErrors: string[] = [];
    tab.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await tab.goto(`${otherPage}/`);
    const error = tab.locator('whatsup-presence [part~="error"]');
    await error.waitFor({ timeout: 10_000 });
    assert.equal(await error.textContent(), "Who's online can't be shown right now.");
    const told = consoleErrors.find((line) => line.startsWith('<whatsup-presence>')) ?? '';
    assert.match(told, new RegExp(`whatsup\\(\\{ cors: \\{ origin: '${otherPage}' \\} \\}\\)`));
    assert.match(told, new RegExp(middleware.replace(/\./g, '\\.')));
    await context.close();
  });

  it('should refuse a bad cors option at start with a message', () => {
    const publisher = { trigger: async () => {}, authorizeChannel: () => ({ auth: '' }) };
    for (const origin of ['*', 'https://example.com/', 'example.com', 'https://example.com/path', 42]) {
      assert.throws(
        () => whatsup({ publisher, cors: { origin: origin as string } }),
        /cors\.origin must be/,
        String(origin),
      );
    }
  });
});
