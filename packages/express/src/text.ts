import { WhatsupError } from './errors.js';
import { jsonBytes } from './limits.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0/C1 controls; line breaks become spaces first.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
// Characters that draw nothing. ZWJ/ZWNJ, variation selectors and emoji tags are decided by context below.
const JOINER = /[\u200C\u200D]/u;
const VARIATION = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;
const TAG = /[\u{E0020}-\u{E007F}]/u;
const WAVING_BLACK_FLAG = '\u{1F3F4}';
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
// Blank but not "default ignorable": braille blank, and the Hangul fillers that some fonts draw empty.
const BLANK = /[\u2800\u3164\u115F\u1160\uFFA0]/u;
const VISIBLE =
  /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{M}\p{Co}\p{Cn}\u2800\u3164\u115F\u1160\uFFA0]/u;
const WORDISH = /[^\s\p{Default_Ignorable_Code_Point}]/u;

/**
 * Drops what draws nothing: bidi controls, zero-width spaces, soft hyphens, fillers, stray tags.
 * Keeps ZWJ/ZWNJ between two visible characters (family emoji, Persian words), variation
 * selectors after a character (emoji presentation) and tag characters inside a flag sequence.
 */
function stripInvisible(text: string): string {
  const chars = [...text];
  let out = '';
  let previous = '';
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i]!;
    let keep: boolean;
    if (JOINER.test(c)) {
      const next = chars[i + 1] ?? '';
      keep = WORDISH.test(previous) || VARIATION.test(previous) ? WORDISH.test(next) : false;
    } else if (VARIATION.test(c)) {
      keep = WORDISH.test(previous);
    } else if (TAG.test(c)) {
      keep = previous === WAVING_BLACK_FLAG || TAG.test(previous);
    } else {
      keep = !IGNORABLE.test(c) && !BLANK.test(c);
    }
    if (keep) {
      out += c;
      previous = c;
    }
  }
  return out;
}

/**
 * Normalizes a user-supplied name or status: a string, no control or invisible characters,
 * NFC, trimmed, whitespace collapsed, at most `max` characters (code points) and, when given,
 * `maxBytes` bytes of JSON. A required text (a name) must have at least one visible character.
 */
export function cleanText(
  value: unknown,
  field: 'username' | 'status' | 'message',
  max: number,
  required: boolean,
  maxBytes?: number,
): string {
  const code = field === 'username' ? 'name' : field;
  const label = field === 'username' ? 'The display name' : field === 'status' ? 'The status' : 'The message';
  if (value === undefined || value === null) value = '';
  if (typeof value !== 'string') {
    throw new WhatsupError(400, `${code}.invalid`, `${label} must be a string, got ${describe(value)}.`, {
      field,
    });
  }
  if (LONE_SURROGATE.test(value)) {
    throw new WhatsupError(400, `${code}.invalid`, `${label} is not valid Unicode text.`, { field });
  }
  // Cheap guard before the per-character work: a text this long is refused anyway.
  if (value.length > max * 16 + 64) {
    throw new WhatsupError(400, `${code}.too_long`, `${label} can be at most ${max} characters.`, { field });
  }
  const text = stripInvisible(
    value
      .replace(/[\r\n\t]+/g, ' ')
      .replace(CONTROL, '')
      .normalize('NFC'),
  )
    .replace(/\s+/g, ' ')
    .trim();
  if (required && text.length === 0) {
    throw new WhatsupError(400, `${code}.required`, `${label} is required.`, { field });
  }
  if (required && !VISIBLE.test(text)) {
    throw new WhatsupError(400, `${code}.invisible`, `${label} needs at least one visible character.`, {
      field,
    });
  }
  const length = [...text].length;
  if (length > max) {
    throw new WhatsupError(
      400,
      `${code}.too_long`,
      `${label} can be at most ${max} characters (got ${length}).`,
      { field },
    );
  }
  if (maxBytes !== undefined && jsonBytes(text) > maxBytes) {
    throw new WhatsupError(
      400,
      `${code}.too_long`,
      `${label} is too long: at most ${maxBytes} bytes (emoji take 4 each, got ${jsonBytes(text)}).`,
      { field },
    );
  }
  return text;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}
