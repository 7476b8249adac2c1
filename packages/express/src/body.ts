// The auth route's body. pusher-js posts `socket_id=…&channel_name=…` as a form, the element posts
// the same two fields as JSON; both are a few dozen bytes and have usually arrived in full by the
// time the session is loaded. Such a body is read at once from the request's buffer and parsed
// exactly as body-parser would; anything else (a body still arriving, compressed, with a charset,
// other fields, escapes, non-ASCII bytes) goes through body-parser as before.
import type { Request, RequestHandler } from 'express';
import { WhatsupError } from './errors.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const TYPES = [FORM, JSON_TYPE];
/**
 * The form pusher-js sends (`encodeURIComponent` leaves these characters alone), nothing more:
 * body-parser's two parsers (qs in Express 5, querystring in Express 4) both read it as these
 * two strings, so the answer cannot depend on which one the host app has.
 */
const PUSHER_FORM = /^socket_id=(\d+\.\d+)&channel_name=([-\w.]+)$/;
/** Larger bodies are not what either client sends: body-parser reads them (and applies the limit). */
const QUICK_BYTES = 1024;
const NOT_ASCII = /[\x80-\xff]/;

export interface FormOrJsonOptions {
  form: RequestHandler;
  json: RequestHandler;
  /** The body timeout, armed before a body-parser read. */
  timeout: RequestHandler;
  /** `limits.body`: the quick path is used only when this is at least QUICK_BYTES. */
  limit: string | number;
}

/**
 * Parses a form or JSON body (415 `body.unsupported_type` for any other type). Only the parser
 * for the type given runs; a body that has fully arrived is read without one (see above).
 */
export function formOrJson(options: FormOrJsonOptions): RequestHandler {
  const { form, json, timeout } = options;
  const quick = atLeastQuick(options.limit);
  return (req, res, next) => {
    if (req.headers['content-length'] === '0') return next();
    if (quick) {
      const body = arrivedBody(req);
      if (body !== undefined) {
        req.body = body;
        return next();
      }
    }
    const type = req.is(TYPES);
    if (type === false) {
      return next(
        new WhatsupError(
          415,
          'body.unsupported_type',
          'Send socket_id and channel_name as a form (what pusher-js sends) or as JSON.',
        ),
      );
    }
    if (type === null) return next();
    const parse = type === JSON_TYPE ? json : form;
    timeout(req, res, () => parse(req, res, next));
  };
}

/**
 * The body of a request whose last byte has arrived, when it is uncompressed, ASCII, of exactly
 * one of the two types (no charset), at most QUICK_BYTES, and parses: what body-parser would
 * make of it. Otherwise undefined, with the request's stream as it was.
 */
export function arrivedBody(req: Request): Record<string, unknown> | undefined {
  const headers = req.headers;
  const type = headers['content-type'];
  if (type !== FORM && type !== JSON_TYPE) return undefined;
  const length = Number(headers['content-length']);
  if (
    !req.complete ||
    !(length > 0 && length <= QUICK_BYTES) ||
    req.readableLength !== length ||
    req.readableFlowing !== null ||
    req.readableEncoding !== null ||
    headers['content-encoding'] !== undefined ||
    headers['transfer-encoding'] !== undefined
  ) {
    return undefined;
  }
  const bytes = req.read() as Buffer | null;
  if (bytes === null) return undefined;
  const body = bytes.length === length ? parse(type, bytes) : undefined;
  // Not ours to read after all: back into the stream, for body-parser (documented for this use).
  if (body === undefined) req.unshift(bytes);
  return body;
}

function parse(type: string, bytes: Buffer): Record<string, unknown> | undefined {
  const text = bytes.toString('latin1');
  // ASCII only: then UTF-8 and Latin-1 read alike and there is no byte-order mark to strip.
  if (NOT_ASCII.test(text)) return undefined;
  if (type === FORM) {
    const fields = PUSHER_FORM.exec(text);
    return fields ? { socket_id: fields[1], channel_name: fields[2] } : undefined;
  }
  // body-parser's strict JSON: an object or array, then JSON.parse; a syntax error is its to report.
  if (text[0] !== '{') return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Whether a body-parser `limit` is surely at least QUICK_BYTES (a number, or n kb/mb/gb). */
function atLeastQuick(limit: string | number): boolean {
  if (typeof limit === 'number') return limit >= QUICK_BYTES;
  const given = /^(\d+)(kb|mb|gb)$/i.exec(limit);
  return given !== null && Number(given[1]) >= 1;
}
