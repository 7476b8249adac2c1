// A good guest in the host app: mounted at '/' or '/whatsup', with host routes and static files
// before and after it, the router answers only its own paths and passes everything else on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import session from 'express-session';
import { whatsup } from '@whatsup/express';
import { createRealtimeServer } from '@whatsup/realtime';

type ExpressFactory = typeof express;
const express4 = ((await import('express4' as string)) as { default: ExpressFactory }).default;

const dir = mkdtempSync(join(tmpdir(), 'whatsup-host-'));
const early = join(dir, 'early');
const late = join(dir, 'late');
for (const [folder, file] of [
  [early, 'early.txt'],
  [late, 'late.txt'],
] as const) {
  writeFileSync(join(dir, 'x'), '');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, file), `${file} from the host`);
}

interface Host {
  base: string;
  close: () => Promise<void>;
}

/** The host app: its own routes and static files before and after whatsup, no session unless asked. */
async function host(make: ExpressFactory, mount: string, withSession = true): Promise<Host> {
  const app = make();
  const server: Server = createServer(app);
  const realtime = createRealtimeServer({ appId: 'app-id', key: 'app-key', secret: 'app-secret', server });
  app.get('/before', (_req, res) => {
    res.send('host route before');
  });
  app.use(express.static(early));
  if (withSession) app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false }));
  app.use(mount, whatsup({ publisher: realtime }) as unknown as express.Router);
  app.get('/after', (_req, res) => {
    res.send('host route after');
  });
  // Looks like a whatsup route but is not one of its paths.
  app.get('/members-area', (_req, res) => {
    res.send('host members area');
  });
  app.post('/contact', (_req, res) => {
    res.status(201).send('host form');
  });
  app.use(express.static(late));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      await realtime.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

after(() => rmSync(dir, { recursive: true, force: true }));

for (const [label, make] of [
  ['Express 5', express],
  ['Express 4', express4],
] as const) {
  for (const mount of ['/', '/whatsup']) {
    describe(`whatsup() mounted at '${mount}' on ${label}`, () => {
      const prefix = mount === '/' ? '' : mount;
      let app: Host;
      before(async () => {
        app = await host(make, mount);
      });
      after(() => app.close());

      it("should leave the host's routes and static files before and after it alone", async () => {
        for (const [path, text] of [
          ['/before', 'host route before'],
          ['/after', 'host route after'],
          ['/members-area', 'host members area'],
          ['/early.txt', 'early.txt from the host'],
          ['/late.txt', 'late.txt from the host'],
        ]) {
          const res = await fetch(app.base + path);
          assert.equal(res.status, 200, path);
          assert.equal(await res.text(), text, path);
        }
        const post = await fetch(`${app.base}/contact`, { method: 'POST' });
        assert.equal(post.status, 201);
      });

      it('should answer its own routes', async () => {
        const res = await fetch(`${app.base}${prefix}/config`);
        assert.equal(res.status, 200);
        assert.equal(((await res.json()) as { key: string }).key, 'app-key');
        const session = await fetch(`${app.base}${prefix}/isLoggedIn`);
        assert.equal(session.status, 200);
        assert.deepEqual(await session.json(), { authenticated: false });
      });

      it('should answer unknown paths and wrong methods under its own routes with 404 JSON', async () => {
        for (const [method, path] of [
          ['GET', '/config/x'],
          ['PUT', '/config'],
          ['GET', '/usersystem/other'],
          ['DELETE', '/members'],
        ]) {
          const res = await fetch(`${app.base}${prefix}${path}`, { method });
          assert.equal(res.status, 404, `${method} ${path}`);
          assert.equal(((await res.json()) as { code: string }).code, 'route.not_found', `${method} ${path}`);
        }
      });

      it("should leave a path that is none of its own to the host's own 404", async () => {
        const res = await fetch(`${app.base}/no-such-page`);
        assert.equal(res.status, 404);
        assert.match(res.headers.get('content-type') ?? '', /text\/html/);
        assert.match(await res.text(), /Cannot GET \/no-such-page/);
      });
    });
  }
}

describe("whatsup() at '/' in a host app without sessions", () => {
  it('should keep the host working and say what is missing only on its own routes', async () => {
    const app = await host(express, '/', false);
    try {
      assert.equal((await fetch(`${app.base}/after`)).status, 200);
      assert.equal((await fetch(`${app.base}/late.txt`)).status, 200);
      const res = await fetch(`${app.base}/isLoggedIn`);
      assert.equal(res.status, 500);
      assert.equal(((await res.json()) as { code: string }).code, 'session.missing');
    } finally {
      await app.close();
    }
  });
});
