import { debuglog } from 'node:util';
import type { NextFunction, Request, Response } from 'express';
import { WhatsupError } from './errors.js';
import { STORE_RETRY_AFTER_SECONDS, storeUnavailable } from './store-errors.js';

const debug = debuglog('whatsup');

/** Writes every error as `{ success: false, error: true, code, message, field? }`, never a stack trace. */
export function errorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  write(res, toWhatsupError(err), err);
}

/**
 * `router.errorHandler`: for errors raised before the router, in the host's own middleware, on the
 * router's paths. A 4xx keeps its meaning; anything else there is the session store (or whatever
 * the host loads before the router) failing, answered 503 `store.unavailable` with Retry-After.
 */
export function hostErrorHandler(owns: (path: string) => boolean) {
  return function whatsupErrorHandler(err: unknown, req: Request, res: Response, next: NextFunction): void {
    if (res.headersSent || !owns(req.path)) return next(err);
    res.setHeader('Cache-Control', 'no-store');
    const error = toWhatsupError(err);
    write(res, error.status < 500 ? error : storeUnavailable(err), err);
  };
}

function write(res: Response, error: WhatsupError, err: unknown): void {
  if (error.status >= 500) debug('error: %o', err);
  if (error.code === 'store.unavailable') res.setHeader('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
  res.status(error.status).json({
    success: false,
    error: true,
    code: error.code,
    message: error.expose ? error.message : 'Something went wrong on the server.',
    ...(error.field ? { field: error.field } : {}),
  });
}

function toWhatsupError(err: unknown): WhatsupError {
  if (err instanceof WhatsupError) return err;
  const e = err as { type?: string; status?: number; expose?: boolean; message?: string };
  switch (e?.type) {
    case 'entity.too.large':
      return new WhatsupError(413, 'body.too_large', 'The request body is too large.');
    case 'entity.parse.failed':
      return new WhatsupError(400, 'body.invalid_json', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new WhatsupError(415, 'body.unsupported_encoding', 'Send the body as UTF-8.');
    case 'parameters.too.many':
      return new WhatsupError(413, 'body.too_large', 'The request has too many parameters.');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new WhatsupError(e.status, 'request.invalid', e.expose && e.message ? e.message : 'Bad request.');
  }
  return new WhatsupError(500, 'internal', 'Something went wrong on the server.', { expose: false });
}
