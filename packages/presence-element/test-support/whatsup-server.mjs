// A @web/test-runner plugin: the real @whatsup/express middleware and the real embedded realtime
// server for the element tests, plus server commands that act as other people (real pusher-js clients).
import { createServer } from 'node:http';
import { once } from 'node:events';
import express from 'express';
import session from 'express-session';
import Pusher from 'pusher-js';
import { whatsup } from '@whatsup/express';
import { createRealtimeServer } from '@whatsup/realtime';

const CHANNEL = 'presence-whatsup-members';

/**
 * Returns the plugin (starts the servers, runs the commands) and a middleware for the config's
 * `middleware` list (those run before the dev server's own static files): the test page's origin
 * serves the routes too, so its cookies are same-origin as on a real site.
 */
export function whatsupServer() {
  let web;
  const middleware = async (ctx, next) => {
    if (!ctx.path.startsWith('/whatsup/') || !web) return next();
    ctx.respond = false;
    // koa starts every response as 404; Express only sets the status when it differs from 200.
    ctx.res.statusCode = 200;
    web(ctx.req, ctx.res);
    await once(ctx.res, 'close');
  };
  return { plugin: whatsupServerPlugin((app) => (web = app)), middleware };
}

function whatsupServerPlugin(onApp) {
  let realtime;
  let server;
  let base;
  const people = new Map();

  async function person({ name, status }) {
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
    const channel = client.subscribe(CHANNEL);
    await new Promise((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', resolve);
      channel.bind('pusher:subscription_error', reject);
    });
    people.set(user.id, { client, cookie });
    return user;
  }

  const commands = {
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
    async 'whatsup-person-leave'({ id }) {
      people.get(id)?.client.disconnect();
      people.delete(id);
      return true;
    },
    async 'whatsup-drop-all'() {
      // 4100 "over capacity": pusher-js waits a second before reconnecting, so the state is visible.
      await realtime.disconnectAll(4100, 'Over capacity');
      return true;
    },
    async 'whatsup-announce'({ message }) {
      await app.announce(message);
      return true;
    },
  };
  let app;

  return {
    name: 'whatsup-server',
    async serverStart() {
      realtime = createRealtimeServer({ appId: 'app-id', key: 'app-key', secret: 'app-secret', port: 0 });
      await realtime.ready;
      const web = express();
      onApp(web);
      web.use(session({ secret: 'element tests', resave: false, saveUninitialized: false }));
      app = whatsup({
        publisher: realtime,
        limits: { status: 40 },
        rateLimit: { windowMs: 1000, max: 1000 },
      });
      web.use('/whatsup', app);
      server = createServer(web);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      base = `http://127.0.0.1:${server.address().port}/whatsup`;
    },
    async serverStop() {
      for (const { client } of people.values()) client.disconnect();
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
