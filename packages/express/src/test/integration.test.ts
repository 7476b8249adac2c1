// The whole server side for real: the `pusher` library over HTTP to the embedded realtime server,
// pusher-js clients authorized through our auth route with their session cookies, and the CLI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import express from 'express';
import session from 'express-session';
import PusherJs from 'pusher-js';
import type { PresenceChannel } from 'pusher-js';
import { createRealtimeServer, type RealtimeServer } from '@whatsup/realtime';
import { whatsup } from '../index.js';

// pusher-js is CommonJS typed with `export default`: under NodeNext the default import is the class at run time.
const Pusher = PusherJs as unknown as typeof PusherJs.default;
type Pusher = PusherJs.default;

const CHANNEL = 'presence-whatsup-members';
const credentials = { appId: 'app-id', key: 'app-key', secret: 'app-secret' };

describe('with the pusher library and the embedded realtime server over HTTP', () => {
  let realtime: RealtimeServer;
  let app: Server;
  let base = '';
  const clients: Pusher[] = [];

  before(async () => {
    realtime = createRealtimeServer({ ...credentials, port: 0 });
    await realtime.ready;
    const web = express();
    web.use(session({ secret: 'integration', resave: false, saveUninitialized: false }));
    web.use('/whatsup', whatsup({ pusher: { ...credentials, host: '127.0.0.1', port: realtime.port } }));
    app = createServer(web);
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    base = `http://127.0.0.1:${(app.address() as { port: number }).port}/whatsup`;
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    app.closeAllConnections();
    app.close();
    await realtime.close();
  });

  /** Registers a person and connects a real pusher-js client authorized by our route with their cookie. */
  async function person(username: string, status: string) {
    const res = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, status }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const user = ((await res.json()) as { user: { id: string } }).user;
    const config = (await (await fetch(`${base}/config`)).json()) as {
      key: string;
      wsHost: string;
      wsPort: number;
    };
    const client = new Pusher(config.key, {
      cluster: 'local',
      wsHost: config.wsHost,
      wsPort: config.wsPort,
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
          callback(null, (await auth.json()) as { auth: string; channel_data?: string });
        },
      },
    });
    clients.push(client);
    const channel = client.subscribe(CHANNEL) as PresenceChannel;
    await new Promise<void>((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', () => resolve());
      channel.bind('pusher:subscription_error', (e: unknown) => reject(new Error(JSON.stringify(e))));
    });
    return { user, cookie, channel, client };
  }

  it('should let two people join, see a status change live, and refuse a name that is online', async () => {
    const ann = await person('Ann', 'here');
    const bo = await person('Bo', 'there');
    assert.equal(bo.channel.members.count, 2);
    const received = new Promise<{ id: string; status: string }>((resolve) =>
      bo.channel.bind('status-updated', resolve),
    );
    const res = await fetch(`${base}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: ann.cookie },
      body: JSON.stringify({ status: 'in a meeting' }),
    });
    assert.equal(res.status, 200);
    const event = await received;
    assert.equal(event.id, ann.user.id);
    assert.equal(event.status, 'in a meeting');
    const taken = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ann', status: '' }),
    });
    assert.equal(taken.status, 409, 'Ann is online (asked through the HTTP API)');
  });

  it('should deliver a whatsup-announce CLI message to every subscriber', async () => {
    const cy = await person('Cy', '');
    const received = new Promise<{ message: string }>((resolve) => cy.channel.bind('announcement', resolve));
    const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'Lunch', 'is', 'served'], {
      env: {
        ...process.env,
        PORT: String(realtime.port),
        PUSHER_APP_ID: '',
        PUSHER_KEY: '',
        PUSHER_SECRET: '',
      },
    });
    assert.match(stdout, /sent to presence-whatsup-members/);
    assert.equal((await received).message, 'Lunch is served');
  });

  it('should make the CLI fail with exit code 1 and a message on a wrong secret', async () => {
    const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
    await assert.rejects(
      promisify(execFile)(process.execPath, [cli, 'x'], {
        env: {
          ...process.env,
          PUSHER_APP_ID: 'app-id',
          PUSHER_KEY: 'app-key',
          PUSHER_SECRET: 'wrong',
          PUSHER_HOST: '127.0.0.1',
          PUSHER_PORT: String(realtime.port),
        },
      }),
      (err: { code: number; stderr: string }) =>
        err.code === 1 && /refused the credentials/.test(err.stderr) && /PUSHER_SECRET/.test(err.stderr),
    );
  });
});
