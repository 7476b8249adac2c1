import { WhatsupError } from './errors.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0/C1 controls and the invisible bidi/zero-width characters used to spoof names.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/**
 * Normalizes a user-supplied name or status: a string, no control characters, NFC,
 * trimmed, whitespace collapsed, at most `max` characters (code points).
 */
export function cleanText(
  value: unknown,
  field: 'username' | 'status',
  max: number,
  required: boolean,
): string {
  const code = field === 'username' ? 'name' : 'status';
  const label = field === 'username' ? 'The display name' : 'The status';
  if (value === undefined || value === null) value = '';
  if (typeof value !== 'string') {
    throw new WhatsupError(400, `${code}.invalid`, `${label} must be a string, got ${describe(value)}.`, {
      field,
    });
  }
  if (LONE_SURROGATE.test(value)) {
    throw new WhatsupError(400, `${code}.invalid`, `${label} is not valid Unicode text.`, { field });
  }
  const text = value
    .replace(/[\r\n\t]+/g, ' ')
    .replace(CONTROL, '')
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim();
  if (required && text.length === 0) {
    throw new WhatsupError(400, `${code}.required`, `${label} is required.`, { field });
  }
  const length = [...text].length;
  if (length > max) {
    throw new WhatsupError(
      400,
      `${code}.too_long`,
      `${label} can be at most ${max} characters (got ${length}).`,
      {
        field,
      },
    );
  }
  return text;
}

/** How names are compared for "already online": case- and compatibility-insensitive. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLocaleLowerCase('en-US');
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}
