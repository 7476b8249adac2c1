// The real clients: pusher-js (as a browser runs it) and the pusher server library (as an app
// calls the HTTP API), pointed at a server on 127.0.0.1. Every pusher-js client made here is
// disconnected by `closeClients()`.
import PusherJs from 'pusher-js';
import type { Channel, Members, PresenceChannel } from 'pusher-js';
import PusherServer from 'pusher';
import { within } from './net.js';

// pusher-js is CommonJS with `export default` typings: under NodeNext the default import is the class at
// runtime but typed as the module, hence the cast
export const Pusher = PusherJs as unknown as typeof PusherJs.default;
export type Pusher = PusherJs.default;

/** The credentials every test server and soketi run with (soketi's defaults). */
export const APP = { appId: 'app-id', key: 'app-key', secret: 'app-secret' } as const;

export type AuthResponse = { auth: string; channel_data?: string };

export interface ConnectOptions {
  userId?: string;
  userInfo?: Record<string, unknown>;
  /** Replaces the authorization pusher-js gets, to forge it. */
  tamper?: (auth: AuthResponse, socketId: string, channel: string) => AuthResponse;
}

const clients: Pusher[] = [];

/** The pusher library against the server on `port`. */
export function restClient(port: number): PusherServer {
  return new PusherServer({ ...APP, host: '127.0.0.1', port: String(port), useTLS: false });
}

/** A real pusher-js client whose authorization is signed by the real pusher library. */
export function connect(port: number, options: ConnectOptions = {}): Pusher {
  const rest = restClient(port);
  const userId = options.userId ?? 'anonymous';
  const client = new Pusher(APP.key, {
    cluster: 'local',
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        try {
          const presence = channelName.startsWith('presence-')
            ? { user_id: userId, user_info: options.userInfo ?? { name: userId } }
            : undefined;
          const auth: AuthResponse = rest.authorizeChannel(socketId, channelName, presence);
          callback(null, options.tamper ? options.tamper(auth, socketId, channelName) : auth);
        } catch (error) {
          callback(error as Error, null);
        }
      },
    },
    userAuthentication: {
      customHandler: ({ socketId }, callback) =>
        callback(null, rest.authenticateUser(socketId, { id: userId })),
    },
  });
  clients.push(client);
  return client;
}

/** Disconnects every pusher-js client made by `connect()`. */
export function closeClients(): void {
  for (const client of clients.splice(0)) client.disconnect();
}

export type Bindable = {
  bind(event: string, callback: (...args: never[]) => void): unknown;
  unbind(event: string, callback: (...args: never[]) => void): unknown;
};

/** The next `event` on a pusher-js client, channel or user. */
export function next<T = unknown>(emitter: Bindable, event: string, ms = 5000): Promise<T> {
  return within(
    new Promise<T>((resolve) => {
      const handler = (data: T): void => {
        emitter.unbind(event, handler as never);
        resolve(data);
      };
      emitter.bind(event, handler as never);
    }),
    event,
    ms,
  );
}

/** Resolves when `event` did NOT happen within `ms`. */
export function silent(emitter: Bindable, event: string, ms = 300): Promise<void> {
  return new Promise((resolve, reject) => {
    const handler = (): void => {
      clearTimeout(timer);
      reject(new Error(`unexpected ${event}`));
    };
    const timer = setTimeout(() => {
      emitter.unbind(event, handler as never);
      resolve();
    }, ms);
    emitter.bind(event, handler as never);
  });
}

export function connected(client: Pusher): Promise<void> {
  if (client.connection.state === 'connected') return Promise.resolve();
  return next(client.connection as unknown as Bindable, 'connected');
}

export async function subscribed(client: Pusher, name: string): Promise<Channel> {
  const channel = client.subscribe(name);
  await within(
    new Promise((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', resolve);
      channel.bind('pusher:subscription_error', (error: unknown) =>
        reject(new Error(`subscription_error ${JSON.stringify(error)}`)),
      );
    }),
    `subscription to ${name}`,
  );
  return channel;
}

export async function subscribedPresence(
  client: Pusher,
  name: string,
): Promise<{ client: Pusher; channel: PresenceChannel; members: Members }> {
  const channel = (await subscribed(client, name)) as PresenceChannel;
  return { client, channel, members: channel.members };
}

export function subscriptionError(
  client: Pusher,
  name: string,
): Promise<{ type?: string; error?: string; status: number }> {
  const channel = client.subscribe(name);
  return within(
    new Promise((resolve, reject) => {
      channel.bind('pusher:subscription_error', resolve);
      channel.bind('pusher:subscription_succeeded', () =>
        reject(new Error(`${name}: subscribed, but a refusal was expected`)),
      );
    }),
    `subscription_error on ${name}`,
  );
}

export function memberIds(members: Members): string[] {
  const ids: string[] = [];
  members.each((member: { id: string }) => ids.push(member.id));
  return ids.sort();
}

/** The presence users the HTTP API lists, through the pusher library, as strings, sorted. */
export async function apiUsers(port: number, channel: string): Promise<string[]> {
  const response = await restClient(port).get({ path: `/channels/${channel}/users` });
  const body = (await response.json()) as { users: Array<{ id: unknown }> };
  return body.users.map((user) => String(user.id)).sort();
}
