// whatsup(): the options resolved once, the services made from them, the routes wired over the
// services, and the server API handed out by the services.
import { debuglog } from 'node:util';
import type { WebhookBody } from '@whatsup/protocol';
import express from 'express';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import type { ErrorRequestHandler, NextFunction, Request, Router } from 'express';
import Pusher from 'pusher';
import { announceOn, type Announcement } from './announce.js';
import { errorHandler, hostErrorHandler } from './error-handler.js';
import { WhatsupError } from './errors.js';
import type { WhatsupHooks } from './hooks.js';
import { corsFor, ownPaths } from './host.js';
import { Identity } from './identity.js';
import { resolveOptions, type WhatsupOptions } from './options.js';
import type { Publisher } from './publisher.js';
import type { Availability, StatusInput } from './rich-status.js';
import { accountRoutes } from './routes/account.js';
import { authRoute } from './routes/auth.js';
import { bootstrapRoute } from './routes/bootstrap.js';
import { configRoute } from './routes/config.js';
import { membersRoute } from './routes/members.js';
import { preambles, type Kit } from './routes/preamble.js';
import { stateRoutes } from './routes/state.js';
import { Accounts } from './services/accounts.js';
import { Broadcast } from './services/broadcast.js';
import { PresenceService } from './services/presence.js';
import { StatusService } from './services/status.js';
import type { MemberRecord, StatusStore } from './status-store.js';
import { guardMiddleware, guardStore } from './store-errors.js';
import { webhookReceiver } from './webhooks.js';

export type { ChannelRule, Identity, WhatsupOptions } from './options.js';
export type { Announcement };

const debug = debuglog('whatsup');

export interface WhatsupRouter extends Router {
  /** Publishes an `announcement` to the default channel; every open page shows it as a toast. */
  announce(message: string): Promise<Announcement>;
  readonly publisher: Publisher;
  readonly statusStore: StatusStore;
  /** The session store the router mounted (the `session` option), or undefined. */
  readonly sessionStore: session.Store | undefined;
  /**
   * Mount after the router, at the same path (`app.use('/whatsup', router, router.errorHandler)`):
   * answers errors raised before the router on its paths — the host's session store unreachable —
   * as JSON, 503 `store.unavailable` with Retry-After, instead of Express's HTML page.
   */
  readonly errorHandler: ErrorRequestHandler;
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
  /** Stops the timers and applies deferred activity reports; the routes keep answering. */
  close(): Promise<void>;
  /** Closes every connection of the user, publishes `signed-out`, fires `signed_out` (reason 'removed') and frees a guest's name. */
  remove(userId: string): Promise<void>;
}

const MemoryStore = createMemoryStore(session);

/** The whatsup router: mount it where the element's `auth-endpoint` points (`app.use('/whatsup', whatsup(…))`). */
export function whatsup(options: WhatsupOptions = {}): WhatsupRouter {
  const resolved = resolveOptions(options);
  // A store that cannot be reached answers 503 store.unavailable, whichever service asked it.
  const settings = { ...resolved, store: guardStore(resolved.store), index: guardStore(resolved.index) };
  const { publisher, store, index, defaultChannel } = settings;
  const sessionStore = options.session
    ? (options.session.store ?? newMemoryStore(options.session.checkPeriodMs))
    : undefined;

  const broadcast = new Broadcast(publisher, index);
  const terminate = async (id: string) => {
    if (!publisher.terminateUserConnections) return;
    await Promise.resolve(publisher.terminateUserConnections(id)).catch((err: unknown) =>
      debug('terminateUserConnections(%s) failed: %o', id, err),
    );
  };
  const channelsOf = (record: MemberRecord) =>
    record.channels && record.channels.length > 0 ? record.channels : [defaultChannel];
  const presence = new PresenceService({
    store,
    publisher,
    broadcast,
    limits: settings.limits,
    channelsOf,
    anyChannels: settings.channels.list ?? [defaultChannel],
    leaveGraceMs: settings.leaveGraceMs,
  });
  const statuses = new StatusService({
    store,
    index,
    presence,
    broadcast,
    terminate,
    channelsOf,
    limits: settings.limits,
    activityMs: settings.activityMs,
  });
  const identity = new Identity(settings, statuses, sessionStore);
  const accounts = new Accounts({ settings, identity, statuses, presence, broadcast, terminate });
  const kit: Kit = { settings, identity, accounts, statuses, presence, broadcast };

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

  const router = express.Router() as WhatsupRouter;
  mountSessions(router, options, sessionStore);
  // First of the routes, which the router tries in order: pusher-js asks for it on every subscription.
  const pre = preambles(kit);
  authRoute(router, kit, pre);
  configRoute(router, kit);
  bootstrapRoute(router, kit);
  accountRoutes(router, kit, pre);
  stateRoutes(router, kit, pre);
  membersRoute(router, kit);
  if (settings.webhooks) {
    router.post(
      settings.webhooks.path,
      ...webhookReceiver(settings.webhooks, settings.limits.bodyTimeoutMs, index, presence),
    );
  }
  router.use((_req, _res, next) => next(new WhatsupError(404, 'route.not_found', 'No such whatsup route.')));
  router.use(errorHandler);

  // The server API: the services' own methods.
  Object.defineProperties(router, {
    publisher: { value: publisher, enumerable: true },
    statusStore: { value: resolved.store, enumerable: true },
    sessionStore: { value: sessionStore, enumerable: true },
    errorHandler: { value: hostErrorHandler(ownPaths(router)), enumerable: true },
  });
  // Invisible people hear announcements too, on their follow channels.
  const announcer = {
    trigger: (channels: string | string[], event: string, data: unknown) =>
      broadcast.toChannels(channels, event, data),
  };
  router.announce = (message: string) =>
    announceOn(announcer, defaultChannel, message, settings.limits.status);
  for (const method of ['on', 'once', 'off'] as const) {
    router[method] = (event, handler) => {
      presence[method](event, handler as never);
      return router;
    };
  }
  router.isOnline = (userId) => presence.isOnline(userId);
  router.online = (channel = defaultChannel) => presence.online(channel);
  router.lastSeen = (userId) => presence.lastSeen(userId);
  router.setStatus = (userId, input) => statuses.setStatusOf(userId, input);
  router.setAvailability = (userId, availability) => statuses.setAvailabilityOf(userId, availability);
  router.expireStatuses = () => statuses.expireStatuses();
  router.remove = (userId) => accounts.remove(userId);
  router.close = async () => {
    accounts.close();
    await statuses.close();
  };
  // Statuses whose time passed while the app was down clear now; the others get their timers.
  const ready = statuses.expireStatuses().then(
    (count) => debug('start-up expiry pass: %d status(es) cleared', count),
    (err: unknown) => debug('start-up expiry pass failed: %o', err),
  );
  Object.defineProperty(router, 'ready', { value: ready, enumerable: true });
  return router;
}

/**
 * A good guest: mounted at '/' (or anywhere), only the router's own paths are answered here;
 * everything else goes on to the host app's later routes and static files. Then cors and the
 * session option, when given, and the check that there is a session.
 */
function mountSessions(
  router: Router,
  options: WhatsupOptions,
  sessionStore: session.Store | undefined,
): void {
  const owns = ownPaths(router);
  const cors = corsFor(options.cors);
  // Without cors or the session option the session check runs in this first layer, one layer less per request.
  const checkSessionHere = !cors && !options.session;
  router.use((req, res, next) => {
    if (!owns(req.path)) return next('router');
    res.setHeader('Cache-Control', 'no-store');
    if (checkSessionHere) return requireSession(req, next);
    next();
  });
  if (cors) router.use(cors);
  if (options.session) {
    router.use(
      guardMiddleware(
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
      ),
    );
  }
  if (!checkSessionHere) router.use((req, _res, next) => requireSession(req, next));
}

function newMemoryStore(checkPeriodMs = 10 * 60 * 1000): session.Store {
  if (!Number.isInteger(checkPeriodMs) || checkPeriodMs <= 0)
    throw new TypeError(`session.checkPeriodMs must be a positive integer, got ${checkPeriodMs}`);
  return new MemoryStore({ checkPeriod: checkPeriodMs });
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
