import { randomUUID } from 'node:crypto';
import { debuglog } from 'node:util';
import express from 'express';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { WhatsupError } from './errors.js';
import { cleanText, nameKey } from './text.js';
import { MemoryStatusStore, type MemberRecord, type StatusStore } from './status-store.js';
import Pusher from 'pusher';
import { type ClientConfig, type Publisher, type PusherOptions } from './publisher.js';
import { errorHandler } from './error-handler.js';
import { PresenceService, type WebhookBody, type WhatsupHooks } from './presence.js';
import { webhookReceiver, type WebhookOptions } from './webhooks.js';
import {
  allowedOrigins,
  bodyTimeout,
  fromAllowedSite,
  jsonOnly,
  limiter,
  sameSiteOnly,
  type RateLimitOptions,
} from './guards.js';
import { resolveLimits, type Limits } from './limits.js';
import { formOrJson } from './body.js';
import { announceOn, type Announcement } from './announce.js';
import { corsFor, ownPaths, type CorsOrigin } from './host.js';
import { CHANNEL_NAME, resolveChannels, resolvePublisher, resolveWebhookCredentials } from './options.js';
import {
  CLEAR_AFTER,
  HIDDEN_PREFIX,
  MAX_HIDDEN,
  availabilityOf,
  onlyFields,
  parseActivity,
  parseAvailability,
  parseUtcOffset,
  resolvePresets,
  withoutExpired,
  type Availability,
  type ClearAfter,
  type StatusInput,
  type StatusPreset,
} from './rich-status.js';
import { StatusService, presenceInfo, publicRecord, type CleanStatus } from './status-service.js';

const debug = debuglog('whatsup');

export interface Identity {
  id: string;
  name: string;
  avatar?: string;
}

export type ChannelRule =
  string | string[] | ((channel: string, user: MemberRecord, req: Request) => boolean);

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
  /** Per-address limits on sign-ups and state changes (express-rate-limit). */
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

export interface WhatsupRouter extends Router {
  /** Publishes an `announcement` to the default channel; every open page shows it as a toast. */
  announce(message: string): Promise<Announcement>;
  readonly publisher: Publisher;
  readonly statusStore: StatusStore;
  /** The session store the router mounted (the `session` option), or undefined. */
  readonly sessionStore: session.Store | undefined;
  /** Calls `handler` on every `member_added`, `member_removed`, `status_changed`, `availability_changed` or `signed_out`. */
  on<K extends keyof WhatsupHooks>(event: K, handler: (...args: WhatsupHooks[K]) => unknown): this;
  once<K extends keyof WhatsupHooks>(event: K, handler: (...args: WhatsupHooks[K]) => unknown): this;
  off<K extends keyof WhatsupHooks>(event: K, handler: (...args: WhatsupHooks[K]) => unknown): this;
  /** Whether the user is present in any channel they joined (asked through the publisher). */
  isOnline(userId: string): Promise<boolean>;
  /** The stored records of the members present in `channel` (default: the default channel). */
  online(channel?: string): Promise<MemberRecord[]>;
  /** When the user was last online: now while online, `lastSeen` after they left, undefined if unknown. */
  lastSeen(userId: string): Promise<number | undefined>;
  /** Sets a member's status as if they had (validated, stored, published, `status_changed` with by: 'server'). */
  setStatus(userId: string, status: string | StatusInput): Promise<MemberRecord>;
  /** Sets a member's availability as if they had chosen it (as POST /availability; `availability_changed` fires). */
  setAvailability(userId: string, availability: Availability): Promise<MemberRecord>;
  /**
   * Clears every stored status whose `clearAt` has passed and arms a timer for the others: what
   * the router does when it starts. Resolves to how many it cleared.
   */
  expireStatuses(): Promise<number>;
  /** Resolves once the start-up pass of `expireStatuses()` is done. */
  readonly ready: Promise<void>;
  /** Stops the expiry timers and applies deferred activity reports; the routes keep answering. */
  close(): Promise<void>;
  /** Closes every connection of the user, publishes `signed-out` and fires `signed_out` (reason 'removed'). */
  remove(userId: string): Promise<void>;
}

export type { Announcement };

interface WhatsupSession {
  id: string;
  name: string;
  channels?: string[];
}

declare module 'express-session' {
  interface SessionData {
    whatsup?: WhatsupSession;
  }
}

const SOCKET_ID = /^\d+\.\d+$/;
const MAX_SESSION_CHANNELS = 10;
let warnedMemory = false;

/** The whatsup router: mount it where the element's `auth-endpoint` points (`app.use('/whatsup', whatsup(…))`). */
export function whatsup(options: WhatsupOptions = {}): WhatsupRouter {
  const publisher = resolvePublisher(options);
  const allowed = resolveChannels(options.channels);
  const wanted = options.defaultChannel ?? allowed.first;
  if (typeof wanted !== 'string' || !CHANNEL_NAME.test(wanted)) {
    throw new TypeError(
      `defaultChannel must be a valid channel name (required when channels is a function), got ${JSON.stringify(wanted)}`,
    );
  }
  const defaultChannel: string = wanted;
  if (options.identify !== undefined && typeof options.identify !== 'function') {
    throw new TypeError('identify option must be a function (req) => ({ id, name, avatar? }) | null');
  }
  const limits = resolveLimits(options.limits);
  const store = options.statusStore ?? new MemoryStatusStore();
  for (const method of ['get', 'set', 'delete', 'list'] as const) {
    if (typeof store[method] !== 'function') throw new TypeError(`statusStore must implement ${method}()`);
  }
  const presence = new PresenceService(store, publisher, {
    leaveGraceMs: options.webhooks ? options.webhooks.leaveGraceMs : undefined,
  });
  const presets: StatusPreset[] = resolvePresets(options.presets, limits);
  const activityMs = options.activityMs ?? 2000;
  if (!Number.isInteger(activityMs) || activityMs <= 0)
    throw new TypeError(`activityMs must be a positive integer (milliseconds), got ${String(activityMs)}`);
  const webhookCredentials = resolveWebhookCredentials(options);
  if (options.webhooks !== undefined && options.webhooks !== false && typeof options.webhooks !== 'object') {
    throw new TypeError(
      'webhooks option must be { path?, key?, secret?, maxAgeMs?, limit?, leaveGraceMs? } or false',
    );
  }
  const webhookPath = options.webhooks === false ? false : (options.webhooks?.path ?? '/webhooks');
  if (webhookPath !== false && (typeof webhookPath !== 'string' || !webhookPath.startsWith('/'))) {
    throw new TypeError(`webhooks.path must start with '/', got ${JSON.stringify(webhookPath)}`);
  }
  if (options.webhooks && webhookPath !== false && !webhookCredentials) {
    throw new TypeError(
      'webhooks needs the app key and secret they are signed with: webhooks: { key, secret }, or the pusher option',
    );
  }
  // The embedded server (an EventEmitter) hands over the same webhook bodies in-process.
  const emitter = options.publisher as { on?: unknown } | undefined;
  if (emitter && !(options.publisher instanceof Pusher) && typeof emitter.on === 'function') {
    (emitter.on as (event: string, listener: (body: WebhookBody) => void) => void).call(
      emitter,
      'webhook',
      (body) => {
        presence.applyWebhook(body).catch((err: unknown) => debug('in-process webhook failed: %o', err));
      },
    );
  }
  if (options.session && !options.session.secret) {
    throw new TypeError('session.secret must be set (a long random string) when the session option is used');
  }
  if (
    process.env.NODE_ENV === 'production' &&
    !warnedMemory &&
    (!options.statusStore || (options.session && !options.session.store))
  ) {
    warnedMemory = true;
    process.emitWarning(
      'whatsup: the in-memory status store (or session store) loses everything on restart and does not work ' +
        'across several processes; pass statusStore and a session store (e.g. RedisStatusStore, connect-redis) in production.',
      'WhatsupWarning',
    );
  }
  const signUpLimit = limiter('register', options.rateLimit);
  const changeLimit = limiter('change', options.rateLimit);
  const activityLimit = limiter('activity', options.rateLimit);
  // The allow-list comes from the cors option: those origins may also change state.
  const origins = allowedOrigins(options.cors);
  const sameSite = sameSiteOnly(origins);
  const timeout = bodyTimeout(limits.bodyTimeoutMs);
  const identify = options.identify;
  const mode = identify ? 'identify' : 'guest';

  const router = express.Router() as WhatsupRouter;
  // A good guest: mounted at '/' (or anywhere), only the router's own paths are answered here;
  // everything else goes on to the host app's later routes and static files.
  const owns = ownPaths(router);
  const cors = corsFor(options.cors);
  // cors and the session option are middleware of the router's own; without them the session
  // check runs in this first layer, one layer less for every request.
  const checkSessionHere = !cors && !options.session;
  router.use((req, res, next) => {
    if (!owns(req.path)) return next('router');
    res.setHeader('Cache-Control', 'no-store');
    if (checkSessionHere) return requireSession(req, next);
    next();
  });
  const sessionStore = options.session
    ? (options.session.store ?? newMemoryStore(options.session.checkPeriodMs))
    : undefined;
  if (cors) router.use(cors);
  if (options.session) {
    router.use(
      session({
        secret: options.session.secret,
        resave: false,
        saveUninitialized: false,
        name: options.session.name ?? 'whatsup.sid',
        cookie: { httpOnly: true, sameSite: 'lax', ...options.session.cookie },
        // Without a store of their own, sessions live in a memory store that prunes expired ones,
        // so guests who never come back cost nothing after their cookie's lifetime (default a day).
        store: sessionStore!,
      }),
    );
  }
  if (!checkSessionHere) router.use((req, _res, next) => requireSession(req, next));

  const json = express.json({ limit: limits.body, strict: true });
  const form = express.urlencoded({ extended: false, limit: limits.body, parameterLimit: 20 });
  const authBody = formOrJson({ form, json, timeout, limit: limits.body });
  const jsonBody = jsonOnly(false);
  const statuses = new StatusService({
    store,
    presence,
    limits,
    activityMs,
    publish,
    terminate,
    channelsOf: recordChannels,
  });
  const load = (id: string, persist: boolean) => statuses.load(id, persist);

  /**
   * The signed-in member (latest stored record), or null. `persist: false` for reads (GET):
   * a new or renamed site user is returned as they are but stored only by a state change.
   */
  async function currentUser(req: Request, persist = true): Promise<MemberRecord | null> {
    if (identify) {
      const who = await identify(req);
      if (!who) return null;
      const id = String(who.id);
      const name = fitName(cleanText(String(who.name ?? ''), 'username', 200, true));
      const stored = await load(id, persist);
      if (stored && stored.name === name && stored.avatar === who.avatar) return stored;
      const record: MemberRecord = {
        ...stored,
        id,
        name,
        status: stored?.status ?? '',
        updatedAt: stored?.updatedAt ?? Date.now(),
        ...(who.avatar ? { avatar: String(who.avatar) } : {}),
      };
      if (!who.avatar) delete record.avatar;
      if (persist) await store.set(record);
      return record;
    }
    const mine = req.session.whatsup;
    if (!mine) return null;
    const stored = await load(mine.id, persist);
    if (stored) return stored;
    // The record expired while the session lived on: start again from what the session knows.
    const record: MemberRecord = {
      id: mine.id,
      name: mine.name,
      status: '',
      updatedAt: Date.now(),
      ...(mine.channels ? { channels: mine.channels } : {}),
    };
    if (persist) await store.set(record);
    return record;
  }

  /** A site's own name may be longer than ours: presence gets the first limits.name characters. */
  function fitName(name: string): string {
    const chars = [...name];
    return chars.length <= limits.name ? name : `${chars.slice(0, limits.name - 1).join('')}…`;
  }

  async function requireUser(req: Request, persist = true): Promise<MemberRecord> {
    const user = await currentUser(req, persist);
    if (!user)
      throw new WhatsupError(401, 'auth.signed_out', 'You are signed out: sign up (or sign in) first.');
    return user;
  }

  /** Whether someone else with a look-alike name is present in any channel they joined. */
  async function nameIsOnline(name: string, exceptId: string | undefined): Promise<boolean> {
    const key = nameKey(name);
    const holders = (await store.list()).filter((r) => r.id !== exceptId && nameKey(r.name) === key);
    if (holders.length === 0) return false;
    if (!publisher.channelUsers) return true;
    const present = new Map<string, Promise<Set<string>>>();
    const usersOf = (channel: string) => {
      let users = present.get(channel);
      if (!users) {
        users = publisher.channelUsers!(channel).then((ids) => new Set(ids));
        present.set(channel, users);
      }
      return users;
    };
    try {
      for (const holder of holders) {
        for (const channel of recordChannels(holder)) {
          if ((await usersOf(channel)).has(holder.id)) return true;
        }
      }
      return false;
    } catch (err) {
      debug('channelUsers failed, treating stored names as online: %o', err);
      return true;
    }
  }

  /** The channels a record's owner was authorized for (older records: the default channel). */
  function recordChannels(record: MemberRecord): string[] {
    return record.channels && record.channels.length > 0 ? record.channels : [defaultChannel];
  }

  function sessionChannels(req: Request): string[] {
    const channels = req.session.whatsup?.channels;
    return channels && channels.length > 0 ? channels : [defaultChannel];
  }

  async function publish(channels: string[], event: string, data: unknown): Promise<void> {
    try {
      await publisher.trigger(channels, event, data);
    } catch (err) {
      debug('publish %s to %o failed: %o', event, channels, err);
      throw new WhatsupError(
        502,
        'publish.failed',
        'Saved, but the realtime service could not be reached: others will see it after their next refresh.',
      );
    }
  }

  // First of the routes, which the router tries in order: pusher-js asks for it on every subscription.
  router.post(
    '/usersystem/auth',
    sameSite,
    authBody,
    wrap(async (req, res) => {
      const body = objectBody(req.body);
      const socketId = body.socket_id;
      const channel = body.channel_name;
      if (typeof socketId !== 'string' || !SOCKET_ID.test(socketId)) {
        throw new WhatsupError(400, 'socket_id.invalid', `Invalid socket id: '${shown(socketId)}'`);
      }
      if (typeof channel !== 'string' || channel.length > 200 || !CHANNEL_NAME.test(channel)) {
        throw new WhatsupError(400, 'channel_name.invalid', `Invalid channel name: '${shown(channel)}'`);
      }
      if (!channel.startsWith('private-') && !channel.startsWith('presence-')) {
        throw new WhatsupError(
          400,
          'channel_name.public',
          `'${channel}' is a public channel: it needs no authorization.`,
        );
      }
      const user = await requireUser(req);
      if (!allowed.test(channel, user, req)) {
        throw new WhatsupError(403, 'channel.forbidden', `You may not join '${channel}'.`);
      }
      let next = user;
      let auth: { auth: string; channel_data?: string };
      if (!channel.startsWith('presence-')) auth = publisher.authorizeChannel(socketId, channel);
      else if (availabilityOf(user) === 'invisible') {
        // Invisible: an anonymous member nobody can tie to the person (no name, a fresh id each
        // time); remembered so that signing out can end its connection too.
        const hiddenId = HIDDEN_PREFIX + randomUUID();
        auth = publisher.authorizeChannel(socketId, channel, { user_id: hiddenId, user_info: {} });
        const { lastSeen: _here, ...rest } = next;
        next = { ...rest, hidden: [...(user.hidden ?? []), hiddenId].slice(-MAX_HIDDEN) };
      } else {
        auth = publisher.authorizeChannel(socketId, channel, {
          user_id: user.id,
          user_info: presenceInfo(user, limits),
        });
      }
      if (req.session.whatsup || identify) {
        const mine = req.session.whatsup ?? { id: user.id, name: user.name };
        const channels = mine.channels ?? [];
        if (!channels.includes(channel) && channels.length < MAX_SESSION_CHANNELS) {
          req.session.whatsup = { ...mine, channels: [...channels, channel] };
        }
      }
      // GET /members shows a record only to people allowed in one of its channels.
      const joined = user.channels ?? [];
      if (!joined.includes(channel) && joined.length < MAX_SESSION_CHANNELS) {
        next = { ...next, channels: [...joined, channel] };
      }
      if (next !== user) await store.set(next);
      res.json(auth);
    }),
  );

  router.get(
    '/config',
    wrap(async (_req, res) => {
      const fromPublisher = publisher.clientConfig?.() ?? {};
      res.json({
        cluster: 'mt1',
        forceTLS: true,
        ...fromPublisher,
        ...options.client,
        channel: defaultChannel,
        mode,
        limits: { name: limits.name, status: limits.status, statusBytes: limits.statusBytes },
        presets,
        clearAfter: CLEAR_AFTER,
      });
    }),
  );

  router.post(
    '/register',
    sameSite,
    signUpLimit,
    jsonBody,
    timeout,
    json,
    wrap(async (req, res) => {
      if (identify) {
        throw new WhatsupError(
          404,
          'register.disabled',
          'This site signs people in itself; sign in on the site instead.',
        );
      }
      const body = objectBody(req.body);
      const name = cleanText(body.username, 'username', limits.name, true);
      const status = cleanText(body.status, 'status', limits.status, false, limits.statusBytes);
      const previous = req.session.whatsup;
      const sameSession = previous && nameKey(previous.name) === nameKey(name) ? previous.id : undefined;
      if (await nameIsOnline(name, sameSession)) {
        throw new WhatsupError(409, 'name.taken', `"${name}" is online already; pick another name.`, {
          field: 'username',
        });
      }
      const record: MemberRecord = { id: sameSession ?? randomUUID(), name, status, updatedAt: Date.now() };
      // Signing up again as the same member starts afresh, but anonymous connections opened while
      // invisible stay known, so that signing out still ends them.
      const hidden = sameSession ? (await store.get(sameSession))?.hidden : undefined;
      if (hidden) record.hidden = hidden;
      // A new name from a signed-in session is a new member: the old one must not linger in /members.
      if (previous && !sameSession) await store.delete(previous.id);
      await store.set(record);
      await regenerate(req);
      req.session.whatsup = { id: record.id, name: record.name };
      await save(req);
      debug('registered %s as %s', record.id, JSON.stringify(record.name));
      res.json({ success: true, error: false, user: publicRecord(record) });
    }),
  );

  router.get(
    '/isLoggedIn',
    wrap(async (req, res) => {
      const user = await currentUser(req, false);
      res.json(user ? { authenticated: true, user: publicRecord(user) } : { authenticated: false });
    }),
  );

  router.post(
    '/status',
    sameSite,
    changeLimit,
    jsonBody,
    timeout,
    json,
    wrap(async (req, res) => {
      const user = await requireUser(req);
      const body = objectBody(req.body);
      // Clearing is explicit ({"status": ""}): a missing body or {} must not wipe anything.
      if (!Object.hasOwn(body, 'status')) {
        throw new WhatsupError(400, 'status.required', 'Send {"status": "…"}; {"status": ""} clears it.', {
          field: 'status',
        });
      }
      onlyFields(body, ['status', 'emoji', 'clearAfter', 'utcOffset'], 'POST /status');
      const status = statuses.clean({ text: body.status, emoji: body.emoji, clearAfter: body.clearAfter });
      const utcOffset = parseUtcOffset(body.utcOffset);
      const record = await statuses.setStatus(user, status, utcOffset, 'user', sessionChannels(req));
      res.json({ success: true, error: false, user: publicRecord(record) });
    }),
  );

  router.post(
    '/availability',
    sameSite,
    changeLimit,
    jsonBody,
    timeout,
    json,
    wrap(async (req, res) => {
      const user = await requireUser(req);
      const body = objectBody(req.body);
      onlyFields(body, ['availability'], 'POST /availability');
      const availability = parseAvailability(body.availability);
      const record = await statuses.setAvailability(user, availability, sessionChannels(req));
      res.json({ success: true, error: false, user: publicRecord(record) });
    }),
  );

  router.post(
    '/activity',
    sameSite,
    activityLimit,
    jsonBody,
    timeout,
    json,
    wrap(async (req, res) => {
      const user = await requireUser(req);
      const body = objectBody(req.body);
      onlyFields(body, ['activity'], 'POST /activity');
      const { outcome, user: record } = await statuses.reportActivity(user, parseActivity(body.activity));
      if (outcome === 'deferred') {
        res.status(202).json({ success: true, error: false, deferred: true });
        return;
      }
      res.json({ success: true, error: false, user: publicRecord(record) });
    }),
  );

  router.get(
    '/members',
    wrap(async (req, res) => {
      const user = await requireUser(req, false);
      const asked = req.query.channel;
      let channels: string[];
      if (asked === undefined) channels = sessionChannels(req);
      else if (typeof asked === 'string' && CHANNEL_NAME.test(asked) && asked.length <= 200)
        channels = [asked];
      else throw new WhatsupError(400, 'channel_name.invalid', `Invalid channel name: '${shown(asked)}'`);
      const visible = new Set(channels.filter((c) => allowed.test(c, user, req)));
      if (asked !== undefined && visible.size === 0) {
        throw new WhatsupError(403, 'channel.forbidden', `You may not see '${shown(asked)}'.`);
      }
      const members: MemberRecord[] = [];
      let total = 0;
      const now = Date.now();
      // Newest first, so the cap drops the people least likely to be online.
      const records = await store.list();
      for (let i = records.length - 1; i >= 0; i -= 1) {
        const record = records[i]!;
        if (!recordChannels(record).some((c) => visible.has(c))) continue;
        // Invisible people see themselves; nobody else learns they are here.
        if (record.availability === 'invisible' && record.id !== user.id) continue;
        total += 1;
        if (members.length < limits.members) members.push(publicRecord(withoutExpired(record, now)));
      }
      res.json({
        success: true,
        error: false,
        members,
        ...(total > members.length ? { truncated: true, total } : {}),
      });
    }),
  );

  async function signOut(req: Request): Promise<void> {
    const user = await currentUser(req);
    const channels = sessionChannels(req);
    if (!identify) {
      if (user) {
        await store.delete(user.id);
        statuses.forget(user.id);
      }
      await regenerate(req);
    } else {
      delete req.session.whatsup;
    }
    if (!user) return;
    // signed_out first: the member_removed that closing the sockets causes (a webhook, on soketi
    // racing this request) then always comes after it, on every backend.
    presence.signedOut({
      userId: user.id,
      user: publicRecord(user),
      reason: 'logout',
      channels,
      time: Date.now(),
    });
    await endConnections(user, channels);
  }

  /**
   * Tells the other tabs first (their socket still listens), then closes every socket of this
   * person: their own id's and the anonymous ones they used while invisible.
   */
  async function endConnections(user: MemberRecord | { id: string }, channels: string[]): Promise<void> {
    const record = user as MemberRecord;
    // An invisible person's tabs learn it from the closed connection: publishing their id would
    // tell everyone else they were here.
    if (record.availability !== 'invisible' || !publisher.terminateUserConnections) {
      await publish(channels, 'signed-out', { id: user.id }).catch((err) => debug('%o', err));
    }
    await terminate([user.id, ...(record.hidden ?? [])]);
  }

  async function terminate(ids: string[]): Promise<void> {
    if (!publisher.terminateUserConnections) return;
    for (const id of ids) {
      await Promise.resolve(publisher.terminateUserConnections(id)).catch((err: unknown) =>
        debug('terminateUserConnections(%s) failed: %o', id, err),
      );
    }
  }

  router.post(
    '/logout',
    sameSite,
    changeLimit,
    jsonOnly(true, 'Send an empty body or JSON (Content-Type: application/json).'),
    timeout,
    json,
    wrap(async (req, res) => {
      await signOut(req);
      res.json({ success: true, error: false });
    }),
  );
  router.get(
    '/logout',
    wrap(async (req, res) => {
      // A link on the site itself (the seed's) still signs out; from anywhere else a navigation
      // changes nothing and says how to sign out, so a cross-site link cannot sign anyone out.
      const site = req.get('sec-fetch-site');
      if (site === 'same-origin' && fromAllowedSite(req, origins)) {
        await signOut(req);
        res.redirect(302, options.logoutRedirect ?? '/');
        return;
      }
      res
        .status(200)
        .type('html')
        .set('Content-Security-Policy', "default-src 'none'")
        .send(
          `<!doctype html><meta charset="utf-8"><title>Sign out</title>` +
            `<p>You are still signed in: a link from another page cannot sign you out.` +
            ` Use the Sign out button on <a href="${escapeHtml(options.logoutRedirect ?? '/')}">the site</a>.</p>`,
        );
    }),
  );

  if (webhookPath !== false && webhookCredentials) {
    router.post(
      webhookPath,
      ...webhookReceiver({ ...(options.webhooks || {}), ...webhookCredentials }, presence),
    );
  }

  router.use((_req, _res, next) => next(new WhatsupError(404, 'route.not_found', 'No such whatsup route.')));
  router.use(errorHandler);

  Object.defineProperties(router, {
    publisher: { value: publisher, enumerable: true },
    statusStore: { value: store, enumerable: true },
    sessionStore: { value: sessionStore, enumerable: true },
  });
  router.announce = (message: string) => announceOn(publisher, defaultChannel, message, limits.status);

  router.on = (event, handler) => {
    presence.on(event, handler as never);
    return router;
  };
  router.once = (event, handler) => {
    presence.once(event, handler as never);
    return router;
  };
  router.off = (event, handler) => {
    presence.off(event, handler as never);
    return router;
  };

  async function presentIn(channel: string): Promise<Set<string> | undefined> {
    if (!publisher.channelUsers) return undefined;
    return new Set(await publisher.channelUsers(channel));
  }

  router.isOnline = async (userId) => {
    const record = await store.get(String(userId));
    // Invisible people are online for nobody (the server API included, so no hook or job leaks it).
    if (record?.availability === 'invisible') return false;
    const channels = record ? recordChannels(record) : (allowed.list ?? [defaultChannel]);
    for (const channel of channels) {
      const present = await presentIn(channel);
      // Without a way to ask, the record tells: it has lastSeen once they left.
      if (present === undefined) return record !== undefined && record.lastSeen === undefined;
      if (present.has(String(userId))) return true;
    }
    return false;
  };
  router.online = async (channel = defaultChannel) => {
    const present = await presentIn(channel);
    const records = await store.list();
    const now = Date.now();
    return records
      .filter((r) =>
        r.availability === 'invisible'
          ? false
          : present
            ? present.has(r.id)
            : r.lastSeen === undefined && recordChannels(r).includes(channel),
      )
      .map((r) => publicRecord(withoutExpired(r, now)));
  };
  router.lastSeen = async (userId) => {
    if (await router.isOnline(userId)) return Date.now();
    return (await store.get(String(userId)))?.lastSeen;
  };
  router.setStatus = async (userId, input) => {
    const user = await load(String(userId), true);
    if (!user) throw new WhatsupError(404, 'member.unknown', `No member with id '${shown(userId)}'.`);
    let status: CleanStatus;
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
      onlyFields(input as unknown as Record<string, unknown>, ['text', 'emoji', 'clearAfter'], 'setStatus()');
      status = statuses.clean(input);
    } else status = statuses.clean({ text: input });
    const record = await statuses.setStatus(user, status, undefined, 'server', recordChannels(user));
    return publicRecord(record);
  };
  router.setAvailability = async (userId, availability) => {
    const user = await load(String(userId), true);
    if (!user) throw new WhatsupError(404, 'member.unknown', `No member with id '${shown(userId)}'.`);
    const record = await statuses.setAvailability(
      user,
      parseAvailability(availability),
      recordChannels(user),
    );
    return publicRecord(record);
  };
  router.expireStatuses = () => statuses.expireStatuses();
  router.close = () => statuses.close();
  router.remove = async (userId) => {
    const id = String(userId);
    const user = await store.get(id);
    const channels = user ? recordChannels(user) : (allowed.list ?? [defaultChannel]);
    // The record stays (with lastSeen), so a status that clears itself still does. signed_out
    // before the sockets close, so the member_removed that follows comes after it on every backend.
    const time = Date.now();
    if (user) await store.set({ ...user, lastSeen: time });
    presence.signedOut({ userId: id, user: user && publicRecord(user), reason: 'removed', channels, time });
    await endConnections(user ?? { id }, channels);
  };
  // Statuses whose time passed while the app was down clear now; the others get their timers.
  const ready = statuses.expireStatuses().then(
    (count) => debug('start-up expiry pass: %d status(es) cleared', count),
    (err: unknown) => debug('start-up expiry pass failed: %o', err),
  );
  Object.defineProperty(router, 'ready', { value: ready, enumerable: true });
  return router;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const MemoryStore = createMemoryStore(session);

function newMemoryStore(checkPeriodMs = 10 * 60 * 1000): session.Store {
  if (!Number.isInteger(checkPeriodMs) || checkPeriodMs <= 0)
    throw new TypeError(`session.checkPeriodMs must be a positive integer, got ${checkPeriodMs}`);
  return new MemoryStore({ checkPeriod: checkPeriodMs });
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WhatsupError(400, 'body.invalid', 'The body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : preview(value, 3);
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** JSON-like text of a value, never deeper than `depth`: a body nested thousands deep stays cheap. */
function preview(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  if (depth === 0) return Array.isArray(value) ? '[…]' : '{…}';
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value).slice(0, 8)) {
    parts.push((Array.isArray(value) ? '' : `${JSON.stringify(key)}:`) + preview(item, depth - 1));
  }
  return Array.isArray(value) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}

/** Passes on when the request has a session (express-session ran before), else 500 session.missing. */
function requireSession(req: Request, next: NextFunction): void {
  if (req.session) return next();
  next(
    new WhatsupError(
      500,
      'session.missing',
      'whatsup needs sessions: mount express-session before the whatsup router, or pass the `session` option.',
    ),
  );
}

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

/** Express 5 forwards rejected promises itself; Express 4 needs this. */
function wrap(handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).catch(next);
  };
}
