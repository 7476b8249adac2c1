// A whole set-up for a test: an Express app with express-session and the whatsup router, a
// realtime server (the embedded one in-process, or soketi posting webhooks to the router), and
// people with browsers (cookie jars) and pages (pusher-js clients).
import assert from 'node:assert/strict';
import type { Channel, PresenceChannel } from 'pusher-js';
import type session from 'express-session';
import type { RealtimeServer } from '@whatsup/realtime';
import { MemoryStatusStore, whatsup, type WhatsupOptions, type WhatsupRouter } from '../../index.js';
import { APP, CHANNEL, appWithSessions, cleanup, person, waitFor, type Person } from './http.js';
import { nextEvent, pusherFor, subscribed } from './pusher.js';
import { startRealtime, startSoketi } from './servers.js';

export type Backend = 'embedded' | 'soketi';

export interface StartOptions {
  backend?: Backend;
  /** A realtime server to share (embedded only). */
  realtime?: RealtimeServer;
  /** Options for express-session (e.g. `cookie: { maxAge }`, a store). */
  session?: Partial<session.SessionOptions>;
  /** Called with the router before anything awaits (hooks of the start-up pass). */
  setup?: (router: WhatsupRouter) => unknown;
}

export async function start(options: WhatsupOptions = {}, how: StartOptions = {}) {
  const backend = how.backend ?? 'embedded';
  const app = await appWithSessions(how.session);
  let realtime = how.realtime;
  let wsPort: number;
  let publisherOptions: WhatsupOptions;
  if (backend === 'soketi') {
    const soketi = await startSoketi({ webhookUrl: `${app.base}/webhooks`, batching: true });
    wsPort = soketi.port;
    publisherOptions = {
      pusher: { ...APP, host: '127.0.0.1', port: soketi.port, useTLS: false },
      webhooks: { leaveGraceMs: 0 },
    };
  } else {
    // No webhook grace: a leave is told at once, so tests need not wait 3 s for it.
    realtime ??= await startRealtime({ webhooks: { graceMs: 0 } });
    wsPort = realtime.port;
    publisherOptions = { publisher: realtime };
  }
  const router = whatsup({
    ...publisherOptions,
    statusStore: new MemoryStatusStore(),
    // Tests sign many people up from 127.0.0.1.
    rateLimit: { signUpMax: 1000, signUpGlobalMax: 1000 },
    ...options,
  });
  how.setup?.(router);
  cleanup(() => router.close());
  app.web.use('/whatsup', router);
  const me = person(app.base);

  /** A page of `who`, subscribed as the element would: the channel, or their follow channel while invisible. */
  async function connect(who: Person, channel = CHANNEL) {
    const client = pusherFor(who, wsPort);
    const members = await who.get(`/members?channel=${encodeURIComponent(channel)}`);
    const follow = members.body?.follow?.[channel] as string | undefined;
    const subscription = await subscribed<PresenceChannel>(client, follow ?? channel);
    return { client, channel: subscription, follow };
  }

  return {
    ...me,
    ...app,
    backend,
    router,
    realtime,
    wsPort,
    connect,
    /** Signs the default person up; resolves to their id. */
    async register(name: string): Promise<string> {
      const res = await me.post('/register', { username: name });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.user.id as string;
    },
    /** A new person, signed up and with a page in the channel. */
    async join(name: string, channel = CHANNEL) {
      const who = person(app.base);
      const res = await who.post('/register', { username: name });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return { ...who, id: res.body.user.id as string, ...(await connect(who, channel)) };
    },
    /** The ids present in the channel, as the realtime server says. */
    async present(channel = CHANNEL): Promise<string[]> {
      if (realtime) return (await realtime.channelUsers(channel)).sort();
      const publisher = router.publisher;
      return (await publisher.channelUsers!(channel)).sort();
    },
  };
}

export type App = Awaited<ReturnType<typeof start>>;

/**
 * Waits until `member` has received an event published after everything before it: events on one
 * channel arrive in order, so what was not seen before the fence was never sent.
 */
export async function fence(
  app: App,
  member: { channel: Channel },
  channel = member.channel.name,
): Promise<void> {
  const marker = nextEvent(member.channel, 'fence');
  await app.router.publisher.trigger(channel, 'fence', {});
  await marker;
}

/** Waits until the channel's presence is exactly `ids`. */
export async function presentExactly(app: App, ids: string[], channel = CHANNEL): Promise<void> {
  const want = JSON.stringify([...ids].sort());
  await waitFor(async () => JSON.stringify(await app.present(channel)) === want, `presence ${want}`);
}
