import type { ClientConfig } from '@whatsup/protocol';
import Pusher from 'pusher';

/** The settings <whatsup-presence> needs to open its pusher-js connection (never the secret). */
export type { ClientConfig };

export interface PresenceData {
  user_id: string;
  user_info?: Record<string, unknown>;
}

/**
 * What the router publishes through. A `pusher` library client (Pusher Channels, soketi)
 * and the embedded `@whatsup/realtime` server both have these methods.
 */
export interface Publisher {
  trigger(
    channel: string | string[],
    event: string,
    data: unknown,
    params?: { socket_id?: string },
  ): Promise<unknown>;
  /** Signs a channel subscription exactly as the `pusher` library does. */
  authorizeChannel(
    socketId: string,
    channel: string,
    presenceData?: PresenceData,
  ): { auth: string; channel_data?: string };
  /** Client settings for GET /config. */
  clientConfig?(): Partial<ClientConfig>;
  /** User ids currently present in a presence channel. */
  channelUsers?(channel: string): Promise<string[]>;
  /**
   * Closes every connection of a user (sign-out, removal). Optional: without it a sign-out only
   * publishes `signed-out`, which the element obeys but a hand-made client may ignore until its
   * authorization is asked again.
   */
  terminateUserConnections?(userId: string): Promise<unknown>;
}

export interface PusherOptions {
  appId: string;
  key: string;
  secret: string;
  cluster?: string;
  host?: string;
  port?: string | number;
  useTLS?: boolean;
  timeout?: number;
}

/** A publisher backed by the real `pusher` library: Pusher Channels (cluster) or a Pusher-protocol host (soketi). */
export function createPusherPublisher(options: PusherOptions): Publisher {
  for (const name of ['appId', 'key', 'secret'] as const) {
    if (typeof options?.[name] !== 'string' || options[name] === '') {
      throw new TypeError(
        `pusher.${name} must be a non-empty string (from your Pusher app's "App Keys" page)`,
      );
    }
  }
  if (!options.cluster && !options.host) {
    throw new TypeError(
      'pusher needs a cluster (Pusher Channels, e.g. "eu") or a host (soketi, e.g. "127.0.0.1")',
    );
  }
  const useTLS = options.useTLS ?? !options.host;
  const pusher = new Pusher({
    appId: options.appId,
    key: options.key,
    secret: options.secret,
    useTLS,
    ...(options.cluster ? { cluster: options.cluster } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: String(options.port) } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  } as Pusher.Options);
  return publisherFromPusherClient(pusher, {
    key: options.key,
    cluster: options.cluster ?? 'local',
    forceTLS: useTLS,
    ...(options.host
      ? {
          wsHost: options.host,
          ...(options.port !== undefined
            ? { wsPort: Number(options.port), wssPort: Number(options.port) }
            : {}),
          enabledTransports: ['ws', 'wss'],
        }
      : {}),
  });
}

/**
 * Adapts a `pusher` library client someone made themselves (`publisher: new Pusher({…})`):
 * it signs and triggers natively; "who is online" and the browser settings come from its config.
 */
export function publisherFromPusherClient(pusher: Pusher, client?: ClientConfig): Publisher {
  return {
    trigger: (channel, event, data, params) => pusher.trigger(channel, event, data, params),
    authorizeChannel: (socketId, channel, presenceData) =>
      pusher.authorizeChannel(socketId, channel, presenceData as Pusher.PresenceChannelData | undefined),
    clientConfig: () => client ?? clientConfigOf(pusher),
    // Pusher Channels closes every connection of the user; soketi only those signed in as them (pusher:signin).
    terminateUserConnections: (userId) => pusher.terminateUserConnections(userId),
    async channelUsers(channel) {
      const response = await pusher.get({ path: `/channels/${channel}/users` });
      const body = (await response.json()) as { users?: { id: string | number }[] };
      return (body.users ?? []).map((u) => String(u.id));
    },
  };
}

/** What a browser needs to reach the server a `pusher` client publishes to. */
function clientConfigOf(pusher: Pusher): ClientConfig {
  const config = (pusher as unknown as { config: PusherClientConfig }).config;
  const forceTLS = config.scheme === 'https';
  const cluster = /^api-([a-z0-9-]+)\.pusher\.com$/.exec(config.host)?.[1];
  if (cluster) return { key: config.token.key, cluster, forceTLS };
  const port = config.port !== undefined ? Number(config.port) : undefined;
  return {
    key: config.token.key,
    cluster: 'local',
    forceTLS,
    wsHost: config.host,
    ...(port !== undefined ? { wsPort: port, wssPort: port } : {}),
    enabledTransports: ['ws', 'wss'],
  };
}

/** The parts of the `pusher` library's (untyped) `config` property read above. */
interface PusherClientConfig {
  scheme: string;
  host: string;
  port?: string;
  token: { key: string };
}
