// A store that cannot be reached (Redis down, restarting, loading its AOF) is an answer, not a
// stack trace: 503 `store.unavailable` with Retry-After. The router's own stores (statuses, the
// index, sessions it mounts, rate-limit counts) are guarded here; the host's session middleware,
// which runs before the router, is answered by `router.errorHandler`.
import { debuglog } from 'node:util';
import type { RequestHandler } from 'express';
import { WhatsupError } from './errors.js';

const debug = debuglog('whatsup');

/** Seconds a client is told to wait before trying again (`Retry-After`). */
export const STORE_RETRY_AFTER_SECONDS = 1;

/** When a store last failed in this process (0: never); see `sinceStoreFailure()`. */
let lastFailure = 0;

/**
 * Milliseconds since a store last failed in this process (Infinity if never). A Redis that has just
 * come back is shared with the realtime side (soketi's Redis adapter), which may still be
 * reconnecting: the status service publishes changes made right after an outage a second time.
 */
export function sinceStoreFailure(): number {
  return lastFailure ? Date.now() - lastFailure : Infinity;
}

/** The 503 for a store error; a WhatsupError (ours, on purpose) passes unchanged. */
export function storeUnavailable(cause: unknown): WhatsupError {
  if (cause instanceof WhatsupError) return cause;
  lastFailure = Date.now();
  debug('store unavailable: %o', cause);
  return new WhatsupError(
    503,
    'store.unavailable',
    'The server cannot reach its storage right now, so nothing was changed. Try again in a moment.',
  );
}

/**
 * The same object whose promise-returning methods reject with `store.unavailable` instead of the
 * store's own error. A change is refused whole: the services store before they hook or publish.
 */
export function guardStore<T extends object>(store: T): T {
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          throw storeUnavailable(err);
        }
        return result instanceof Promise
          ? result.catch((err: unknown) => {
              throw storeUnavailable(err);
            })
          : result;
      };
    },
  });
}

/** A middleware whose errors (the store behind it failing) go on as `store.unavailable`. */
export function guardMiddleware(middleware: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const done = (err?: unknown) =>
      err && err !== 'route' && err !== 'router' ? next(storeUnavailable(err)) : next(err as undefined);
    try {
      const result: unknown = middleware(req, res, done);
      if (result instanceof Promise) result.catch(done);
    } catch (err) {
      done(err);
    }
  };
}
