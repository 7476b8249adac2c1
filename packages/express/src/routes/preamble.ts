// What every route starts with, written once: the same-site check, the body's type, the
// signed-in person and their rate limit, the body read with its bounds.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { WhatsupError } from '../errors.js';
import { jsonOnly, sameSiteOnly } from '../guards.js';
import type { Identity } from '../identity.js';
import type { Settings } from '../options.js';
import { boundBody, jsonParser, readBody } from '../read-body.js';
import type { Accounts } from '../services/accounts.js';
import { limiter, personOf } from '../services/limits.js';
import type { PresenceService } from '../services/presence.js';
import type { StatusService } from '../services/status.js';
import type { Broadcast } from '../services/broadcast.js';
import type { MemberRecord } from '../status-store.js';

/** What the routes are built from. */
export interface Kit {
  settings: Settings;
  identity: Identity;
  accounts: Accounts;
  statuses: StatusService;
  presence: PresenceService;
  broadcast: Broadcast;
}

/** The preambles of one router. */
export interface Preambles {
  /** First on a route that takes a body: see boundBody(). */
  bound: RequestHandler;
  sameSite: RequestHandler;
  /** The JSON body, bounded in size and time. */
  json: RequestHandler;
  /** A state change by a signed-in person: same site, JSON, the person (401), their limit, the body. */
  change: RequestHandler[];
  /** An activity report: the same with the activity limit. */
  activity: RequestHandler[];
  /** A sign-up: same site, the address and global limits, JSON, the body. */
  signUp: RequestHandler[];
  /** A sign-out: same site, JSON or nothing, the body. Never rate-limited. */
  signOut: RequestHandler[];
}

export function preambles(kit: Kit): Preambles {
  const { settings, identity } = kit;
  const bound = boundBody(settings.bodyBytes);
  const sameSite = sameSiteOnly(settings.origins);
  const json = readBody(jsonParser(settings.bodyBytes), settings.bodyBytes, settings.limits.bodyTimeoutMs);
  const jsonBody = jsonOnly(false);
  const signedIn: RequestHandler = (req, res, next) => {
    identity.require(req).then((user) => {
      (res.locals as { whatsupUser: MemberRecord }).whatsupUser = user;
      next();
    }, next);
  };
  return {
    bound,
    sameSite,
    json,
    change: [bound, sameSite, jsonBody, signedIn, limiter('change', settings.rateLimit), json],
    activity: [bound, sameSite, jsonBody, signedIn, limiter('activity', settings.rateLimit), json],
    signUp: [
      bound,
      sameSite,
      limiter('register', settings.rateLimit),
      limiter('register-all', settings.rateLimit),
      jsonBody,
      json,
    ],
    signOut: [
      bound,
      sameSite,
      jsonOnly(true, 'Send an empty body or JSON (Content-Type: application/json).'),
      json,
    ],
  };
}

/** The person `change`/`activity` resolved. */
export { personOf };

/** Express 5 forwards rejected promises itself; Express 4 needs this. */
export function wrap(handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).catch(next);
  };
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WhatsupError(400, 'body.invalid', 'The body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/** A value quoted in an error message: at most 64 characters, never deeper than 3 levels. */
export function shown(value: unknown): string {
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
