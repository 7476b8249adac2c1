import Pusher from 'pusher';

/** The settings <whatsup-presence> needs to open its pusher-js connection (never the secret). */
export interface ClientConfig {
  key: string;
  cluster: string;
  wsHost?: string;
  wsPort?: number;
  wssPort?: number;
  wsPath?: string;
  forceTLS: boolean;
  enabledTransports?: string[];
}

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
  return {
    trigger: (channel, event, data, params) => pusher.trigger(channel, event, data, params),
    authorizeChannel: (socketId, channel, presenceData) =>
      pusher.authorizeChannel(socketId, channel, presenceData as Pusher.PresenceChannelData | undefined),
    clientConfig: () => ({
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
    }),
    async channelUsers(channel) {
      const response = await pusher.get({ path: `/channels/${channel}/users` });
      const body = (await response.json()) as { users?: { id: string }[] };
      return (body.users ?? []).map((u) => String(u.id));
    },
  };
}
