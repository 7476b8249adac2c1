/**
 * The panel's language: the nearest `lang` (the element's own or an ancestor's), else the
 * browser's, with English strings as the fallback. Intl objects are costly to build and the same
 * for every row, so they are made once per language and shared.
 */
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();

export function langOf(el: Element): string {
  return el.closest('[lang]')?.getAttribute('lang') || navigator.language || 'en';
}

/** Right-to-left scripts: Arabic, Hebrew, Persian, Urdu… (by primary language subtag). */
export function isRtl(lang: string): boolean {
  return /^(ar|he|fa|ur|ps|sd|yi|ckb|dv)(-|$)/i.test(lang);
}

function cached<T>(cache: Map<string, T>, lang: string, make: (lang: string) => T): T {
  let value = cache.get(lang);
  if (!value) {
    try {
      value = make(lang);
    } catch {
      value = make('en'); // a malformed lang tag
    }
    cache.set(lang, value);
  }
  return value;
}

/** Intl.PluralRules' category (`one`, `few`, `other`…) for `count` in `lang`. */
export function pluralOf(lang: string, count: number): string {
  return cached(pluralRules, lang, (l) => new Intl.PluralRules(l)).select(count);
}

const seconds = new Map<string, Intl.NumberFormat>();

/** "5 s", "5 Sek.", "5 秒"… in `lang`. */
export function secondsOf(lang: string, value: number): string {
  const format = cached(
    seconds,
    lang,
    (l) => new Intl.NumberFormat(l, { style: 'unit', unit: 'second', unitDisplay: 'short' }),
  );
  return format.format(value);
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** A clock time in `lang`'s own format: "14:05", "2:05 PM"… */
export function clockTime(lang: string, at: number): string {
  return cached(timeFormats, lang, (l) => new Intl.DateTimeFormat(l, { timeStyle: 'short' })).format(at);
}

/** "now", "3 min. ago", "yesterday"… in `lang`, short: it sits in a narrow slot at the row's end. */
export function relativeTime(lang: string, at: number, now = Date.now()): string {
  const format = cached(
    relativeFormats,
    lang,
    (l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto', style: 'short' }),
  );
  const seconds = Math.round((at - now) / 1000);
  if (Math.abs(seconds) < 45) return format.format(0, 'second');
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return format.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return format.format(hours, 'hour');
  return format.format(Math.round(hours / 24), 'day');
}

/** Message packs by language tag, added by the pack modules (`@whatsup/presence/locales/fr.js`…). */
const packs = new Map<string, Record<string, unknown>>();

/**
 * Makes a pack available for `lang` (e.g. `fr`, `zh-Hans`): every panel whose nearest `lang`
 * matches uses it, English filling any key it lacks. Pack modules call this when imported, so a
 * page loads only the languages it wants.
 */
export function addMessages(lang: string, pack: Record<string, unknown>): void {
  packs.set(lang.toLowerCase(), pack);
  version++;
  packListeners.forEach((listener) => listener());
}
/** Called after every `addMessages`: panels re-render in a pack that arrived after them. */
export const packListeners = new Set<() => void>();
let version = 0;
/** Changes whenever a pack is added: a cache key for merged messages. */
export function packsVersion(): number {
  return version;
}

/** The best pack for `lang`: the whole tag, then shorter prefixes (`zh-Hans-CN` → `zh-Hans` → `zh`). */
export function packFor(lang: string): Record<string, unknown> | undefined {
  const parts = lang.toLowerCase().split('-');
  for (let n = parts.length; n > 0; n--) {
    const pack = packs.get(parts.slice(0, n).join('-'));
    if (pack) return pack;
  }
  return undefined;
}
