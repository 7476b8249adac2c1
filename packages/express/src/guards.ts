import { debuglog } from 'node:util';
import type { Request, RequestHandler } from 'express';
import { WhatsupError } from './errors.js';

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
