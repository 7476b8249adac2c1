// How the whatsup router behaves as a guest in the host app: which paths are its own, and which
// other origins may call it with their cookies.
import cors from 'cors';
import type { RequestHandler, Router } from 'express';

/**
 * The `cors` option's `origin`: one origin, a list of them, or the `cors` package's origin
 * function (called with the request's Origin header; answer `callback(null, true)` to allow).
 */
export type CorsOrigin =
  | string
  | readonly string[]
  | ((
      origin: string | undefined,
      callback: (err: Error | null, allow?: boolean | string | RegExp | (string | RegExp)[]) => void,
    ) => void);

/**
 * Whether a path (relative to where the router is mounted) belongs to the router: its first
 * segment is the first segment of one of its routes (`/config`, `/config/x`, `/usersystem/…`).
 * Those get the router's JSON answers (404 `route.not_found` for an unknown path or method);
 * every other path is passed on with `next('router')`, so a router mounted at `/` does not
 * shadow the host's later routes and static files. Read from the router's own routes, so a new
 * route is covered without a list to keep in step.
 */
export function ownPaths(router: Router): (path: string) => boolean {
  let firsts: Set<string> | undefined;
  return (path) => {
    firsts ??= new Set(
      (router.stack as { route?: { path?: unknown } }[])
        .map((layer) => layer.route?.path)
        .filter((p): p is string => typeof p === 'string')
        .map(firstSegment),
    );
    return firsts.has(firstSegment(path));
  };
}

function firstSegment(path: string): string {
  if (path[0] !== '/') return '';
  const end = path.indexOf('/', 1);
  return (end === -1 ? path.slice(1) : path.slice(1, end)).toLowerCase();
}

/**
 * The `cors` package set up for the `cors` option, with credentials (the routes need the
 * session cookie). Throws a `TypeError` for what would silently never match: `*` (browsers
 * refuse it with credentials), or an origin with a path or a trailing slash.
 */
export function corsFor(option: { origin: CorsOrigin } | undefined): RequestHandler | undefined {
  if (option === undefined) return undefined;
  const origin: unknown = option?.origin;
  const list = typeof origin === 'string' ? [origin] : Array.isArray(origin) ? origin : undefined;
  if (list) {
    for (const item of list) {
      if (typeof item !== 'string' || !isOrigin(item)) {
        throw new TypeError(
          `cors.origin must be origins like 'https://www.example.com' (scheme, host and port; no path, ` +
            `no trailing slash, not '*'), got ${JSON.stringify(item)}`,
        );
      }
    }
  } else if (typeof origin !== 'function') {
    throw new TypeError(
      `cors.origin must be an origin, a list of origins or a function (origin, callback) => void, got ${JSON.stringify(origin)}`,
    );
  }
  return cors({
    // A single string would be sent to every caller as is; a list is matched per request.
    origin: (list ? [...list] : origin) as cors.CorsOptions['origin'],
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ['Content-Type', 'Accept'],
    maxAge: 600,
  });
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}
