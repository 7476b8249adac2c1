/**
 * Every size rule of @whatsup/express in one place, so that what sign-up and POST /status accept
 * always fits in the presence `user_info` Pusher caps at 1 KB: a status that is accepted can join.
 */

/** Pusher Channels (and @whatsup/realtime, soketi) refuse a presence `user_info` over this many bytes of JSON. */
export const USER_INFO_BYTES = 1024;

/**
 * Most bytes a status emoji may take (UTF-8 inside JSON). The longest RGI sequences (a kiss with
 * two skin tones) take 35; the user_info budget below counts this many.
 */
export const EMOJI_BYTES = 48;

export const DEFAULT_LIMITS = {
  /** Display name, in characters (code points). */
  name: 32,
  /** Status text, in characters (code points)… */
  status: 280,
  /**
   * …and in bytes of its JSON string (UTF-8, escapes counted), so 280 emoji cannot overflow user_info.
   * 512 (it was 640 before the emoji, availability and activity joined user_info): 280 Latin
   * characters, 256 accented ones, 170 CJK or 128 emoji.
   */
  statusBytes: 512,
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

/** Bytes `text` takes inside a JSON string (UTF-8, escapes counted, quotes not). */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

function positiveInt(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) <= 0)
    throw new TypeError(`${name} must be a positive integer, got ${String(value)}`);
  return value as number;
}
