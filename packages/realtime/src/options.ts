import type { Server } from 'node:http';
import { LIMITS } from '@whatsup/protocol';
import {
  resolveWebhookOptions,
  type ResolvedWebhookOptions,
  type WebhookOptions,
} from './webhooks/options.js';

/** Pusher's documented limits, all configurable. Defaults in `DEFAULT_LIMITS`. */
export interface Limits {
  /** Largest WebSocket frame in bytes; bigger frames close the socket with 1009. */
  maxPayload: number;
  /** Largest event `data` in bytes (HTTP API → 413, client events → pusher:error). */
  eventDataBytes: number;
  /** Longest channel name. */
  channelNameLength: number;
  /** Longest event name. */
  eventNameLength: number;
  /** Most channels one event may be published to. */
  channelsPerEvent: number;
  /** Most events in one `batch_events` request. */
  batchSize: number;
  /** Longest presence `user_id`. */
  userIdLength: number;
  /** Largest presence `user_info`, as JSON bytes. */
  userInfoBytes: number;
  /** Most distinct users in one presence channel (another tab of a present user is always let in). */
  presenceMembers: number;
  /** Client events each connection may send per second. */
  clientEventsPerSecond: number;
  /** Most simultaneous connections (`Infinity` = no limit); over it → close 4100. */
  maxConnections: number;
  /** Most simultaneous connections from one client address (see `trustProxy`); over it → close 4100. */
  connectionsPerAddress: number;
  /** Most channels one connection may be subscribed to; over it → `pusher:subscription_error` LimitReached. */
  subscriptionsPerConnection: number;
  /**
   * `pusher:subscribe` and `pusher:unsubscribe` frames one connection may send per minute; over it →
   * `pusher:error` and close 4102 (pusher-js reconnects after a back-off). Each presence join or leave
   * reaches every member, so this bounds what one connection can make every member receive.
   */
  subscriptionFramesPerMinute: number;
  /** Largest HTTP API request body in bytes (declared or streamed); over it → 413. */
  requestBodyBytes: number;
  /** Milliseconds an HTTP API request body may take to arrive once the request is accepted; over it → 408. */
  requestBodyTimeout: number;
  /** HTTP API request bodies read at once from one client address (see `trustProxy`); over it → 429. */
  requestBodiesPerAddress: number;
  /** Unsent bytes one connection may have queued (a client that does not read); over it → dropped (4101). */
  sendBufferBytes: number;
}

export interface RealtimeServerOptions {
  /** App id, as in `/apps/:appId/...` (Pusher's `appId`). */
  appId: string;
  /** Public app key pusher-js connects with. */
  key: string;
  /** Secret that signs channel authorizations and HTTP API requests. */
  secret: string;
  /** Attach to this server (same port): WebSocket upgrades and the HTTP API are taken, the rest passes through. */
  server?: Server;
  /** Listen alone on this port (0 = any free port) when `server` is not given. Default 6001. */
  port?: number;
  /** Host to listen on when alone. Default `127.0.0.1`. */
  host?: string;
  /** Prefix for `/app/:key` and `/apps/:appId` (pusher-js `wsPath`). Default `''`. */
  path?: string;
  /** Seconds of silence after which pusher-js pings (sent in the handshake). Default 120. */
  activityTimeout?: number;
  /** Milliseconds between server-side WebSocket pings to an idle socket. Default 30000. */
  pingInterval?: number;
  /** Milliseconds to wait for the pong before the socket is dropped. Default 30000. */
  pongTimeout?: number;
  /** Whether `client-*` events are relayed (private and presence channels only). Default true. */
  clientEvents?: boolean;
  /** Overrides for any of Pusher's limits. */
  limits?: Partial<Limits>;
  /**
   * Whether the client address (for `limits.connectionsPerAddress`) is read from X-Forwarded-For:
   * `false` (default) uses the socket's peer address; `true` the first (client) entry; a number n
   * trusts n proxies in front of the server (Express's `trust proxy` hop count). Only set it behind a
   * proxy that sets the header, or anyone can pick their own address.
   */
  trustProxy?: boolean | number;
  /** Pusher-format webhooks: receivers, member_removed grace, batching, queue and retries (README "Webhooks"). */
  webhooks?: WebhookOptions;
}

export interface ResolvedOptions {
  appId: string;
  key: string;
  secret: string;
  server: Server | undefined;
  port: number;
  host: string;
  path: string;
  activityTimeout: number;
  pingInterval: number;
  pongTimeout: number;
  clientEvents: boolean;
  limits: Limits;
  trustProxy: boolean | number;
  webhooks: ResolvedWebhookOptions;
}

/** Pusher's documented limits come from `@whatsup/protocol`'s `LIMITS`; the abuse caps are this server's own. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxPayload: 100 * 1024,
  eventDataBytes: LIMITS.eventDataBytes,
  channelNameLength: LIMITS.channelNameLength,
  eventNameLength: LIMITS.eventNameLength,
  channelsPerEvent: LIMITS.channelsPerEvent,
  batchSize: LIMITS.batchSize,
  userIdLength: LIMITS.userIdLength,
  userInfoBytes: LIMITS.userInfoBytes,
  presenceMembers: 1000,
  clientEventsPerSecond: 10,
  maxConnections: Infinity,
  connectionsPerAddress: 1000,
  subscriptionsPerConnection: 100,
  // room for subscribing to subscriptionsPerConnection channels at once, and then some changes
  subscriptionFramesPerMinute: 120,
  requestBodyBytes: 256 * 1024,
  requestBodyTimeout: 10_000,
  requestBodiesPerAddress: 32,
  sendBufferBytes: 1024 * 1024,
});

/** Validates options once, when the server is created; messages say how to fix the problem. */
export function resolveOptions(options: RealtimeServerOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      'createRealtimeServer(options) needs an object: { appId, key, secret, server? | port? }',
    );
  }
  for (const name of ['appId', 'key', 'secret'] as const) {
    const value: unknown = options[name];
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(
        `${name} option must be a non-empty string, got ${describe(value)}; ` +
          `use the same ${name} the pusher library and pusher-js are given (soketi's defaults are 'app-id', 'app-key', 'app-secret')`,
      );
    }
  }
  if (/[^-a-zA-Z0-9_.~]/.test(options.appId) || /[^-a-zA-Z0-9_.~]/.test(options.key)) {
    throw new TypeError(
      'appId and key options may only contain letters, digits, "-", "_", "." and "~" (they appear in URLs)',
    );
  }
  const server = options.server;
  if (server !== undefined && (typeof server !== 'object' || typeof server.on !== 'function')) {
    throw new TypeError(
      'server option must be an http.Server (e.g. the value of app.listen()), got ' + describe(server),
    );
  }
  const path = options.path ?? '';
  if (typeof path !== 'string' || (path !== '' && (!path.startsWith('/') || path.endsWith('/')))) {
    throw new TypeError(
      `path option must be '' or start with '/' and not end with '/', got ${describe(path)}`,
    );
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '')
    throw new TypeError(`host option must be a string, got ${describe(host)}`);
  const limits: Limits = { ...DEFAULT_LIMITS };
  if (options.limits !== undefined) {
    if (options.limits === null || typeof options.limits !== 'object') {
      throw new TypeError(
        `limits option must be an object like { presenceMembers: 100 }, got ${describe(options.limits)}`,
      );
    }
    for (const [name, value] of Object.entries(options.limits)) {
      if (!(name in DEFAULT_LIMITS)) {
        throw new TypeError(
          `limits.${name} is not a known limit; known: ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
        );
      }
      if (value === undefined) continue;
      limits[name as keyof Limits] = positive(`limits.${name}`, value, true);
    }
  }
  if (limits.subscriptionFramesPerMinute < limits.subscriptionsPerConnection) {
    // pusher-js subscribes to every channel it holds again on each reconnect, in one go
    throw new TypeError(
      `limits.subscriptionFramesPerMinute (${limits.subscriptionFramesPerMinute}) must be at least ` +
        `limits.subscriptionsPerConnection (${limits.subscriptionsPerConnection}): a client that reconnects ` +
        'subscribes to all its channels again at once; raise the one or lower the other',
    );
  }
  const clientEvents = options.clientEvents ?? true;
  if (typeof clientEvents !== 'boolean')
    throw new TypeError(`clientEvents option must be a boolean, got ${describe(clientEvents)}`);
  const trustProxy = options.trustProxy ?? false;
  if (
    typeof trustProxy !== 'boolean' &&
    !(typeof trustProxy === 'number' && Number.isInteger(trustProxy) && trustProxy >= 0)
  ) {
    throw new TypeError(
      `trustProxy option must be a boolean or a number of proxies (an integer ≥ 0), got ${describe(trustProxy)}`,
    );
  }
  return {
    appId: options.appId,
    key: options.key,
    secret: options.secret,
    server,
    port: options.port === undefined ? 6001 : port(options.port),
    host,
    path,
    // pusher-js refuses a handshake without a non-zero activity timeout
    activityTimeout: positive('activityTimeout', options.activityTimeout ?? 120, false),
    pingInterval: positive('pingInterval', options.pingInterval ?? 30_000, false),
    pongTimeout: positive('pongTimeout', options.pongTimeout ?? 30_000, false),
    clientEvents,
    limits,
    trustProxy,
    webhooks: resolveWebhookOptions(options.webhooks),
  };
}

function positive(name: string, value: unknown, allowInfinity: boolean): number {
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value <= 0 ||
    (!allowInfinity && !Number.isFinite(value))
  ) {
    throw new TypeError(
      `${name} option must be a positive number${allowInfinity ? ' (or Infinity)' : ''}, got ${describe(value)}`,
    );
  }
  return value;
}

function port(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new TypeError(`port option must be an integer 0–65535 (0 = any free port), got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}
