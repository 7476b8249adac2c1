import { WhatsupError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { apiStringToSign, md5, safeEqual, sign } from './signatures.js';

/** Pusher accepts request timestamps this far from its own clock, either way. */
const MAX_SKEW_SECONDS = 600;

/**
 * Parses a raw query string the way the pusher library signs it: keys and values unescaped, not
 * re-encoded. A repeated parameter is refused: two values would make the signed string ambiguous.
 */
export function parseQuery(search: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of search.split('&')) {
    if (part === '') continue;
    const at = part.indexOf('=');
    const name = decode(at === -1 ? part : part.slice(0, at));
    const value = decode(at === -1 ? '' : part.slice(at + 1));
    if (params.has(name))
      throw new WhatsupError(400, 'query.duplicate', `Query parameter ${name} is given twice`);
    params.set(name, value);
  }
  return params;
}

/**
 * Checks an HTTP API request's signature (Pusher's REST auth) before its body is read: auth_key,
 * auth_version 1.0, auth_timestamp within ±600 s, body_md5's shape, and auth_signature over
 * `METHOD\npath\nsorted query`. The signed query holds body_md5, so a stranger without the secret is
 * refused here and no body of theirs is ever read; `verifyBody()` then checks the body against it.
 * `paths` lists the paths the client may have signed.
 */
export function verifyApiRequest(
  options: ResolvedOptions,
  method: string,
  paths: readonly string[],
  params: ReadonlyMap<string, string>,
  now = Date.now(),
): void {
  if (params.get('auth_key') !== options.key) fail('Unknown or missing auth_key');
  if (params.get('auth_version') !== '1.0') fail('auth_version must be 1.0');
  const timestamp = params.get('auth_timestamp') ?? '';
  if (!/^\d{1,12}$/.test(timestamp)) fail('Missing or malformed auth_timestamp');
  if (Math.abs(now / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) {
    fail(
      `Timestamp expired: auth_timestamp must be within ${MAX_SKEW_SECONDS} s of the server's clock (check the clocks)`,
    );
  }
  const bodyMd5 = params.get('body_md5');
  if (bodyMd5 !== undefined && !/^[0-9a-f]{32}$/.test(bodyMd5))
    fail('Malformed body_md5: 32 lowercase hex digits are needed');
  const signature = params.get('auth_signature') ?? '';
  if (!/^[0-9a-f]{64}$/.test(signature)) fail('Missing or malformed auth_signature');
  const valid = paths.some((path) =>
    safeEqual(signature, sign(options.secret, apiStringToSign(method, path, params))),
  );
  if (!valid) fail('Invalid signature: the auth_signature does not match; check the app secret');
}

/** The body read against the body_md5 the signature covers (no body_md5: no body allowed). */
export function verifyBody(params: ReadonlyMap<string, string>, body: Buffer): void {
  const bodyMd5 = params.get('body_md5');
  if (bodyMd5 !== undefined ? !safeEqual(bodyMd5, md5(body)) : body.length > 0)
    fail('body_md5 does not match the request body');
}

function fail(message: string): never {
  throw new WhatsupError(401, 'signature.invalid', message);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new WhatsupError(400, 'query.malformed', 'Malformed percent-encoding in the query string');
  }
}
