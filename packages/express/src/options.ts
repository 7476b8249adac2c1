// Option checks that run once, when whatsup() is called (express-session's and ws's way): a
// mistake throws a TypeError that says how to fix it, before any request is served. This module
// imports nothing from the routes or services: they import what it resolves.
import { isChannelName, isFollowChannel, DEFAULT_CHANNEL, type ClearAfter } from '@whatsup/protocol';
import type { Request } from 'express';
import type session from 'express-session';
import Pusher from 'pusher';
import { allowedOrigins, type OriginList } from './guards.js';
import type { CorsOrigin } from './host.js';
import { MemoryIndex, type WhatsupIndex } from './indexes.js';
import { byteCount, resolveLimits, type Limits } from './limits.js';
import {
  createPusherPublisher,
  publisherFromPusherClient,
  type ClientConfig,
  type Publisher,
  type PusherOptions,
} from './publisher.js';
import { resolvePresets, type StatusPreset } from './rich-status.js';
import { checkRateLimit, type RateLimitOptions } from './services/limits.js';
import { MemoryStatusStore, type MemberRecord, type StatusStore } from './status-store.js';

export interface Identity {
  id: string;
  name: string;
  avatar?: string;
}

export type ChannelRule =
  string | string[] | ((channel: string, user: MemberRecord, req: Request) => boolean);

export interface WebhookOptions {
  /** Where the receiver listens, relative to the router. Default `'/webhooks'`; `false` turns it off. */
  path?: string | false;
  /** The app key and secret webhooks are signed with. Default: those of the `pusher` option or client. */
  key?: string;
  secret?: string;
  /** Bodies whose `time_ms` is further than this from now are refused as stale. Default 5 minutes. */
  maxAgeMs?: number;
  /** Largest body accepted (body-parser syntax). Default `'256kb'`. */
  limit?: string | number;
  /**
   * Hold each `member_removed` this long (ms, 0–60000) and drop it with a `member_added` of the
   * same user and channel that follows within it, so a reload fires no hooks. Default 0: Pusher
   * Channels and @whatsup/realtime already wait before sending member_removed; soketi does not,
   * so with soketi set it (3000 is Pusher's order of magnitude).
   */
  leaveGraceMs?: number;
}

export interface WhatsupOptions {
  /** Credentials for Pusher Channels or a Pusher-protocol host (soketi): a `pusher` client is made from them. */
  pusher?: PusherOptions;
  /** Any object with `trigger` and `authorizeChannel` (the embedded `@whatsup/realtime` server, a `pusher` client). */
  publisher?: Publisher;
  /** Client settings for GET /config, over what the publisher says. */
  client?: Partial<ClientConfig>;
  /** The channels that may be authorized. Default `'presence-whatsup-members'`. */
  channels?: ChannelRule;
  /** The channel GET /config returns and announcements go to. Default: the first of `channels`. */
  defaultChannel?: string;
  /** For sites that already sign people in: the signed-in user, or null. Turns /register off. */
  identify?: (req: Request) => Identity | null | undefined | Promise<Identity | null | undefined>;
  statusStore?: StatusStore;
  /** Sizes and counts; see limits.ts for the defaults and the user_info budget they must fit. */
  limits?: Partial<Limits>;
  /** Sign-ups per address and in all; state changes and activity per person (express-rate-limit). */
  rateLimit?: RateLimitOptions;
  /** Mounts express-session inside the router, for sites that have none. */
  session?: {
    secret: string | string[];
    store?: session.Store;
    name?: string;
    cookie?: session.CookieOptions;
    /** How often the default memory store prunes expired sessions, in ms. Default 10 minutes. */
    checkPeriodMs?: number;
  };
  /** Where GET /logout redirects. Default `'/'`. */
  logoutRedirect?: string;
  /** The webhook receiver (POST /webhooks): path, key/secret, maxAgeMs, limit; `false` turns it off. */
  webhooks?: WebhookOptions | false;
  /**
   * Pages on other origins that may use these routes with their cookies: an origin
   * (`'https://www.example.com'`), a list of them, or the `cors` package's origin function.
   * Unset: same-origin only. See the README's "Another origin" for the cookie this needs.
   */
  cors?: { origin: CorsOrigin };
  /**
   * The statuses the editor offers as one-click chips: `{ text, emoji?, clearAfter? }` (validated
   * like POST /status when the router is made). Default: in a meeting 📅 1 h, commuting 🚌 30 min,
   * out sick 🤒 today; `[]` offers none.
   */
  presets?: { text: string; emoji?: string; clearAfter?: ClearAfter }[];
  /** A person's activity changes at most once per this many ms; reports in between are coalesced. Default 2000. */
  activityMs?: number;
}

/** The channel rule as the routes use it. */
export interface Channels {
  /** The first listed channel (undefined for a function rule). */
  first: string | undefined;
  /** Every listed channel (undefined for a function rule). */
  list: string[] | undefined;
  test(channel: string, user: MemberRecord, req: Request): boolean;
}

/** The receiver's settings, when it is on. */
export interface WebhookSettings {
  path: string;
  key: string;
  secret: string;
  maxAgeMs: number;
  limit: number;
}

/** Everything whatsup() was given, checked and with its defaults. */
export interface Settings {
  publisher: Publisher;
  channels: Channels;
  defaultChannel: string;
  identify: WhatsupOptions['identify'];
  limits: Limits;
  /** limits.body in bytes. */
  bodyBytes: number;
  store: StatusStore;
  index: WhatsupIndex;
  presets: StatusPreset[];
  activityMs: number;
  webhooks: WebhookSettings | undefined;
  leaveGraceMs: number | undefined;
  rateLimit: RateLimitOptions | undefined;
  origins: OriginList;
  client: Partial<ClientConfig> | undefined;
  logoutRedirect: string;
}

let warnedMemory = false;

export function resolveOptions(options: WhatsupOptions): Settings {
  const publisher = resolvePublisher(options);
  const channels = resolveChannels(options.channels);
  const wanted = options.defaultChannel ?? channels.first;
  if (!isChannelName(wanted) || isFollowChannel(wanted)) {
    throw new TypeError(
      `defaultChannel must be a valid channel name (required when channels is a function), got ${JSON.stringify(wanted)}`,
    );
  }
  if (options.identify !== undefined && typeof options.identify !== 'function') {
    throw new TypeError('identify option must be a function (req) => ({ id, name, avatar? }) | null');
  }
  const limits = resolveLimits(options.limits);
  const store = options.statusStore ?? new MemoryStatusStore();
  for (const method of ['get', 'set', 'delete', 'list'] as const) {
    if (typeof store[method] !== 'function') throw new TypeError(`statusStore must implement ${method}()`);
  }
  const activityMs = options.activityMs ?? 2000;
  if (!Number.isInteger(activityMs) || activityMs <= 0)
    throw new TypeError(`activityMs must be a positive integer (milliseconds), got ${String(activityMs)}`);
  checkRateLimit(options.rateLimit);
  if (options.session && !options.session.secret) {
    throw new TypeError('session.secret must be set (a long random string) when the session option is used');
  }
  warnOnMemoryStores(options);
  return {
    publisher,
    channels,
    defaultChannel: wanted,
    identify: options.identify,
    limits,
    bodyBytes: byteCount(limits.body, 'limits.body'),
    store,
    index: store.index ?? new MemoryIndex(),
    presets: resolvePresets(options.presets, limits),
    activityMs,
    webhooks: resolveWebhooks(options),
    leaveGraceMs: options.webhooks ? options.webhooks.leaveGraceMs : undefined,
    rateLimit: options.rateLimit,
    origins: allowedOrigins(options.cors),
    client: options.client,
    logoutRedirect: options.logoutRedirect ?? '/',
  };
}

export function resolvePublisher(options: WhatsupOptions): Publisher {
  if (options.publisher && options.pusher) {
    throw new TypeError('pass either the pusher option (credentials) or the publisher option, not both');
  }
  if (options.pusher) return createPusherPublisher(options.pusher);
  const publisher = options.publisher;
  if (publisher instanceof Pusher) return publisherFromPusherClient(publisher);
  if (!publisher) {
    throw new TypeError(
      'whatsup needs somewhere to publish: pass pusher: { appId, key, secret, cluster | host } ' +
        'or publisher: createRealtimeServer({ appId, key, secret, server }) from @whatsup/realtime',
    );
  }
  if (typeof publisher.trigger !== 'function' || typeof publisher.authorizeChannel !== 'function') {
    throw new TypeError(
      'publisher must have trigger(channel, event, data) and authorizeChannel(socketId, channel, presenceData)',
    );
  }
  return publisher;
}

/** The receiver's path and the key and secret webhooks are signed with (given, or the pusher option's or client's). */
function resolveWebhooks(options: WhatsupOptions): WebhookSettings | undefined {
  const given = options.webhooks;
  if (given !== undefined && given !== false && (typeof given !== 'object' || given === null)) {
    throw new TypeError(
      'webhooks option must be { path?, key?, secret?, maxAgeMs?, limit?, leaveGraceMs? } or false',
    );
  }
  const path = given === false ? false : (given?.path ?? '/webhooks');
  if (path !== false && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new TypeError(`webhooks.path must start with '/', got ${JSON.stringify(path)}`);
  }
  const credentials = webhookCredentials(options);
  if (given && path !== false && !credentials) {
    throw new TypeError(
      'webhooks needs the app key and secret they are signed with: webhooks: { key, secret }, or the pusher option',
    );
  }
  if (path === false || !credentials) return undefined;
  const maxAgeMs = (given || {}).maxAgeMs ?? 5 * 60 * 1000;
  if (!Number.isFinite(maxAgeMs) || maxAgeMs <= 0)
    throw new TypeError(`webhooks.maxAgeMs must be a positive number, got ${maxAgeMs}`);
  const limit = byteCount((given || {}).limit ?? '256kb', 'webhooks.limit');
  return { path, ...credentials, maxAgeMs, limit };
}

function webhookCredentials(options: WhatsupOptions): { key: string; secret: string } | undefined {
  const given = options.webhooks || {};
  if (given.key !== undefined || given.secret !== undefined) {
    if (typeof given.key !== 'string' || !given.key || typeof given.secret !== 'string' || !given.secret)
      throw new TypeError('webhooks.key and webhooks.secret must both be non-empty strings');
    return { key: given.key, secret: given.secret };
  }
  if (options.pusher?.key && options.pusher.secret)
    return { key: options.pusher.key, secret: options.pusher.secret };
  if (options.publisher instanceof Pusher) {
    const token = (options.publisher as unknown as { config: { token: { key: string; secret: string } } })
      .config.token;
    return { key: token.key, secret: token.secret };
  }
  return undefined;
}

export function resolveChannels(rule: ChannelRule | undefined = DEFAULT_CHANNEL): Channels {
  if (typeof rule === 'function') return { first: undefined, list: undefined, test: rule };
  const list = Array.isArray(rule) ? rule : [rule];
  // Follow channels are the router's own (one per invisible person): no site may offer one.
  if (list.length === 0 || list.some((c) => !isChannelName(c) || isFollowChannel(c))) {
    throw new TypeError(
      `channels option must be a channel name, a list of them, or a function (name, user, req) => boolean; got ${JSON.stringify(rule)}`,
    );
  }
  const set = new Set(list);
  return { first: list[0], list: [...set], test: (channel: string) => set.has(channel) };
}

function warnOnMemoryStores(options: WhatsupOptions): void {
  if (
    process.env.NODE_ENV !== 'production' ||
    warnedMemory ||
    (options.statusStore && !(options.session && !options.session.store))
  )
    return;
  warnedMemory = true;
  process.emitWarning(
    'whatsup: the in-memory status store (or session store) loses everything on restart and does not work ' +
      'across several processes; pass statusStore and a session store (e.g. RedisStatusStore, connect-redis) in production.',
    'WhatsupWarning',
  );
}
