// The demo as it ships (examples/basic/server.js, what `npm start` runs), for issue 20's item 12:
// its sessions end (a cookie with an expiry, in a store that prunes them) and pages cannot send
// each other events (client events off). Started as its own process on a free port.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, person, sleep } from './support/http.js';
import { nextEvent, pusherFor, subscribed } from './support/pusher.js';

const DEMO = fileURLToPath(new URL('../../../../examples/basic/server.js', import.meta.url));
const CHANNEL = 'presence-whatsup-members';

async function startDemo(
  env: Record<string, string> = {},
): Promise<{ origin: string; port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [DEMO], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  cleanup(stop);
  let output = '';
  for await (const chunk of child.stdout!) {
    output += chunk;
    const found = /whatsup demo: (http:\/\/[^/\s]+)\//.exec(output);
    if (found) return { origin: found[1]!, port: Number(new URL(found[1]!).port), stop };
  }
  throw new Error(`the demo exited before listening:\n${output}`);
}

/** A GET without fetch's own decoding: the status, the headers and the bytes as sent. */
function raw(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      }).on('error', reject);
    },
  );
}

describe('examples/basic', () => {
  it('should send its scripts gzipped to a browser that takes gzip, and as they are otherwise', async () => {
    const demo = await startDemo();
    const resolve = createRequire(import.meta.url).resolve;
    for (const [path, name] of [
      ['/whatsup-presence.js', 'bundle'],
      ['/whatsup-presence.pusher.min.js', 'bundle.pusher'],
      ['/whatsup-presence.editor.min.js', 'bundle.editor'],
      ['/locales/fr.bundle.min.js', 'locales/fr.bundle.min.js'],
    ]) {
      const file = readFileSync(resolve(`@whatsup/presence/${name}`));
      const gz = await raw(demo.origin + path, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(gz.status, 200, path);
      assert.equal(gz.headers['content-encoding'], 'gzip', path);
      assert.match(String(gz.headers['content-type']), /javascript/, path);
      assert.ok(gunzipSync(gz.body).equals(file), `${path}: the file, gzipped`);
      assert.ok(gz.body.length < file.length / 2, `${path}: ${gz.body.length} B gzip of ${file.length}`);
      const again = await raw(demo.origin + path, {
        'accept-encoding': 'gzip',
        'if-none-match': String(gz.headers.etag),
      });
      assert.equal(again.status, 304, `${path}: a reload gets 304`);
      const plain = await raw(demo.origin + path, { 'accept-encoding': 'identity' });
      assert.equal(plain.headers['content-encoding'], undefined, path);
      assert.ok(plain.body.equals(file), `${path}: the file as it is`);
    }
    assert.equal((await raw(`${demo.origin}/locales/xx.bundle.min.js`, {})).status, 404);
  });

  it('should give sessions an expiry, so a guest’s session (and the name it holds) ends', async () => {
    const demo = await startDemo();
    const res = await fetch(`${demo.origin}/whatsup/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Ann' }),
    });
    assert.equal(res.status, 200);
    const cookie = res.headers.getSetCookie().join('; ');
    const expires = /Expires=([^;]+)/i.exec(cookie)?.[1];
    assert.ok(expires, `a session cookie without an expiry: ${cookie}`);
    const inHours = (Date.parse(expires) - Date.now()) / 3_600_000;
    assert.ok(inHours > 23 && inHours <= 24, `the session lasts a day, got ${inHours.toFixed(1)} h`);
  });

  it('should keep nothing across a restart without SESSION_SECRET', async () => {
    const first = await startDemo();
    const ann = person(`${first.origin}/whatsup`);
    assert.equal((await ann.post('/register', { username: 'Ann', status: 'before' })).status, 200);
    await first.stop();
    const again = await startDemo({ PORT: String(first.port) });
    const me = await ann.get('/isLoggedIn');
    assert.equal(me.status, 200);
    assert.equal(me.body.authenticated, false, 'signed out: a new secret, sessions in memory');
    const bo = person(`${again.origin}/whatsup`);
    assert.equal((await bo.post('/register', { username: 'Ann' })).status, 200, 'the name is free again');
    const members = await bo.get('/members');
    assert.deepEqual(
      members.body.members.map((m: { status: string }) => m.status),
      [''],
      'no status from before',
    );
  });

  it('should keep sessions, statuses and held names across a restart with SESSION_SECRET', async () => {
    const data = await mkdtemp(join(tmpdir(), 'whatsup-demo-'));
    cleanup(() => rm(data, { recursive: true, force: true }));
    const env = { SESSION_SECRET: 'the same secret', WHATSUP_DATA: data };
    const first = await startDemo(env);
    const ann = person(`${first.origin}/whatsup`);
    assert.equal((await ann.post('/register', { username: 'Ann', status: 'before' })).status, 200);
    assert.equal((await ann.post('/status', { status: 'kept across the restart' })).status, 200);
    await first.stop();
    const again = await startDemo({ ...env, PORT: String(first.port) });
    const me = await ann.get('/isLoggedIn');
    assert.equal(me.body.authenticated, true, 'still signed in');
    assert.equal(me.body.user.status, 'kept across the restart');
    const bo = person(`${again.origin}/whatsup`);
    const taken = await bo.post('/register', { username: 'Ann' });
    assert.equal(taken.status, 409, 'Ann still holds her name');
    assert.equal(taken.body.code, 'name.taken');
    assert.equal((await ann.post('/status', { status: 'and after' })).status, 200);
  });

  it('should not relay client events between pages: statuses come from the server', async () => {
    const demo = await startDemo();
    const ann = person(`${demo.origin}/whatsup`);
    const bo = person(`${demo.origin}/whatsup`);
    await ann.post('/register', { username: 'Ann' });
    await bo.post('/register', { username: 'Bo' });
    const annPage = await subscribed(pusherFor(ann, demo.port), CHANNEL);
    const boPage = await subscribed(pusherFor(bo, demo.port), CHANNEL);
    let spoofed = 0;
    boPage.bind('client-status', () => (spoofed += 1));
    annPage.trigger('client-status', { id: 'someone-else', status: 'spoofed' });
    await sleep(200);
    const after = nextEvent(boPage, 'status-updated');
    await ann.post('/status', { status: 'from the server' });
    await after;
    assert.equal(spoofed, 0, 'a page’s client event reached another page');
  });
});
