// One browser's worth of HTTP for the express tests: a cookie jar over fetch, a free port, an app
// with express-session listening on 127.0.0.1, raw requests whose bytes a test controls.
import { afterEach } from 'node:test';
import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { connect } from 'node:net';
import express from 'express';
import session from 'express-session';
import Pusher from 'pusher';
import type { Publisher } from '../../index.js';

export const CHANNEL = 'presence-whatsup-members';
/** The credentials the embedded server and soketi get in these tests. */
export const APP = { appId: 'app-id', key: 'app-key', secret: 'app-secret' };

/** Cleanups run after each test, last first: servers, sockets, processes. */
const pending: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of pending.splice(0).reverse()) await cleanup();
});
export function cleanup(fn: () => unknown): void {
  pending.push(fn);
}

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One browser: a cookie jar over fetch, against the router mounted at `base`. */
export function person(base: string) {
  let cookie = '';
  async function request(path: string, init: RequestInit = {}): Promise<Answer> {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(base + path, { ...init, headers });
    const set = res.headers.getSetCookie();
    if (set.length) cookie = set.map((c) => c.split(';')[0]).join('; ');
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // HTML pages, redirects, the host app's own 404
    }
    return { status: res.status, headers: res.headers, body };
  }
  return {
    base,
    request,
    cookie: () => cookie,
    get: (path: string, init: RequestInit = {}) => request(path, init),
    post: (path: string, body?: unknown) =>
      request(path, {
        method: 'POST',
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      }),
    form: (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      request(path, {
        method: 'POST',
        body: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      }),
    raw: (path: string, body: string | Uint8Array, type: string | undefined) =>
      request(path, { method: 'POST', body, headers: type ? { 'content-type': type } : {} }),
    /** Another browser on the same router. */
    person: () => person(base),
  };
}

export type Person = ReturnType<typeof person>;

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Listens on a free port of 127.0.0.1 until the test ends. */
export async function serve(
  handler: Parameters<typeof createServer>[1] | Server,
): Promise<{ server: Server; port: number; origin: string }> {
  const server = handler instanceof Server ? handler : createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as { port: number }).port;
  return { server, port, origin: `http://127.0.0.1:${port}` };
}

/** An Express app with express-session (memory store), listening; mount the router at /whatsup yourself. */
export async function appWithSessions(sessionOptions: Partial<session.SessionOptions> = {}) {
  const web = express();
  web.use(session({ secret: 'test', resave: false, saveUninitialized: false, ...sessionOptions }));
  const server = createServer(web);
  const { port, origin } = await serve(server);
  return { web, server, port, origin, base: `${origin}/whatsup` };
}

/** A publisher that signs with the real `pusher` library and records what it would publish. */
export function recorder(
  credentials = APP,
  overrides: Partial<Publisher> = {},
): Publisher & { sent: { channel: string | string[]; event: string; data: unknown }[] } {
  const pusher = new Pusher({ ...credentials, cluster: 'mt1' });
  const sent: { channel: string | string[]; event: string; data: unknown }[] = [];
  return {
    sent,
    trigger: async (channel, event, data) => {
      sent.push({ channel, event, data });
      return {};
    },
    authorizeChannel: (socketId, channel, presenceData) =>
      pusher.authorizeChannel(socketId, channel, presenceData as Pusher.PresenceChannelData | undefined),
    ...overrides,
  };
}

/** The answer to bytes written on a raw socket: the status line, headers and body as text, or the error. */
export async function rawExchange(
  port: number,
  head: string,
  write: (socket: ReturnType<typeof connect>) => Promise<void> = async () => undefined,
  waitMs = 5000,
): Promise<{ text: string; error: string | undefined; closed: boolean }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  let error: string | undefined;
  let closed = false;
  socket.on('data', (chunk) => (text += chunk.toString()));
  socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
  const gone = once(socket, 'close').then(() => (closed = true));
  socket.write(head);
  await write(socket).catch((err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
  await Promise.race([gone, new Promise((r) => setTimeout(r, waitMs))]);
  socket.destroy();
  return { text, error, closed };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` holds (a test's own deadline stops it: no wall-clock limit here). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what = 'the condition',
  tries = 400,
): Promise<void> {
  for (let i = 0; i < tries; i += 1) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`gave up waiting for ${what}`);
}
