// 6. Size of the one-file bundle: raw, gzip and brotli bytes, and who they belong to; and of the
// pusher-js chunk it imports from beside itself once the panel starts (not needed to see the list),
// and of the status editor's chunk it imports from there when someone is about to edit.
// Attribution reads the bundle's own source map: every generated character belongs to the source
// its mapping segment names (lit, pusher-js, tslib, our src/). Segments the minifier left
// unmapped (the text inside template literals: our HTML templates and CSS) belong to the source
// mapped just before them, which is the code the literal sits in. The compressed share of a part is
// that part's characters, in bundle order, compressed on their own — so the shares add up to a
// little more than the whole (each part loses the context the others would have given it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { root } from '../processes.mjs';
import { kb, ratio, target } from '../stats.mjs';

export const title = 'Size of the one-file bundle';
export const BUNDLE = 'packages/presence-element/dist/whatsup-presence.bundle.min.js';
export const CHUNK = 'packages/presence-element/dist/whatsup-presence.pusher.min.js';
export const EDITOR_CHUNK = 'packages/presence-element/dist/whatsup-presence.editor.min.js';
/**
 * Issues 15 and 23's budget for the JavaScript before the first row: the one-file bundle (lit and
 * our code; pusher-js is its chunk, loaded beside the first request), gzip -9 at most 30 kB = 30 ×
 * 1024 bytes. Checked by bench/budget/bundle-size.test.mjs (npm run test:budget) and by
 * packages/presence-element/test-support/size.test.mjs (npm test).
 */
export const GZIP_BUDGET_BYTES = 30 * 1024;
export const gzipBytes = (code) => gzipSync(code, { level: 9 }).length;
const BASELINE = 'node_modules/pusher-js/dist/web/pusher.min.js';

export function available() {
  if (!existsSync(join(root, BUNDLE))) return `${BUNDLE} is not built (npm run build)`;
  if (!existsSync(join(root, `${BUNDLE}.map`))) return `${BUNDLE}.map is missing`;
  return '';
}

const measure = (code) => ({
  raw: Buffer.byteLength(code),
  gzip: gzipBytes(code),
  brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

function owner(source) {
  // pusher-js is its published browser build (dist/web/pusher.js), as in the baseline; the
  // @whatsup/protocol constants the element imports are our own code.
  if (source.includes('node_modules/pusher-js/')) return 'pusher-js';
  if (/node_modules\/(lit|lit-html|lit-element|@lit)\//.test(source)) return 'lit';
  if (source.includes('node_modules/tslib')) return 'tslib (decorator helpers)';
  if (source.includes('node_modules/')) return 'other dependencies';
  return 'our own code';
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export function decodeVlq(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** Characters of the generated code grouped by owner, in bundle order. */
export function attribute(code, map) {
  const parts = new Map();
  const add = (name, text) => parts.set(name, (parts.get(name) ?? '') + text);
  const lines = code.split('\n');
  let source = 0;
  const mappingLines = map.mappings.split(';');
  // Template literals span lines: their text continues the code mapped before them.
  let lastMapped = 'the bundle wrapper (unmapped)';
  lines.forEach((line, lineNo) => {
    const mappingLine = mappingLines[lineNo] ?? '';
    let column = 0;
    let current = lastMapped;
    let start = 0;
    for (const segment of mappingLine ? mappingLine.split(',') : []) {
      const [dCol, dSource] = decodeVlq(segment);
      column += dCol;
      add(current, line.slice(start, column));
      start = column;
      if (dSource !== undefined) {
        source += dSource;
        current = owner(map.sources[source]);
        lastMapped = current;
      } else current = lastMapped;
    }
    add(current, line.slice(start) + (lineNo < lines.length - 1 ? '\n' : ''));
  });
  return parts;
}

export async function run() {
  const code = readFileSync(join(root, BUNDLE), 'utf8');
  const map = JSON.parse(readFileSync(join(root, `${BUNDLE}.map`), 'utf8'));
  const parts = attribute(code, map);
  const attributed = [...parts.values()].reduce((n, text) => n + text.length, 0);
  if (attributed !== code.length)
    throw new Error(`attribution covers ${attributed} of ${code.length} characters`);
  const shares = [...parts].map(([name, text]) => ({ name, ...measure(text) })).sort((a, b) => b.raw - a.raw);
  const [chunk, editor, baseline] = [CHUNK, EDITOR_CHUNK, BASELINE].map((f) =>
    measure(readFileSync(join(root, f))),
  );
  return { full: measure(code), shares, chunk, editor, baseline };
}

/** One line for the summary at the top of BENCHMARKS.md. */
export function headline(r) {
  return [
    [
      'bundle, brotli',
      kb(r.full.brotli),
      `pusher-js alone ${kb(r.baseline.brotli)}`,
      ratio(r.full.brotli, r.baseline.brotli),
    ],
    [
      'bytes before the first row: the bundle, gzip -9 (issues 15, 23 budget: 30 kB = 30,720 bytes)',
      `${r.full.gzip.toLocaleString('en-US')} bytes`,
      `budget ${GZIP_BUDGET_BYTES.toLocaleString('en-US')} bytes`,
      ratio(r.full.gzip, GZIP_BUDGET_BYTES),
      ...target(r.full.gzip, GZIP_BUDGET_BYTES, 'max', 1.0),
    ],
  ];
}

export function report(r) {
  const row = (label, m) => `| ${label} | ${kb(m.raw)} | ${kb(m.gzip)} | ${kb(m.brotli)} |`;
  return [
    '| | raw | gzip -9 | brotli -q 11 |',
    '|---|---|---|---|',
    row('**`whatsup-presence.bundle.min.js`** (the bytes before the first row)', r.full),
    ...r.shares.map((s) =>
      row(`of which ${s.name} (${((100 * s.raw) / r.full.raw).toFixed(0)} % of raw)`, s),
    ),
    row('`whatsup-presence.pusher.min.js` (pusher-js, its chunk, loaded beside the first request)', r.chunk),
    row(
      '`whatsup-presence.editor.min.js` (the status editor, its chunk, loaded on hover, focus or first edit)',
      r.editor,
    ),
    row("baseline: pusher-js's own `pusher.min.js`", r.baseline),
    `| **ratio bundle ÷ pusher-js alone** | ${ratio(r.full.raw, r.baseline.raw)} | ${ratio(r.full.gzip, r.baseline.gzip)} | ${ratio(r.full.brotli, r.baseline.brotli)} |`,
    '',
    `Shares come from the bundle's source map (\`${BUNDLE}.map\`): each generated character is counted for the source its mapping names (the text inside template literals, which the minifier leaves unmapped, for the source mapped just before it). A share's compressed size is that share compressed on its own, so the shares add up to slightly more than the whole. Byte counts do not depend on the clock.`,
  ];
}
