// HTTP API requests made by hand, signed as the pusher library signs them (Pusher REST auth), with
// knobs to forge each part; and what an answer's status means on soketi.
import { createHash, createHmac } from 'node:crypto';
import { APP } from './pusher.js';

export interface Forge {
  /** Extra query parameters, signed with the rest. */
  params?: Record<string, string>;
  signature?: string;
  key?: string;
  secret?: string;
  /** Seconds since the epoch. */
  timestamp?: number;
  /** The path the signature is made over (default: the request's). */
  signedPath?: string;
}

/** `?auth_key=…&…&auth_signature=…` for a request, as the pusher library signs it. */
export function signedQuery(method: string, path: string, body: string, forge: Forge = {}): string {
  const params: Record<string, string> = {
    auth_key: forge.key ?? APP.key,
    auth_timestamp: String(forge.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    ...forge.params,
  };
  if (body !== '') params.body_md5 = createHash('md5').update(body).digest('hex');
  const query = Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
  const signature =
    forge.signature ??
    createHmac('sha256', forge.secret ?? APP.secret)
      .update([method, forge.signedPath ?? path, query].join('\n'))
      .digest('hex');
  return `?${query}&auth_signature=${signature}`;
}

/** A signed HTTP API request; `sendBody` sends another body than the one signed. */
export function signedRequest(
  port: number,
  method: string,
  path: string,
  body: string,
  forge: Forge & { sendBody?: string } = {},
): Promise<Response> {
  const sent = forge.sendBody ?? body;
  return fetch(`http://127.0.0.1:${port}${path}${signedQuery(method, path, body, forge)}`, {
    method,
    ...(sent === '' ? {} : { body: sent, headers: { 'content-type': 'application/json' } }),
  });
}

/** Both fetch's Response and the pusher library's (node-fetch) Response. */
export type HttpAnswer = { status: number; clone(): { json(): Promise<unknown> } };

/**
 * The status an HTTP API answer means. soketi 1.6 on the uWebSockets.js build installed here writes its
 * CORS headers before the status line, so uWS sends HTTP 200 and the real status is only the body's
 * `code` (`{"error":"…","code":401}`) — a soketi bug, and a difference the pusher library does not see
 * (it resolves). The embedded server sends real statuses, so for it the HTTP status is taken as is.
 */
export async function statusOf(target: { name: string }, response: HttpAnswer): Promise<number> {
  if (target.name === 'embedded' || response.status !== 200) return response.status;
  const body = (await response
    .clone()
    .json()
    .catch(() => ({}))) as { error?: unknown; code?: unknown };
  return typeof body.error === 'string' && typeof body.code === 'number' ? body.code : response.status;
}

/** The HTTP status of a pusher library call, resolved or rejected (RequestError carries it). */
export async function restStatus(target: { name: string }, call: Promise<HttpAnswer>): Promise<number> {
  try {
    return await statusOf(target, await call);
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (typeof status !== 'number') throw error;
    return status;
  }
}
