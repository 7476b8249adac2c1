// The parts of a member record beyond its text (issue 14): emoji, "clear after", availability and
// activity — their validation, the presets a site offers, and how an expired status reads.
import {
  ACTIVITIES,
  AVAILABILITIES,
  CLEAR_AFTER,
  CLEAR_AFTER_MS,
  type Activity,
  type Availability,
  type ClearAfter,
  type StatusChange,
  type StatusPreset,
} from '@whatsup/protocol';
import { WhatsupError } from './errors.js';
import { EMOJI_BYTES, jsonBytes } from './limits.js';
import { cleanText } from './text.js';
import type { MemberRecord } from './status-store.js';

export type { Activity, Availability, ClearAfter, StatusPreset };
export { ACTIVITIES, AVAILABILITIES, CLEAR_AFTER };

// Unicode's "recommended for general interchange" emoji: single characters with emoji
// presentation, keycaps, flags, tag sequences, modifier and ZWJ sequences — and nothing else.
// (The `v` flag is Node 20's; a literal would need an ES2024 TypeScript target.)
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** A status as the person sets it (`router.setStatus()`): @whatsup/protocol's `StatusChange`. */
export type StatusInput = StatusChange;

export const DEFAULT_PRESETS: readonly StatusPreset[] = [
  { text: 'In a meeting', emoji: '\u{1F4C5}', clearAfter: '1h' },
  { text: 'Commuting', emoji: '\u{1F68C}', clearAfter: '30m' },
  { text: 'Out sick', emoji: '\u{1F912}', clearAfter: 'today' },
];

/**
 * One emoji, or undefined for none (`""`, absent). Exactly one grapheme cluster that is an RGI
 * emoji; a lone character with text presentation (❤, ©) gets its emoji variation selector added.
 */
export function cleanEmoji(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const bad = (why: string) =>
    new WhatsupError(400, 'emoji.invalid', `The emoji must be one emoji (🙂, 👍🏽, 🇫🇷), ${why}.`, {
      field: 'emoji',
    });
  if (typeof value !== 'string') throw bad(`got ${Array.isArray(value) ? 'an array' : typeof value}`);
  // Cheap checks first: a long string is refused before any Unicode work.
  if (value.length > EMOJI_BYTES || jsonBytes(value) > EMOJI_BYTES) throw bad(`at most ${EMOJI_BYTES} bytes`);
  let count = 0;
  for (const _ of segmenter.segment(value)) count += 1;
  if (count !== 1) throw bad(`got ${count} characters`);
  if (RGI_EMOJI.test(value)) return value;
  const presented = `${value}\uFE0F`;
  if ([...value].length === 1 && RGI_EMOJI.test(presented)) return presented;
  throw bad(`got '${value}'`);
}

export function parseClearAfter(value: unknown): ClearAfter {
  if (value === undefined) return 'never';
  if (typeof value === 'string' && (CLEAR_AFTER as readonly string[]).includes(value))
    return value as ClearAfter;
  throw new WhatsupError(
    400,
    'clear_after.invalid',
    `clearAfter must be one of ${CLEAR_AFTER.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}.`,
    { field: 'clearAfter' },
  );
}

export function parseAvailability(value: unknown): Availability {
  if (typeof value === 'string' && (AVAILABILITIES as readonly string[]).includes(value))
    return value as Availability;
  throw new WhatsupError(
    400,
    'availability.invalid',
    `availability must be 'auto', 'dnd' or 'invisible', got ${describe(value)}.`,
    { field: 'availability' },
  );
}

export function parseActivity(value: unknown): Activity {
  if (typeof value === 'string' && (ACTIVITIES as readonly string[]).includes(value))
    return value as Activity;
  throw new WhatsupError(
    400,
    'activity.invalid',
    `activity must be 'active' or 'away', got ${describe(value)}.`,
    {
      field: 'activity',
    },
  );
}

/** Minutes east of UTC (what `-new Date().getTimezoneOffset()` gives in a browser), or undefined. */
export function parseUtcOffset(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= -840 && value <= 840) return value;
  throw new WhatsupError(
    400,
    'utc_offset.invalid',
    `utcOffset must be whole minutes east of UTC between -840 and 840 (-new Date().getTimezoneOffset()), got ${describe(value)}.`,
    { field: 'utcOffset' },
  );
}

/** When a status set at `now` clears: undefined for never; 'today' is the next midnight at the offset. */
export function clearAtFor(clearAfter: ClearAfter, now: number, utcOffset?: number): number | undefined {
  if (clearAfter === 'never') return undefined;
  if (clearAfter !== 'today') return now + CLEAR_AFTER_MS[clearAfter];
  if (utcOffset === undefined) {
    // The server's own zone, through Date so a daylight-saving change tonight is counted.
    const d = new Date(now);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  }
  const local = new Date(now + utcOffset * 60_000);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1) - utcOffset * 60_000;
}

/** Refuses fields a route does not take, so a typo (`clear_after`) is not silently ignored. */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[], route: string): void {
  for (const key of Object.keys(body)) {
    if (allowed.includes(key)) continue;
    const name = key.length > 40 ? `${key.slice(0, 40)}…` : key;
    throw new WhatsupError(
      400,
      'body.unknown_field',
      `Unknown field '${name}': ${route} takes ${allowed.join(', ')}.`,
      { field: name },
    );
  }
}

/** The record as it reads at `now`: a status whose time has come is cleared even before its timer runs. */
export function withoutExpired(record: MemberRecord, now: number): MemberRecord {
  if (record.clearAt === undefined || record.clearAt > now) return record;
  const { emoji: _emoji, clearAt, ...rest } = record;
  return { ...rest, status: '', updatedAt: Math.max(record.updatedAt, clearAt) };
}

/** The record with a new status (text, emoji, clearAt); what is not given is removed. */
export function withStatus(
  record: MemberRecord,
  status: { text: string; emoji?: string | undefined; clearAt?: number | undefined },
  now: number,
): MemberRecord {
  const { emoji: _emoji, clearAt: _clearAt, ...rest } = record;
  return {
    ...rest,
    status: status.text,
    ...(status.emoji ? { emoji: status.emoji } : {}),
    ...(status.clearAt !== undefined ? { clearAt: status.clearAt } : {}),
    updatedAt: now,
  };
}

export function availabilityOf(record: MemberRecord): Availability {
  return record.availability ?? 'auto';
}

export function activityOf(record: MemberRecord): Activity {
  return record.activity ?? 'active';
}

/** Validates the `presets` option when the router is made; a mistake throws a TypeError naming the entry. */
export function resolvePresets(
  given: unknown,
  limits: { status: number; statusBytes: number },
): StatusPreset[] {
  if (given === undefined) return DEFAULT_PRESETS.map((p) => ({ ...p }));
  if (!Array.isArray(given) || given.length > 20) {
    throw new TypeError(
      `presets must be a list of at most 20 { text, emoji?, clearAfter? } (or [] for none), got ${describe(given)}`,
    );
  }
  return given.map((preset: unknown, i) => {
    const where = `presets[${i}]`;
    if (typeof preset !== 'object' || preset === null || Array.isArray(preset))
      throw new TypeError(`${where} must be { text, emoji?, clearAfter? }, got ${describe(preset)}`);
    const entry = preset as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!['text', 'emoji', 'clearAfter'].includes(key))
        throw new TypeError(`${where} has an unknown field '${key}': presets take text, emoji, clearAfter`);
    }
    try {
      const text = cleanText(entry.text, 'status', limits.status, true, limits.statusBytes);
      const emoji = cleanEmoji(entry.emoji);
      const clearAfter = parseClearAfter(entry.clearAfter);
      return { text, ...(emoji ? { emoji } : {}), clearAfter };
    } catch (err) {
      const field = err instanceof WhatsupError && err.field ? err.field : 'text';
      throw new TypeError(
        `${where}.${field === 'status' ? 'text' : field}: ${(err as Error).message} (got ${JSON.stringify(entry[field === 'status' ? 'text' : field])})`,
      );
    }
  });
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}
