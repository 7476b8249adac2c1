// Real pusher-js clients for the express tests: a person's page (subscribed through the router's
// auth route), and a raw `ws` observer that logs every frame a socket on a channel receives.
import PusherJs from 'pusher-js';
import type { Channel, PresenceChannel } from 'pusher-js';
import WebSocket from 'ws';
import { createHmac } from 'node:crypto';
import { APP, CHANNEL, cleanup, sleep, type Person } from './http.js';

const PusherClient = PusherJs as unknown as typeof PusherJs.default;
type PusherClient = InstanceType<typeof PusherClient>;

/** A pusher-js client that asks `me`'s session for every authorization, as the element does. */
export function pusherFor(me: Person, wsPort: number): PusherClient {
  const client: PusherClient = new PusherClient(APP.key, {
    cluster: 'local',
    wsHost: '127.0.0.1',
    wsPort,
    forceTLS: false,
    enabledTransports: ['ws'],
    channelAuthorization: {
      endpoint: 'unused',
      transport: 'ajax',
      customHandler: async ({ socketId, channelName }, callback) => {
        const auth = await me.form('/usersystem/auth', { socket_id: socketId, channel_name: channelName });
        if (auth.status !== 200) {
          const error = Object.assign(new Error(`auth ${auth.status} ${JSON.stringify(auth.body)}`), {
            status: auth.status,
          });
          return callback(error, null);
        }
        callback(null, auth.body);
      },
    },
  });
  cleanup(() => client.disconnect());
  return client;
}

/** Subscribes and waits for pusher:subscription_succeeded (rejects on subscription_error). */
export async function subscribed<T extends Channel = PresenceChannel>(
  client: PusherClient,
  channel: string,
): Promise<T> {
  const subscription = client.subscribe(channel) as T;
  await new Promise<void>((resolve, reject) => {
    subscription.bind('pusher:subscription_succeeded', () => resolve());
    subscription.bind('pusher:subscription_error', (e: unknown) => reject(new Error(JSON.stringify(e))));
  });
  return subscription;
}

/** Signs `me` up (when a name is given) and opens a page of theirs subscribed to `channel`. */
export async function join(me: Person, wsPort: number, name?: string, channel = CHANNEL) {
  let id: string | undefined;
  if (name !== undefined) {
    const reg = await me.post('/register', { username: name });
    if (reg.status !== 200) throw new Error(`sign-up of ${name}: ${reg.status} ${JSON.stringify(reg.body)}`);
    id = reg.body.user.id as string;
  }
  const client = pusherFor(me, wsPort);
  const subscription = await subscribed(client, channel);
  return { ...me, id: id!, client, channel: subscription };
}

export function nextEvent<T>(channel: Channel, event: string): Promise<T> {
  return new Promise((resolve) => {
    const handler = (data: T) => {
      channel.unbind(event, handler);
      resolve(data);
    };
    channel.bind(event, handler);
  });
}

export function collect<T = unknown>(channel: Channel, event: string): T[] {
  const seen: T[] = [];
  channel.bind(event, (data: T) => seen.push(data));
  return seen;
}

/** A frame as a raw socket received it. */
export interface Frame {
  event: string;
  channel?: string;
  data: unknown;
}

/**
 * A raw WebSocket on the Pusher protocol (no pusher-js), subscribed to a presence channel as a
 * member of its own (signed with the app secret, as the auth route would): every frame it gets
 * is kept, in order, to be read as an observer would read them.
 */
export async function observer(wsPort: number, channel = CHANNEL, userId = 'observer') {
  const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/app/${APP.key}?protocol=7&client=raw&version=8.4.0`);
  cleanup(() => ws.close());
  const frames: Frame[] = [];
  let resolveId: (id: string) => void;
  const socketId = new Promise<string>((r) => (resolveId = r));
  ws.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as { event: string; channel?: string; data?: string | object };
    const data = typeof frame.data === 'string' ? safeJson(frame.data) : frame.data;
    if (frame.event === 'pusher:connection_established') resolveId((data as { socket_id: string }).socket_id);
    else if (frame.event !== 'pusher:pong')
      frames.push({ event: frame.event, ...(frame.channel ? { channel: frame.channel } : {}), data });
  });
  const id = await socketId;
  const channelData = JSON.stringify({ user_id: userId, user_info: {} });
  const signature = createHmac('sha256', APP.secret).update(`${id}:${channel}:${channelData}`).digest('hex');
  ws.send(
    JSON.stringify({
      event: 'pusher:subscribe',
      data: { channel, auth: `${APP.key}:${signature}`, channel_data: channelData },
    }),
  );
  const log = {
    frames,
    /** Waits until a frame matches (or `tries` × 25 ms pass). */
    async until(match: (frame: Frame) => boolean, tries = 400): Promise<Frame> {
      for (let i = 0; i < tries; i += 1) {
        const found = frames.find(match);
        if (found) return found;
        await sleep(25);
      }
      throw new Error(`the observer never got the frame; it has:\n${JSON.stringify(frames, null, 1)}`);
    },
    close: () => ws.close(),
  };
  await log.until((f) => f.event === 'pusher_internal:subscription_succeeded');
  return log;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
