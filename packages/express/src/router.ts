import { randomUUID } from 'node:crypto';
import { debuglog } from 'node:util';
import express from 'express';
import session from 'express-session';
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
import { announceOn, type Announcement } from './announce.js';
import { corsFor, ownPaths, type CorsOrigin } from './host.js';
import { RateLimiter } from './rate-limit.js';

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
  limits?: { name?: number; status?: number; body?: string | number };
  rateLimit?: { windowMs?: number; max?: number };
  /** Mounts express-session inside the router, for sites that have none. */
  session?: {
    secret: string | string[];
    store?: session.Store;
    name?: string;
    cookie?: session.CookieOptions;
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
  const limits = {
    name: positiveInt(options.limits?.name ?? 32, 'limits.name'),
    status: positiveInt(options.limits?.status ?? 280, 'limits.status'),
    body: options.limits?.body ?? '8kb',
  };
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
  const limiter = new RateLimiter(options.rateLimit?.windowMs ?? 10_000, options.rateLimit?.max ?? 10);
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
        ...(options.session.store ? { store: options.session.store } : {}),
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
  // `req.is` answers null when there is no body at all; an empty POST (logout-style) is not a type error.
  const jsonOnly: RequestHandler = (req, _res, next) => {
    if (req.headers['content-length'] === '0') return next();
    if (req.is('application/json') === false) {
      return next(
        new WhatsupError(
          415,
          'body.unsupported_type',
          'Send the body as JSON (Content-Type: application/json).',
        ),
      );
    }
    next();
  };
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
  /**
   * Counts one change against `key`: a member's id for status changes, the client's address for
   * sign-ups (before sign-in there is no saved session; saveUninitialized: false makes a new id
   * per request, so a session id would count nothing).
   */
  function rateLimit(key: string, res: Response): void {
    const retryAfter = limiter.hit(key);
    if (retryAfter > 0) {
      res.set('Retry-After', String(Math.ceil(retryAfter / 1000)));
      throw new WhatsupError(
        429,
        'rate.limited',
        'Too many changes in a short time; try again in a few seconds.',
      );
    }
  }

  /** The signed-in member (latest stored record), or null. */
  async function currentUser(req: Request): Promise<MemberRecord | null> {
    if (identify) {
      const who = await identify(req);
      if (!who) return null;
      const id = String(who.id);
      const name = cleanText(String(who.name ?? ''), 'username', 200, true);
      const stored = await store.get(id);
      if (stored && stored.name === name && stored.avatar === who.avatar) return stored;
      const record: MemberRecord = {
        id,
        name,
        status: stored?.status ?? '',
        updatedAt: stored?.updatedAt ?? Date.now(),
        ...(who.avatar ? { avatar: String(who.avatar) } : {}),
      };
      await store.set(record);
      return record;
    }
    const mine = req.session.whatsup;
    if (!mine) return null;
    const stored = await store.get(mine.id);
    if (stored) return stored;
    // The record expired while the session lived on: start again from what the session knows.
    const record = { id: mine.id, name: mine.name, status: '', updatedAt: Date.now() };
    await store.set(record);
    return record;
  }

  async function requireUser(req: Request): Promise<MemberRecord> {
    const user = await currentUser(req);
    if (!user)
      throw new WhatsupError(401, 'auth.signed_out', 'You are signed out: sign up (or sign in) first.');
    return user;
  }

  async function nameIsOnline(name: string, exceptId: string | undefined): Promise<boolean> {
    const key = nameKey(name);
    const holders = (await store.list()).filter((r) => r.id !== exceptId && nameKey(r.name) === key);
    if (holders.length === 0) return false;
    if (!publisher.channelUsers) return true;
    try {
      const online = new Set(await publisher.channelUsers(defaultChannel));
      return holders.some((r) => online.has(r.id));
    } catch (err) {
      debug('channelUsers failed, treating stored names as online: %o', err);
      return true;
    }
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
        limits: { name: limits.name, status: limits.status },
      });
    }),
  );

  router.post(
    '/register',
    jsonOnly,
    json,
    wrap(async (req, res) => {
      if (identify) {
        throw new WhatsupError(
          404,
          'register.disabled',
          'This site signs people in itself; sign in on the site instead.',
        );
      }
      rateLimit(`ip:${req.ip ?? 'unknown'}`, res);
      const body = objectBody(req.body);
      const name = cleanText(body.username, 'username', limits.name, true);
      const status = cleanText(body.status, 'status', limits.status, false);
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
      res.json({ success: true, error: false, user: record });
    }),
  );

  router.get(
    '/isLoggedIn',
    wrap(async (req, res) => {
      const user = await currentUser(req);
      res.json(user ? { authenticated: true, user } : { authenticated: false });
    }),
  );

  router.post(
    '/usersystem/auth',
    formOrJson,
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
            user_info: {
              name: user.name,
              status: user.status,
              ...(user.avatar ? { avatar: user.avatar } : {}),
            },
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
      res.json(auth);
    }),
  );

  router.post(
    '/status',
    jsonOnly,
    json,
    wrap(async (req, res) => {
      const user = await requireUser(req);
      rateLimit(`user:${user.id}`, res);
      const status = cleanText(objectBody(req.body).status, 'status', limits.status, false);
      const record: MemberRecord = { ...user, status, updatedAt: Date.now() };
      await store.set(record);
      await publish(sessionChannels(req), 'status-updated', record);
      res.json({ success: true, error: false, user: record });
    }),
  );

  router.get(
    '/members',
    wrap(async (req, res) => {
      await requireUser(req);
      res.json({ success: true, error: false, members: await store.list() });
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
    if (user) await publish(channels, 'signed-out', { id: user.id }).catch((err) => debug('%o', err));
  }

  router.post(
    '/logout',
    wrap(async (req, res) => {
      await signOut(req);
      res.json({ success: true, error: false });
    }),
  );
  router.get(
    '/logout',
    wrap(async (req, res) => {
      await signOut(req);
      res.redirect(302, options.logoutRedirect ?? '/');
    }),
  );

  router.use((_req, _res, next) => next(new WhatsupError(404, 'route.not_found', 'No such whatsup route.')));
  router.use(errorHandler);

  Object.defineProperties(router, {
    publisher: { value: publisher, enumerable: true },
    statusStore: { value: store, enumerable: true },
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

function positiveInt(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) <= 0)
    throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value as number;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WhatsupError(400, 'body.invalid', 'The body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
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
