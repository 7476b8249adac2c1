// A @web/test-runner plugin: the real @whatsup/express middleware and the real embedded realtime
// server for the element tests, plus server commands that act as other people (real pusher-js
// clients, and for the 1,000-member test plain Pusher-protocol WebSocket clients).
import { createServer } from 'node:http';
import { once } from 'node:events';
import express from 'express';
import session from 'express-session';
import Pusher from 'pusher-js';
import WebSocket from 'ws';
import { whatsup } from '@whatsup/express';
import { createRealtimeServer } from '@whatsup/realtime';

export const CHANNEL = 'presence-whatsup-members';
/** The channel of the second mount, `/whatsup-id`, where the "site" signs people in (identify). */
export const IDENTIFIED_CHANNEL = 'presence-whatsup-identified';
const TEST_USER = 'whatsup-test-user';

/**
 * Returns the plugin (starts the servers, runs the commands) and a middleware for the config's
 * `middleware` list (those run before the dev server's own static files): the test page's origin
 * serves the routes too, so its cookies are same-origin as on a real site.
 *
 * - `/whatsup/*`: guest mode (sign-up form), channel `presence-whatsup-members`, status limit 40
 *   (`statusLimit`; the gallery uses the default 280).
 * - `/whatsup-id/*`: identify mode; the "site" says who you are with a `whatsup-test-user` cookie
 *   (or header) `id~name~avatar`, channel `presence-whatsup-identified`.
 * - `/whatsup-id-other/*`: the same identify router again, so one page can be two people: a
 *   cookie with `path=/whatsup-id/` and another with `path=/whatsup-id-other/` (the controller tests).
 * - `/custom-auth`: the guest auth route under another name (for the api-base attribute).
 * - `/whatsup-hang/*`: answers nothing until the browser gives up (the loading state).
 * - `/whatsup-old/*`: the guest routes of a middleware from before GET /bootstrap (it answers 404).
 * - `/gated-auth`: the guest auth route, held while the `whatsup-gate` command has closed it (a
 *   subscription made to wait, to change the channel between a snapshot and the subscription).
 * - `/probe-target`: 204, or, while the `whatsup-probe-target` command says `down`, the connection
 *   closed unanswered (a network error in the browser, as a stopped server gives); it counts asks.
 */
export function whatsupServer({ statusLimit = 40 } = {}) {
  let web;
  const gate = { open: Promise.resolve(), release: () => {} };
  const probe = { down: false, asked: 0 };
  const middleware = async (ctx, next) => {
    if (ctx.path === '/probe-target') {
      probe.asked++;
      if (probe.down) {
        ctx.status = 503; // never sent: koa would log its default 404
        ctx.respond = false;
        ctx.req.socket.destroy();
      } else ctx.status = 204;
      return;
    }
    if (ctx.path === '/gated-auth') {
      await gate.open;
      ctx.req.url = '/whatsup/usersystem/auth';
    } else if (ctx.path === '/whatsup-old/bootstrap') {
      ctx.status = 404;
      ctx.body = { success: false, error: true, code: 'route.not_found', message: 'No such whatsup route.' };
      return;
    } else if (ctx.path.startsWith('/whatsup-old/'))
      ctx.req.url = ctx.req.url.replace('/whatsup-old/', '/whatsup/');
    if (ctx.path.startsWith('/whatsup-hang/')) {
      ctx.respond = false;
      const timer = setTimeout(() => ctx.res.writeHead(503).end(), 10_000);
      await once(ctx.req, 'close');
      clearTimeout(timer);
      return;
    }
    if (ctx.path === '/custom-auth') ctx.req.url = '/whatsup/usersystem/auth';
    else if (!/^\/whatsup(-id|-id-other)?\//.test(ctx.path)) return next();
    if (!web) return next();
    ctx.respond = false;
    // koa starts every response as 404; Express only sets the status when it differs from 200.
    ctx.res.statusCode = 200;
    web(ctx.req, ctx.res);
    await once(ctx.res, 'close');
  };
  return {
    plugin: whatsupServerPlugin((app) => (web = app), statusLimit, gate, probe),
    middleware,
    app: () => web,
  };
}

/** `id~name~avatar` (each part URI-encoded) → what identify(req) returns. */
function identifyFrom(req) {
  const header = req.get('x-whatsup-test-user');
  const cookie = (req.get('cookie') ?? '')
    .split(/;\s*/)
    .find((c) => c.startsWith(`${TEST_USER}=`))
    ?.slice(TEST_USER.length + 1);
  const raw = header ?? cookie;
  if (!raw) return null;
  const [id, name, avatar] = raw.split('~').map((part) => decodeURIComponent(part));
  return { id, name: name || id, ...(avatar ? { avatar } : {}) };
}

function whatsupServerPlugin(onApp, statusLimit, gate, probe) {
  let realtime;
  let server;
  let base;
  let sessions;
  let guestRouter;
  const people = new Map();
  const crowd = [];

  // A name is held while its session lives (issue 20), and a person who left is still signed in:
  // the people who left sign out before the next person joins, so each test may reuse "Bo".
  const left = [];
  async function forgetLeft() {
    for (const cookie of left.splice(0)) {
      await fetch(`${base}/logout`, { method: 'POST', headers: { cookie } });
    }
  }

  async function person({ name, status }) {
    await forgetLeft();
    const res = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, status }),
    });
    if (res.status !== 200) throw new Error(`register ${name}: ${res.status} ${await res.text()}`);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const { user } = await res.json();
    people.set(user.id, { ...(await connectAs(cookie)), cookie });
    return user;
  }

  /**
   * A pusher-js client subscribed to CHANNEL with a person's session cookie; while they are
   * invisible, to the follow channel GET /members names instead (what their element does).
   */
  async function connectAs(cookie) {
    const members = await fetch(`${base}/members?channel=${CHANNEL}`, { headers: { cookie } });
    const follow = members.status === 200 ? (await members.json()).follow?.[CHANNEL] : undefined;
    const client = new Pusher('app-key', {
      cluster: 'local',
      wsHost: '127.0.0.1',
      wsPort: realtime.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      channelAuthorization: {
        endpoint: `${base}/usersystem/auth`,
        transport: 'ajax',
        customHandler: async ({ socketId, channelName }, callback) => {
          const auth = await fetch(`${base}/usersystem/auth`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
            body: new URLSearchParams({ socket_id: socketId, channel_name: channelName }),
          });
          if (auth.status !== 200) return callback(new Error(`auth ${auth.status}`), null);
          callback(null, await auth.json());
        },
      },
    });
    const channel = client.subscribe(follow ?? CHANNEL);
    const updates = [];
    channel.bind('status-updated', (record) => updates.push(record));
    await new Promise((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', resolve);
      channel.bind('pusher:subscription_error', (error) =>
        reject(new Error(`subscribing to ${follow ?? CHANNEL}: ${JSON.stringify(error)}`)),
      );
    });
    return { client, channel, updates };
  }

  /** One identified member as a bare Pusher-protocol client: connect, authorize, subscribe. */
  async function crowdMember(
    i,
    who = `crowd-${i}~${encodeURIComponent(`Crowd ${String(i).padStart(4, '0')}`)}`,
  ) {
    const ws = new WebSocket(
      `ws://127.0.0.1:${realtime.port}/app/app-key?protocol=7&client=js&version=8.4.0`,
    );
    const socketId = await new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('message', (raw) => {
        const message = JSON.parse(String(raw));
        if (message.event !== 'pusher:connection_established') return reject(new Error(String(raw)));
        resolve(JSON.parse(message.data).socket_id);
      });
    });
    const res = await fetch(`${base}-id/usersystem/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-whatsup-test-user': who },
      body: JSON.stringify({ socket_id: socketId, channel_name: IDENTIFIED_CHANNEL }),
    });
    if (res.status !== 200) throw new Error(`crowd auth ${res.status} ${await res.text()}`);
    const auth = await res.json();
    const subscribed = new Promise((resolve, reject) => {
      ws.on('message', (raw) => {
        const message = JSON.parse(String(raw));
        if (message.event === 'pusher:ping') ws.send(JSON.stringify({ event: 'pusher:pong', data: {} }));
        if (message.event === 'pusher_internal:subscription_succeeded') resolve();
        if (message.event === 'pusher:error') reject(new Error(String(raw)));
      });
    });
    ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: IDENTIFIED_CHANNEL, ...auth } }));
    await subscribed;
    crowd.push({ ws, who });
  }

  const commands = {
    /** `/probe-target` answers (`down: false`) or not; returns how often it was asked so far. */
    async 'whatsup-probe-target'({ down }) {
      if (typeof down === 'boolean') probe.down = down;
      return probe.asked;
    },
    /** `/gated-auth` holds its requests (`open: false`) or lets them through (`open: true`). */
    async 'whatsup-gate'({ open }) {
      if (open) gate.release();
      else gate.open = new Promise((resolve) => (gate.release = resolve));
      return true;
    },
    async 'whatsup-person'(payload) {
      return person(payload);
    },
    async 'whatsup-person-status'({ id, status }) {
      const res = await fetch(`${base}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: people.get(id).cookie },
        body: JSON.stringify({ status }),
      });
      return res.status;
    },
    /** A person's request to a route, e.g. POST /availability (returns status and body). */
    async 'whatsup-person-post'({ id, path, body }) {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: people.get(id).cookie },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    /** A reload: the connection closes and a new one joins, `afterMs` later. */
    async 'whatsup-person-reload'({ id, afterMs = 0 }) {
      const p = people.get(id);
      p.client.disconnect();
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      Object.assign(p, await connectAs(p.cookie));
      return true;
    },
    /** What person `id` sees: the channel's member ids and every status-updated they received. */
    async 'whatsup-person-view'({ id }) {
      const { channel, updates, cookie } = people.get(id);
      const ids = [];
      channel.members.each((m) => ids.push(m.id));
      const res = await fetch(`${base}/members`, { headers: { cookie } });
      const members = (await res.json()).members ?? [];
      // Listed: present per GET /members (people who left, and invisible people, have lastSeen).
      return { ids, updates, listed: members.filter((m) => m.lastSeen === undefined).map((m) => m.id) };
    },
    /** The person's connection closes; they stay signed in (their name held) until the next person joins. */
    async 'whatsup-person-leave'({ id }) {
      const p = people.get(id);
      p?.client.disconnect();
      if (p) left.push(p.cookie);
      people.delete(id);
      return true;
    },
    /**
     * Someone who signs up and never connects (the tab closed first): a record without lastSeen,
     * signed out at the next clean-up like those who left.
     */
    async 'whatsup-sign-up-only'({ name }) {
      await forgetLeft();
      const res = await fetch(`${base}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: name, status: 'never connected' }),
      });
      if (res.status !== 200) throw new Error(`register ${name}: ${res.status} ${await res.text()}`);
      left.push(
        res.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; '),
      );
      return (await res.json()).user;
    },
    /** Signs out everyone who left, so their names are free (a test's clean-up). */
    async 'whatsup-people-forget'() {
      await forgetLeft();
      return true;
    },
    /** How many connections the realtime server has open now (its public `connectionCount`). */
    async 'whatsup-connections'() {
      return realtime.connectionCount;
    },
    async 'whatsup-drop-all'({ code = 4100, reason = 'Over capacity' } = {}) {
      // 4100 "over capacity": pusher-js waits a second before reconnecting, so the state is visible.
      await realtime.disconnectAll(code, reason);
      return true;
    },
    async 'whatsup-announce'({ message }) {
      await guestRouter.announce(message);
      return true;
    },
    /** router.remove(id): the app ends that person's connections (close code 4009). */
    async 'whatsup-remove'({ id }) {
      await guestRouter.remove(id);
      return true;
    },
    /** Every session ends server-side without telling anyone: the next request gets 401. */
    async 'whatsup-expire-sessions'() {
      await new Promise((resolve, reject) => sessions.clear((err) => (err ? reject(err) : resolve())));
      return true;
    },
    /** `count` identified members join IDENTIFIED_CHANNEL, a few at a time. */
    async 'whatsup-crowd'({ count }) {
      const started = performance.now();
      for (let i = crowd.length; i < count; i += 25) {
        await Promise.all(Array.from({ length: Math.min(25, count - i) }, (_, k) => crowdMember(i + k)));
      }
      return { ms: Math.round(performance.now() - started) };
    },
    /**
     * Identified members with chosen ids and names (and statuses, emoji, availability): a scene
     * that is the same every run.
     */
    async 'whatsup-identified'({ people: list }) {
      for (const { id, name, status, emoji, availability } of list) {
        const who = `${encodeURIComponent(id)}~${encodeURIComponent(name)}`;
        await crowdMember(crowd.length, who);
        const post = (path, body) =>
          fetch(`${base}-id${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-whatsup-test-user': who },
            body: JSON.stringify(body),
          });
        if (status || emoji) await post('/status', { status: status ?? '', ...(emoji ? { emoji } : {}) });
        if (availability) await post('/availability', { availability });
      }
      return true;
    },
    async 'whatsup-crowd-status'({ index, status }) {
      const res = await fetch(`${base}-id/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-whatsup-test-user': crowd[index].who },
        body: JSON.stringify({ status }),
      });
      return res.status;
    },
    async 'whatsup-crowd-leave'() {
      const closed = crowd.splice(0).map(({ ws }) => {
        ws.close();
        return once(ws, 'close');
      });
      await Promise.all(closed);
      return true;
    },
  };

  return {
    name: 'whatsup-server',
    async serverStart() {
      realtime = createRealtimeServer({
        appId: 'app-id',
        key: 'app-key',
        secret: 'app-secret',
        port: 0,
        // the crowd commands open 1,000+ sockets from 127.0.0.1
        limits: { presenceMembers: 2000, connectionsPerAddress: 5000 },
      });
      await realtime.ready;
      const web = express();
      onApp(web);
      sessions = new session.MemoryStore();
      web.use(session({ secret: 'element tests', store: sessions, resave: false, saveUninitialized: false }));
      guestRouter = whatsup({
        publisher: realtime,
        limits: { status: statusLimit },
        rateLimit: { windowMs: 1000, max: 1000 },
      });
      web.use('/whatsup', guestRouter);
      web.use(
        ['/whatsup-id', '/whatsup-id-other'],
        whatsup({
          publisher: realtime,
          channels: IDENTIFIED_CHANNEL,
          identify: identifyFrom,
          rateLimit: { windowMs: 1000, max: 1000 },
        }),
      );
      server = createServer(web);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      base = `http://127.0.0.1:${server.address().port}/whatsup`;
    },
    async serverStop() {
      for (const { client } of people.values()) client.disconnect();
      for (const { ws } of crowd.splice(0)) ws.terminate();
      server?.closeAllConnections();
      server?.close();
      await realtime?.close();
    },
    async executeCommand({ command, payload }) {
      const handler = commands[command];
      return handler ? handler(payload ?? {}) : undefined;
    },
  };
}
