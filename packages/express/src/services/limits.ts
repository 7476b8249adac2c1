// Rate limits (express-rate-limit), each on the key that owns the action: a sign-up belongs to an
// address (and to everyone: a global budget), anything a signed-in person does belongs to that
// person (their record id), so an office behind one address does not share one budget. Signing
// out is never limited.
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit as expressRateLimit, type Store } from 'express-rate-limit';
import { WhatsupError } from '../errors.js';
import { guardMiddleware } from '../store-errors.js';
import type { MemberRecord } from '../status-store.js';

export interface RateLimitOptions {
  /** Length of a window in milliseconds. Default 10,000. */
  windowMs?: number;
  /** State changes (POST /status, /availability) per person and window. Default 30. */
  max?: number;
  /**
   * Activity reports (POST /activity) per person and window, on top of the per-person coalescing
   * (`activityMs`). Default 10: 60 a minute with the default window.
   */
  activityMax?: number;
  /**
   * Sign-ups (POST /register) per address and window. Default 10 — or `max` when only `max` is
   * given, as wave-1 configurations (`{ windowMs, max }`) counted both together.
   */
  signUpMax?: number;
  /** Sign-ups per window from all addresses together. Default 100. */
  signUpGlobalMax?: number;
  /**
   * The address a sign-up counts against. Default: the client address (`req.ip`, so it follows
   * Express's `trust proxy`), IPv6 grouped by /56 so one host cannot rotate addresses.
   */
  keyGenerator?: (req: Request) => string | Promise<string>;
  /**
   * Where counts live: a function making one express-rate-limit store per limiter (`name` is
   * `'register'`, `'register-all'`, `'change'` or `'activity'`), e.g. rate-limit-redis so limits
   * hold across instances. Default: each process counts alone (express-rate-limit's MemoryStore).
   */
  store?: (name: LimiterName) => Store;
}

export type LimiterName = 'register' | 'register-all' | 'change' | 'activity';

interface LimiterRule {
  option: keyof RateLimitOptions;
  fallback: number;
  /** What the count is keyed on. */
  by: 'address' | 'everyone' | 'person';
  message: string;
}

const RULES: Record<LimiterName, LimiterRule> = {
  register: {
    option: 'signUpMax',
    fallback: 10,
    by: 'address',
    message: 'Too many sign-ups from your address; try again in a few seconds.',
  },
  'register-all': {
    option: 'signUpGlobalMax',
    fallback: 100,
    by: 'everyone',
    message: 'Too many sign-ups on this site right now; try again in a few seconds.',
  },
  change: {
    option: 'max',
    fallback: 30,
    by: 'person',
    message: 'Too many changes in a short time; try again in a few seconds.',
  },
  activity: {
    option: 'activityMax',
    fallback: 10,
    by: 'person',
    message: 'Too many activity reports in a short time; report a change once, not on every input.',
  },
};

/** The default address key: the address Express trusts, IPv6 by /56. */
export function addressKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown', 56);
}

/** The signed-in person a route resolved before its limiter (see routes/preamble.ts). */
export function personOf(res: Response): MemberRecord {
  return (res.locals as { whatsupUser: MemberRecord }).whatsupUser;
}

/** Checks the `rateLimit` option once, when the router is made. */
export function checkRateLimit(options: RateLimitOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null)
    throw new TypeError('rateLimit option must be an object { windowMs?, max?, signUpMax?, … }');
  positive(options.windowMs ?? 10_000, 'rateLimit.windowMs');
  for (const rule of Object.values(RULES)) {
    const value = options[rule.option];
    if (value !== undefined) positive(value as number, `rateLimit.${rule.option}`);
  }
  if (options.keyGenerator !== undefined && typeof options.keyGenerator !== 'function')
    throw new TypeError('rateLimit.keyGenerator must be a function (req) => string');
  if (options.store !== undefined && typeof options.store !== 'function')
    throw new TypeError(
      'rateLimit.store must be a function (name) => Store, e.g. (name) => new RedisStore({ sendCommand, prefix: `rl:${name}:` })',
    );
}

/** One express-rate-limit limiter whose refusals go through the router's JSON errors. */
export function limiter(name: LimiterName, options: RateLimitOptions | undefined): RequestHandler {
  const windowMs = options?.windowMs ?? 10_000;
  const rule = RULES[name];
  // wave-1 configurations ({ windowMs, max }) counted sign-ups with the changes
  const given = name === 'register' ? (options?.signUpMax ?? options?.max) : options?.[rule.option];
  const limit = (given as number | undefined) ?? rule.fallback;
  const address = options?.keyGenerator ?? addressKey;
  const key =
    rule.by === 'person'
      ? (_req: Request, res: Response) => personOf(res).id
      : rule.by === 'everyone'
        ? () => 'all'
        : (req: Request) => address(req);
  // Counts kept in an unreachable store (rate-limit-redis, Redis down) answer store.unavailable.
  return guardMiddleware(
    expressRateLimit({
      windowMs,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      // express-rate-limit's checks print to the console; a library stays quiet (see README on trust proxy).
      validate: false,
      keyGenerator: async (req, res) => `${name}:${await key(req as Request, res as Response)}`,
      ...(options?.store ? { store: options.store(name) } : {}),
      handler: (req, res: Response, next) => {
        const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        const seconds = reset
          ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000))
          : windowMs / 1000;
        res.set('Retry-After', String(Math.ceil(seconds)));
        next(new WhatsupError(429, 'rate.limited', rule.message));
      },
    }),
  );
}

function positive(value: number, label: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new TypeError(`${label} must be a positive integer, got ${value}`);
  return value;
}
