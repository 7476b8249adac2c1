import { debuglog } from 'node:util';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit as expressRateLimit, type Store } from 'express-rate-limit';
import { WhatsupError } from './errors.js';
import { errorHandler } from './error-handler.js';

const debug = debuglog('whatsup');

/** The origins (`https://example.com`) allowed to send state-changing requests besides the app's own. */
export type OriginList = readonly string[];

/** Reads the allow-list from the `cors` option (`origin: string | string[]`); anything else allows none. */
export function allowedOrigins(cors: unknown): OriginList {
  const origin = (cors as { origin?: unknown } | undefined)?.origin;
  if (typeof origin === 'string') return [origin];
  if (Array.isArray(origin)) return origin.filter((o): o is string => typeof o === 'string');
  return [];
}

/** The origin this request was sent to, as a browser would write it (honours `trust proxy`). */
function ownOrigin(req: Request): string | undefined {
  const host = req.get('host');
  return host ? `${req.protocol}://${host}` : undefined;
}

/**
 * Whether a browser sent this request from the app's own origin (or an allowed one). Requests
 * without Origin and Sec-Fetch-Site come from no browser page (curl, servers), so they pass:
 * browsers send Origin on every POST, and Sec-Fetch-Site on every request since 2023.
 */
export function fromAllowedSite(req: Request, allowed: OriginList): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin' || site === 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return site === undefined;
  if (origin === 'null') return false;
  if (allowed.includes(origin)) return true;
  // Sec-Fetch-Site says same-site or cross-site: only the allow-list can let it through.
  return site === undefined && origin === ownOrigin(req);
}

/** Refuses state-changing requests from other sites with 403 request.cross_site. */
export function sameSiteOnly(allowed: OriginList): RequestHandler {
  return (req, _res, next) => {
    if (fromAllowedSite(req, allowed)) return next();
    debug('refused cross-site %s %s from %s', req.method, req.originalUrl, req.get('origin'));
    next(
      new WhatsupError(
        403,
        'request.cross_site',
        'This request came from another site. Add its origin to the cors option if it is yours.',
      ),
    );
  };
}

/**
 * State changes take JSON only (a cross-site form or no-cors fetch cannot send it without a
 * preflight). `allowEmpty`: a body-less POST (Content-Length 0, what the element's sign-out
 * sends) passes; it already passed the same-site check.
 */
export function jsonOnly(
  allowEmpty: boolean,
  message = 'Send the body as JSON (Content-Type: application/json).',
): RequestHandler {
  return (req, _res, next) => {
    const empty = req.headers['content-length'] === '0' && req.headers['transfer-encoding'] === undefined;
    if (allowEmpty && empty) return next();
    if (req.is('application/json')) return next();
    next(new WhatsupError(415, 'body.unsupported_type', message));
  };
}

/**
 * Answers 408 body.timeout and closes the connection when a body announced by the headers has
 * not fully arrived in time (a client that says 8 kB and sends nothing would otherwise hold a
 * socket until Node's 5-minute requestTimeout). A body that has already arrived in full
 * (`req.complete`: Node's parser saw its last byte, as for most small POSTs by the time the
 * session is loaded) has nothing left to wait for, so it arms no timer.
 */
export function bodyTimeout(ms: number): RequestHandler {
  return (req, res, next) => {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    if (!hasBody || req.complete) return next();
    const timer = setTimeout(() => {
      if (req.complete) return;
      debug('body of %s %s not received within %d ms', req.method, req.originalUrl, ms);
      res.set('Connection', 'close');
      res.on('finish', () => req.socket.destroy());
      if (!res.headersSent) {
        errorHandler(
          new WhatsupError(408, 'body.timeout', `The request body did not arrive within ${ms} ms.`),
          req,
          res,
          () => req.socket.destroy(),
        );
      } else req.socket.destroy();
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    req.once('end', clear);
    req.once('close', clear);
    res.once('finish', clear);
    next();
  };
}

export interface RateLimitOptions {
  /** Length of a window in milliseconds. Default 10,000. */
  windowMs?: number;
  /** State changes (POST /status, /availability, /logout) per key and window. Default 30. */
  max?: number;
  /**
   * Activity reports (POST /activity) per key and window, on top of the per-person coalescing
   * (`activityMs`). Default 10: 60 a minute with the default window.
   */
  activityMax?: number;
  /**
   * Sign-ups (POST /register) per key and window. Default 10 — or `max` when only `max` is given,
   * as wave-1 configurations (`{ windowMs, max }`) counted both together.
   */
  signUpMax?: number;
  /**
   * The key a request counts against. Default: the client address (`req.ip`, so it follows
   * Express's `trust proxy`), IPv6 grouped by /56 so one host cannot rotate addresses.
   */
  keyGenerator?: (req: Request) => string | Promise<string>;
  /**
   * Where counts live: a function making one express-rate-limit store per limiter (`name` is
   * `'register'`, `'change'` or `'activity'`), e.g. rate-limit-redis so limits hold across instances.
   * Default: each process counts alone (express-rate-limit's MemoryStore).
   */
  store?: (name: LimiterName) => Store;
}

export type LimiterName = 'register' | 'change' | 'activity';

const LIMITS: Record<LimiterName, { option: 'signUpMax' | 'max' | 'activityMax'; fallback: number }> = {
  register: { option: 'signUpMax', fallback: 10 },
  change: { option: 'max', fallback: 30 },
  activity: { option: 'activityMax', fallback: 10 },
};

/** The default key: the address Express trusts, IPv6 by /56. */
export function addressKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown', 56);
}

/** One express-rate-limit limiter whose refusals go through the router's JSON errors. */
export function limiter(name: LimiterName, options: RateLimitOptions | undefined): RequestHandler {
  const windowMs = positive(options?.windowMs ?? 10_000, 'rateLimit.windowMs');
  const { option, fallback } = LIMITS[name];
  // wave-1 configurations ({ windowMs, max }) counted sign-ups with the changes
  const given = name === 'register' ? (options?.signUpMax ?? options?.max) : options?.[option];
  const limit = positive(given ?? fallback, `rateLimit.${option}`);
  if (options?.keyGenerator !== undefined && typeof options.keyGenerator !== 'function')
    throw new TypeError('rateLimit.keyGenerator must be a function (req) => string');
  if (options?.store !== undefined && typeof options.store !== 'function')
    throw new TypeError(
      'rateLimit.store must be a function (name) => Store, e.g. (name) => new RedisStore({ sendCommand, prefix: `rl:${name}:` })',
    );
  const keyGenerator = options?.keyGenerator ?? addressKey;
  return expressRateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // express-rate-limit's checks print to the console; a library stays quiet (see README on trust proxy).
    validate: false,
    keyGenerator: async (req) => `${name}:${await keyGenerator(req as Request)}`,
    ...(options?.store ? { store: options.store(name) } : {}),
    handler: (req, res: Response, next) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : windowMs / 1000;
      res.set('Retry-After', String(Math.ceil(seconds)));
      next(
        new WhatsupError(
          429,
          'rate.limited',
          name === 'register'
            ? 'Too many sign-ups from your address; try again in a few seconds.'
            : name === 'activity'
              ? 'Too many activity reports in a short time; report a change once, not on every input.'
              : 'Too many changes in a short time; try again in a few seconds.',
        ),
      );
    },
  });
}

function positive(value: number, label: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new TypeError(`${label} must be a positive integer, got ${value}`);
  return value;
}
