/**
 * Every size rule of @whatsup/express in one place, so that what sign-up and POST /status accept
 * always fits in the presence `user_info` Pusher caps at 1 KB: a status that is accepted can join.
 * The defaults both sides of the wire agree on come from @whatsup/protocol's LIMITS.
 */
import { LIMITS } from '@whatsup/protocol';

/** Pusher Channels (and @whatsup/realtime, soketi) refuse a presence `user_info` over this many bytes of JSON. */
export const USER_INFO_BYTES = LIMITS.userInfoBytes;

/**
 * Most bytes a status emoji may take (UTF-8 inside JSON). The longest RGI sequences (a kiss with
 * two skin tones) take 35; the user_info budget below counts this many.
 */
export const EMOJI_BYTES = LIMITS.emojiBytes;

export const DEFAULT_LIMITS = {
  /** Display name, in characters (code points). */
  name: LIMITS.name,
  /** Status text, in characters (code points)… */
  status: LIMITS.status,
  /**
   * …and in bytes of its JSON string (UTF-8, escapes counted), so 280 emoji cannot overflow user_info.
   * 512 (it was 640 before the emoji, availability and activity joined user_info): 280 Latin
   * characters, 256 accented ones, 170 CJK or 128 emoji.
   */
  statusBytes: LIMITS.statusBytes,
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

/**
 * Everything in the largest user_info but the name, status and avatar text: the keys and quotes,
 * the longest emoji, `dnd`, `away` and a 16-digit time.
 */
const USER_INFO_OVERHEAD = Buffer.byteLength(
  JSON.stringify({
    name: '',
    status: '',
    avatar: '',
    emoji: 'x'.repeat(EMOJI_BYTES),
    availability: 'dnd',
    activity: 'away',
    activitySince: Number.MAX_SAFE_INTEGER,
  }),
);

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
  byteCount(limits.body, 'limits.body');
  // A name character is at most 4 bytes of UTF-8 (quotes and backslashes escape to 2).
  const worst = USER_INFO_OVERHEAD + limits.name * 4 + limits.statusBytes + limits.avatarBytes;
  if (worst > USER_INFO_BYTES) {
    throw new TypeError(
      `limits.name × 4 + limits.statusBytes + limits.avatarBytes (plus ${USER_INFO_OVERHEAD} bytes of keys, emoji, ` +
        `availability and activity) must leave a presence user_info within ` +
        `${USER_INFO_BYTES} bytes (got ${worst}); lower limits.statusBytes.`,
    );
  }
  return limits;
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** A body-parser size (`8kb`, `'1mb'`, a number of bytes) in bytes; a TypeError naming `label` otherwise. */
export function byteCount(size: string | number, label: string): number {
  if (typeof size === 'number' && Number.isInteger(size) && size > 0) return size;
  const parts = typeof size === 'string' ? /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(size.trim()) : null;
  if (!parts)
    throw new TypeError(`${label} must be a size like '8kb' or a number of bytes, got ${String(size)}`);
  const bytes = Math.floor(Number(parts[1]) * UNITS[(parts[2] ?? 'b').toLowerCase()]!);
  if (bytes <= 0) throw new TypeError(`${label} must be more than 0 bytes, got ${String(size)}`);
  return bytes;
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
