import { addMessages, packFor } from './localize.js';
import { importLocale } from './locale-module.js';

/** The packs asked for already, loaded or not: each is fetched at most once, failed or not. */
const asked = new Set<string>();

/**
 * The file of the pack we ship (src/locales/) for `lang`, as `packFor` would find it once loaded:
 * by primary language (`fr-CA` → fr; `zh`, `zh-Hans-CN` and `zh-TW` → zh-Hans, which registers as
 * `zh` too); none for English or any other language.
 */
export function shippedPack(lang: string): string | undefined {
  const primary = /^(ar|de|es|fr|ja|zh)(-|$)/i.exec(lang)?.[1]?.toLowerCase();
  return primary === 'zh' ? 'zh-Hans' : primary;
}

/** After the page's own scripts: a pack it registers (a script tag after the bundle) wins. */
const parsed = (): Promise<unknown> =>
  document.readyState === 'loading'
    ? new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }))
    : Promise.resolve();

/**
 * Loads, once, the pack we ship for `lang` when none is registered for it: the panel shows English
 * meanwhile, and every panel re-renders when the pack registers itself (`addMessages`). A load
 * that failed leaves English, says so in the console, and is not tried again.
 */
export function loadPackFor(lang: string): void {
  const file = packFor(lang) ? undefined : shippedPack(lang);
  if (!file || asked.has(file)) return;
  asked.add(file);
  parsed()
    .then(() => packFor(lang) || importLocale(file, addMessages))
    .catch((err: unknown) => console.warn(`whatsup: no '${file}' language pack, English instead:`, err));
}
