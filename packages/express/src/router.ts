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
import {
  createPusherPublisher,
  publisherFromPusherClient,
  type ClientConfig,
  type Publisher,
  type PusherOptions,
} from './publisher.js';
import { errorHandler } from './error-handler.js';
import {
  allowedOrigins,
  bodyTimeout,
  fromAllowedSite,
  jsonOnly,
  limiter,
  sameSiteOnly,
  type RateLimitOptions,
} from './guards.js';
import { jsonBytes, resolveLimits, type Limits } from './limits.js';
import { announceOn, type Announcement } from './announce.js';
import { corsFor, ownPaths, type CorsOrigin } from './host.js';

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
  /**
   * Pages on other origins that may use these routes with their cookies: an origin
   * (`'https://www.example.com'`), a list of them, or the `cors` package's origin function.
   * Unset: same-origin only. See the README's "Another origin" for the cookie this needs.
   */
  cors?: { origin: CorsOrigin };
}

export interface WhatsupRouter extends Router {
  /** Publishes an `announcement` to the default channel; every open page shows it as a toast. */
  announce(message: string): Promise<Announcement>;
  readonly publisher: Publisher;
  readonly statusStore: StatusStore;
  /** The session store the router mounted (the `session` option), or undefined. */
  readonly sessionStore: session.Store | undefined;
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

const CHANNEL_NAME = /^[-a-zA-Z0-9_=@,.;]+$/;
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
  // The allow-list comes from the cors option: those origins may also change state.
  const origins = allowedOrigins((options as { cors?: unknown }).cors);
  const sameSite = sameSiteOnly(origins);
  const timeout = bodyTimeout(limits.bodyTimeoutMs);
  const identify = options.identify;
  const mode = identify ? 'identify' : 'guest';

  const router = express.Router() as WhatsupRouter;
  // A good guest: mounted at '/' (or anywhere), only the router's own paths are answered here;
  // everything else goes on to the host app's later routes and static files.
  const owns = ownPaths(router);
  router.use((req, res, next) => {
    if (!owns(req.path)) return next('router');
    res.set('Cache-Control', 'no-store');
    next();
  });
  const sessionStore = options.session
    ? (options.session.store ?? newMemoryStore(options.session.checkPeriodMs))
    : undefined;
  const cors = corsFor(options.cors);
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
  router.use((req, _res, next) => {
    if (!req.session) {
      next(
        new WhatsupError(
          500,
          'session.missing',
          'whatsup needs sessions: mount express-session before the whatsup router, or pass the `session` option.',
        ),
      );
    } else next();
  });

  const json = express.json({ limit: limits.body, strict: true });
  const form = express.urlencoded({ extended: false, limit: limits.body, parameterLimit: 20 });
  const formOrJson: RequestHandler = (req, _res, next) => {
    if (req.headers['content-length'] === '0') return next();
    if (req.is(['application/x-www-form-urlencoded', 'application/json']) === false) {
      return next(
        new WhatsupError(
          415,
          'body.unsupported_type',
          'Send socket_id and channel_name as a form (what pusher-js sends) or as JSON.',
        ),
      );
    }
    next();
  };
  const jsonBody = jsonOnly(false);

  /** The signed-in member (latest stored record), or null. */
  async function currentUser(req: Request): Promise<MemberRecord | null> {
    if (identify) {
      const who = await identify(req);
      if (!who) return null;
      const id = String(who.id);
      const name = fitName(cleanText(String(who.name ?? ''), 'username', 200, true));
      const stored = await store.get(id);
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
      await store.set(record);
      return record;
    }
    const mine = req.session.whatsup;
    if (!mine) return null;
    const stored = await store.get(mine.id);
    if (stored) return stored;
    // The record expired while the session lived on: start again from what the session knows.
    const record: MemberRecord = {
      id: mine.id,
      name: mine.name,
      status: '',
      updatedAt: Date.now(),
      ...(mine.channels ? { channels: mine.channels } : {}),
    };
    await store.set(record);
    return record;
  }

  /** A site's own name may be longer than ours: presence gets the first limits.name characters. */
  function fitName(name: string): string {
    const chars = [...name];
    return chars.length <= limits.name ? name : `${chars.slice(0, limits.name - 1).join('')}…`;
  }

  async function requireUser(req: Request): Promise<MemberRecord> {
    const user = await currentUser(req);
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
      const user = await currentUser(req);
      res.json(user ? { authenticated: true, user: publicRecord(user) } : { authenticated: false });
    }),
  );

  router.post(
    '/usersystem/auth',
    sameSite,
    formOrJson,
    timeout,
    form,
    json,
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
      const auth = channel.startsWith('presence-')
        ? publisher.authorizeChannel(socketId, channel, {
            user_id: user.id,
            user_info: presenceInfo(user, limits),
          })
        : publisher.authorizeChannel(socketId, channel);
      if (req.session.whatsup || identify) {
        const mine = req.session.whatsup ?? { id: user.id, name: user.name };
        const channels = new Set(mine.channels ?? []);
        if (!channels.has(channel) && channels.size < MAX_SESSION_CHANNELS) {
          channels.add(channel);
          req.session.whatsup = { ...mine, channels: [...channels] };
        }
      }
      // GET /members shows a record only to people allowed in one of its channels.
      const joined = user.channels ?? [];
      if (!joined.includes(channel) && joined.length < MAX_SESSION_CHANNELS) {
        await store.set({ ...user, channels: [...joined, channel] });
      }
      res.json(auth);
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
      const status = cleanText(body.status, 'status', limits.status, false, limits.statusBytes);
      const record: MemberRecord = { ...user, status, updatedAt: Date.now() };
      await store.set(record);
      await publish(sessionChannels(req), 'status-updated', publicRecord(record));
      res.json({ success: true, error: false, user: publicRecord(record) });
    }),
  );

  router.get(
    '/members',
    wrap(async (req, res) => {
      const user = await requireUser(req);
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
      // Newest first, so the cap drops the people least likely to be online.
      const records = await store.list();
      for (let i = records.length - 1; i >= 0; i -= 1) {
        const record = records[i]!;
        if (!recordChannels(record).some((c) => visible.has(c))) continue;
        total += 1;
        if (members.length < limits.members) members.push(publicRecord(record));
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
      if (user) await store.delete(user.id);
      await regenerate(req);
    } else {
      delete req.session.whatsup;
    }
    if (!user) return;
    // Tell the other tabs first (their socket still listens), then close every socket of this person.
    await publish(channels, 'signed-out', { id: user.id }).catch((err) => debug('%o', err));
    if (publisher.terminateUserConnections) {
      await Promise.resolve(publisher.terminateUserConnections(user.id)).catch((err: unknown) =>
        debug('terminateUserConnections(%s) failed: %o', user.id, err),
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

  router.use((_req, _res, next) => next(new WhatsupError(404, 'route.not_found', 'No such whatsup route.')));
  router.use(errorHandler);

  Object.defineProperties(router, {
    publisher: { value: publisher, enumerable: true },
    statusStore: { value: store, enumerable: true },
    sessionStore: { value: sessionStore, enumerable: true },
  });
  router.announce = (message: string) => announceOn(publisher, defaultChannel, message, limits.status);
  return router;
}

function resolvePublisher(options: WhatsupOptions): Publisher {
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

function resolveChannels(rule: ChannelRule | undefined = 'presence-whatsup-members') {
  if (typeof rule === 'function') {
    return { first: undefined as string | undefined, test: rule };
  }
  const list = Array.isArray(rule) ? rule : [rule];
  if (
    list.length === 0 ||
    list.some((c) => typeof c !== 'string' || !CHANNEL_NAME.test(c) || c.length > 200)
  ) {
    throw new TypeError(
      `channels option must be a channel name, a list of them, or a function (name, user, req) => boolean; got ${JSON.stringify(rule)}`,
    );
  }
  const set = new Set(list);
  return { first: list[0], test: (channel: string) => set.has(channel) };
}

/** A record as browsers see it: which channels its owner joined is nobody else's business. */
function publicRecord(record: MemberRecord): MemberRecord {
  const { channels: _channels, ...rest } = record;
  return rest;
}

/** The presence user_info: always within USER_INFO_BYTES (limits.ts checks the worst case). */
function presenceInfo(user: MemberRecord, limits: Limits): Record<string, string> {
  return {
    name: user.name,
    status: user.status,
    ...(user.avatar && jsonBytes(user.avatar) <= limits.avatarBytes ? { avatar: user.avatar } : {}),
  };
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
