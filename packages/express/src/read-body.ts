// Request bodies go through body-parser (express.json / express.urlencoded / express.text),
// wrapped so that a body is also bounded on the wire: body-parser, on an error, reads off the
// whole remaining body before it answers (a 10 GB Content-Length would never be answered) and
// has no timer (a stalled body holds the socket until Node's 5-minute requestTimeout).
import { isUtf8 } from 'node:buffer';
import { debuglog } from 'node:util';
import express from 'express';
import type { Request, RequestHandler, Response } from 'express';
import { WhatsupError } from './errors.js';
import { errorHandler } from './error-handler.js';

const debug = debuglog('whatsup');

/**
 * After an early answer (413, 408) Node reads off the rest of the body to keep the connection; a
 * client that goes on sending (or stalls) gets this long to read the answer, then the socket closes.
 */
const LINGER_MS = 2000;

/** JSON (strict: an object or array), refusing bytes that are not UTF-8 instead of turning them into U+FFFD. */
export function jsonParser(limit: number): RequestHandler {
  return express.json({ limit, strict: true, verify: utf8Only });
}

/** pusher-js's form (`socket_id=…&channel_name=…`), flat, at most 20 fields. */
export function formParser(limit: number): RequestHandler {
  return express.urlencoded({ extended: false, limit, parameterLimit: 20 });
}

/** The raw text of any body (the webhook receiver checks the signature of the exact bytes). */
export function textParser(limit: number): RequestHandler {
  return express.text({ type: () => true, limit });
}

function utf8Only(_req: unknown, _res: unknown, bytes: Buffer, encoding: string): void {
  if (encoding.toLowerCase().replace('-', '') !== 'utf8' || isUtf8(bytes)) return;
  throw new WhatsupError(400, 'body.invalid_encoding', 'The body is not valid UTF-8.');
}

/**
 * First on every route that takes a body: a body declared over `limit` bytes is answered 413 at
 * once, and a body still arriving when the route answers early (401, 403, 415, 429) gets
 * LINGER_MS to finish before the socket closes, instead of being read off for as long as the
 * client sends. A body that has fully arrived (most requests) costs nothing.
 */
export function boundBody(limit: number): RequestHandler {
  return (req, res, next) => {
    if (req.complete) return next();
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const declared = req.headers['content-length'];
    if (!chunked && (declared === undefined || declared === '0')) return next();
    if (!chunked && Number(declared) > limit) return refuse(req, res, tooLarge(limit));
    res.once('finish', () => {
      if (!req.complete) linger(req);
    });
    return next();
  };
}

/**
 * Runs `parse` with two bounds of its own: a body declared (Content-Length) or sent (chunked,
 * streamed) over `limit` bytes is answered 413 `body.too_large` as soon as that is known, and one
 * that has not fully arrived after `timeoutMs` is answered 408 `body.timeout`. A body that has
 * already arrived in full (most small POSTs, by the time the session is loaded) costs no timer
 * and no listener.
 */
export function readBody(parse: RequestHandler, limit: number, timeoutMs: number): RequestHandler {
  return (req, res, next) => {
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const declared = req.headers['content-length'];
    if (!chunked && (declared === undefined || declared === '0')) return next();
    if (!chunked && Number(declared) > limit) return refuse(req, res, tooLarge(limit));
    if (req.complete) return parse(req, res, next);
    let settled = false;
    let received = 0;
    const stop = (error: WhatsupError | undefined, passOn: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', count);
      if (passOn) next(error);
      else refuse(req, res, error!);
    };
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) stop(tooLarge(limit), false);
    };
    const timer = setTimeout(() => {
      debug('body of %s %s not received within %d ms', req.method, req.originalUrl, timeoutMs);
      stop(
        new WhatsupError(408, 'body.timeout', `The request body did not arrive within ${timeoutMs} ms.`),
        false,
      );
    }, timeoutMs);
    timer.unref();
    // body-parser attaches its own 'data' listener synchronously; ours comes second, so no byte is missed.
    parse(req, res, (err?: unknown) => stop(err as WhatsupError | undefined, true));
    if (!settled) req.on('data', count);
    return undefined;
  };
}

function tooLarge(limit: number): WhatsupError {
  return new WhatsupError(413, 'body.too_large', `The request body is too large (at most ${limit} bytes).`);
}

/** Answers now, then gives the rest of the body LINGER_MS to arrive before closing the socket. */
function refuse(req: Request, res: Response, error: WhatsupError): void {
  if (!res.headersSent) errorHandler(error, req, res, () => undefined);
  if (!req.complete) linger(req);
}

function linger(req: Request): void {
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  timer.unref();
  // Not 'close': Node may emit it for the request while it still reads off the rest of the body.
  req.once('end', () => clearTimeout(timer));
}
