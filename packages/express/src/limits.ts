/**
 * Every size rule of @whatsup/express in one place, so that what sign-up and POST /status accept
 * always fits in the presence `user_info` Pusher caps at 1 KB: a status that is accepted can join.
 */

/** Pusher Channels (and @whatsup/realtime, soketi) refuse a presence `user_info` over this many bytes of JSON. */
export const USER_INFO_BYTES = 1024;

export const DEFAULT_LIMITS = {
  /** Display name, in characters (code points). */
  name: 32,
  /** Status text, in characters (code points)… */
  status: 280,
  /** …and in bytes of its JSON string (UTF-8, escapes counted), so 280 emoji cannot overflow user_info. */
  statusBytes: 640,
  /** An avatar URL longer than this (in JSON bytes) is served by GET /members but left out of user_info. */
  avatarBytes: 200,
  /** Request bodies (body-parser syntax). */
  body: '8kb',
  /** A request whose body has not fully arrived after this many milliseconds gets 408 and is closed. */
  bodyTimeoutMs: 10_000,
  /** GET /members answers at most this many records (newest first). */
  members: 500,
} as const;

export interface Limits {
  name: number;
  status: number;
  statusBytes: number;
  avatarBytes: number;
  body: string | number;
  bodyTimeoutMs: number;
  members: number;
}

/** `{"name":,"status":,"avatar":}` plus four quotes each side of the values. */
const USER_INFO_OVERHEAD = Buffer.byteLength('{"name":"","status":"","avatar":""}');

/** Validates the `limits` option and checks that the worst case still fits in user_info. */
export function resolveLimits(given: Partial<Limits> | undefined): Limits {
  const limits: Limits = {
    name: positiveInt(given?.name ?? DEFAULT_LIMITS.name, 'limits.name'),
    status: positiveInt(given?.status ?? DEFAULT_LIMITS.status, 'limits.status'),
    statusBytes: positiveInt(given?.statusBytes ?? DEFAULT_LIMITS.statusBytes, 'limits.statusBytes'),
    avatarBytes: positiveInt(given?.avatarBytes ?? DEFAULT_LIMITS.avatarBytes, 'limits.avatarBytes'),
    body: given?.body ?? DEFAULT_LIMITS.body,
    bodyTimeoutMs: positiveInt(given?.bodyTimeoutMs ?? DEFAULT_LIMITS.bodyTimeoutMs, 'limits.bodyTimeoutMs'),
    members: positiveInt(given?.members ?? DEFAULT_LIMITS.members, 'limits.members'),
  };
  // A name character is at most 4 bytes of UTF-8 (quotes and backslashes escape to 2).
  const worst = USER_INFO_OVERHEAD + limits.name * 4 + limits.statusBytes + limits.avatarBytes;
  if (worst > USER_INFO_BYTES) {
    throw new TypeError(
      `limits.name × 4 + limits.statusBytes + limits.avatarBytes must leave a presence user_info within ` +
        `${USER_INFO_BYTES} bytes (got ${worst}); lower limits.statusBytes.`,
    );
  }
  return limits;
}

/** Bytes `text` takes inside a JSON string (UTF-8, escapes counted, quotes not). */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

function positiveInt(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) <= 0)
    throw new TypeError(`${name} must be a positive integer, got ${String(value)}`);
  return value as number;
}
