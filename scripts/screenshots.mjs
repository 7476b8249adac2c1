/* global document -- the waitForFunction callbacks run in the page */
// `npm run screenshots` (after a build): PNGs of the panel in docs/gallery/ — every variant ×
// light/dark × LTR/RTL × desktop (1280×800) / phone (375×700), with 1, 3, 12 and 200 people —
// taken from the one-file bundle on a plain page against the real middleware and realtime server.
// `node scripts/screenshots.mjs --before` takes only docs/gallery/before-*.png (the old panel);
// `--editor` only docs/gallery/editor-*.png (the status editor with its picker, and a preset chosen).
import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { whatsupServer } from '../packages/presence-element/test-support/whatsup-server.mjs';

const root = new URL('../', import.meta.url);
const bundle = fileURLToPath(new URL('packages/presence-element/dist/whatsup-presence.bundle.min.js', root));
const outDir = fileURLToPath(new URL('docs/gallery/', root));
const before = process.argv.includes('--before');
const editorOnly = process.argv.includes('--editor');
const EDITOR_STATES = ['picker', 'preset'];

// Realistic people: long names, long statuses, emoji, a URL, a right-to-left name.
const PEOPLE = [
  ['Bo Lindqvist', 'In a meeting until 3 📅'],
  ['Chidi Okonkwo-Abernathy', 'At lunch, back at 1:30 🍜'],
  ['Dee', 'Deep work — ping only if urgent. Reviewing https://example.com/pulls/4711/files#diff-c3d4'],
  ['Maximiliane Wolfeschlegelstein', 'Travelling ✈️'],
  ['李小龙', '在写文档'],
  ['Élodie', 'En réunion jusqu’à 16 h'],
  ['سارة', 'أعمل من المنزل اليوم'],
  ['Kai', ''],
  [
    'Priya Raghunathan',
    'Pairing with Bo on the flaky e2e test, then onboarding the two new people who start today 🎉',
  ],
  ['Tom', 'brb'],
  ['Ana María de la Cruz', 'Out sick 🤒'],
  ['Zed', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
];

export function pageHtml({ variant, dir, lang, attrs = '' }) {
  return `<!doctype html>
<html lang="${lang}" dir="${dir}">
  <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width" /><title>whatsup</title>
    <script src="/whatsup-presence.bundle.min.js"></script>${
      lang === 'en' ? '' : `\n    <script src="/locales/${lang}.bundle.min.js"></script>`
    }
    <style>:root { color-scheme: light dark; } body { margin: 24px; }</style>
  </head>
  <body>
    <whatsup-presence ${variant ? `variant="${variant}"` : ''} ${attrs} auth-endpoint="/whatsup/usersystem/auth" channel="presence-whatsup-members"></whatsup-presence>
  </body>
</html>`;
}

/** docs/gallery.md: every picture, by room size, variant and device. */
function galleryPage() {
  const lines = [
    '# Gallery',
    '',
    '`npm run screenshots` (after `npm run build`) takes these from the one-file bundle on an unstyled page, against the real',
    'middleware and realtime server, signed in as Ada Lovelace with 0, 2, 11 or 199 other people (long names, long statuses,',
    'emoji, a URL, unbroken strings). Desktop is 1280×800, phone 375×700. Right to left is `lang="ar" dir="rtl"` with the Arabic',
    'pack (`dist/locales/ar.bundle.min.js`); the people keep their own names and statuses. The stack is shown closed and with its popover open.',
    '',
    '## Before the redesign',
    '',
    '| desktop | phone | phone, 9 people |',
    '|---|---|---|',
    '| ![](gallery/before-light-desktop.png) | ![](gallery/before-light-phone.png) | ![](gallery/before-light-phone-9.png) |',
    '| ![](gallery/before-dark-desktop.png) | ![](gallery/before-dark-phone.png) | |',
    '',
    'Rows were 65.8 px on desktop and 84.8 px on a phone; now 44 px (`list`) and 32 px (`compact`).',
    '',
  ];
  for (const size of [1, 3, 12, 200]) {
    lines.push(`## ${size} ${size === 1 ? 'person' : 'people'}`, '');
    for (const device of ['desktop', 'phone']) {
      lines.push(
        `### ${device}`,
        '',
        '| variant | light | dark | light, RTL | dark, RTL |',
        '|---|---|---|---|---|',
      );
      const variants = ['list', 'compact', 'stack', 'stack-open'];
      for (const v of variants) {
        const [variant, open] = v.split('-');
        const cell = (scheme, dir) =>
          `![${v} ${scheme} ${dir}](gallery/${variant}-${size}-${scheme}-${dir}-${device}${open ? '-open' : ''}.png)`;
        lines.push(
          `| ${v} | ${cell('light', 'ltr')} | ${cell('dark', 'ltr')} | ${cell('light', 'rtl')} | ${cell('dark', 'rtl')} |`,
        );
      }
      lines.push('');
    }
  }
  lines.push(
    '## Presence states',
    '',
    'Bo away (since the time he went), Chidi on do not disturb, Dee left a moment ago (greyed for the leave grace), and',
    '`show-recent` opened on Gus, who left a while before.',
    '',
    '| device | light | dark | light, RTL | dark, RTL |',
    '|---|---|---|---|---|',
  );
  for (const device of ['desktop', 'phone']) {
    const cell = (scheme, dir) => `![states ${scheme} ${dir}](gallery/states-${scheme}-${dir}-${device}.png)`;
    lines.push(
      `| ${device} | ${cell('light', 'ltr')} | ${cell('dark', 'ltr')} | ${cell('light', 'rtl')} | ${cell('dark', 'rtl')} |`,
    );
  }
  lines.push(
    '',
    '## The status editor',
    '',
    "My status opened for editing (3 people): with the emoji picker open, and with the first of the site's presets chosen.",
    '',
    '| state | device | light | dark | light, RTL | dark, RTL |',
    '|---|---|---|---|---|---|',
  );
  for (const state of EDITOR_STATES)
    for (const device of ['desktop', 'phone']) {
      const cell = (scheme, dir) =>
        `![${state} ${scheme} ${dir}](gallery/editor-${state}-${scheme}-${dir}-${device}.png)`;
      lines.push(
        `| ${state} | ${device} | ${cell('light', 'ltr')} | ${cell('dark', 'ltr')} | ${cell('light', 'rtl')} | ${cell('dark', 'rtl')} |`,
      );
    }
  lines.push(
    '',
    '## Visual regression baselines',
    '',
    '`npm run test:visual` compares these (a fixed scene in identify mode) with pixelmatch, 0.5 % of pixels tolerated.',
    '',
    '| list | list, dark, RTL | compact | stack, open |',
    '|---|---|---|---|',
    '| ![](gallery/baseline-list-light-ltr.png) | ![](gallery/baseline-list-dark-rtl.png) | ![](gallery/baseline-compact-light-ltr.png) | ![](gallery/baseline-stack-light-ltr.png) |',
    '',
  );
  return lines.join('\n');
}

const whatsup = whatsupServer({ statusLimit: 280 });
await whatsup.plugin.serverStart();
const command = (name, payload) => whatsup.plugin.executeCommand({ command: name, payload });
let html = pageHtml({ variant: '', dir: 'ltr', lang: 'en' });
const server = createServer(async (req, res) => {
  if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  const pack = /^\/locales\/([a-zA-Z-]+)\.bundle\.min\.js$/.exec(req.url ?? '');
  if (pack) {
    const file = fileURLToPath(
      new URL(`packages/presence-element/dist/locales/${pack[1]}.bundle.min.js`, root),
    );
    return res.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(file));
  }
  if (req.url === '/whatsup-presence.bundle.min.js') {
    return res.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(bundle));
  }
  whatsup.app()(req, res);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const joined = [];
async function room(size) {
  // `size` people in all, me included.
  while (joined.length < size - 1) {
    const [name, status] = PEOPLE[joined.length % PEOPLE.length];
    const n = Math.floor(joined.length / PEOPLE.length);
    joined.push(
      await command('whatsup-person', { name: n ? `${name.slice(0, 28)} ${n + 1}` : name, status }),
    );
  }
  while (joined.length > size - 1) await command('whatsup-person-leave', { id: joined.pop().id });
}

async function shot({
  variant = '',
  scheme = 'light',
  dir = 'ltr',
  device = 'desktop',
  size = 3,
  name,
  open = false,
  states = false,
  editor = '',
}) {
  const viewport = device === 'phone' ? { width: 375, height: 700 } : { width: 1280, height: 800 };
  html = pageHtml({
    variant,
    dir,
    lang: dir === 'rtl' ? 'ar' : 'en',
    attrs: states ? 'show-recent leave-grace="60"' : '',
  });
  const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 });
  const tab = await context.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  // Signed up through the API, then reloaded: the same for every variant (the stack keeps its form in a popover).
  await tab.evaluate(async () => {
    await fetch('/whatsup/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Ada Lovelace', status: 'Reviewing the presence PR ✍️' }),
    });
  });
  await tab.reload();
  await tab.waitForFunction(() => document.querySelector('whatsup-presence')?.ready?.then(() => true));
  await tab.waitForFunction((n) => document.querySelector('whatsup-presence').members.length === n, size, {
    timeout: 60_000,
  });
  await tab.waitForFunction(() =>
    document.querySelector('whatsup-presence').members.every((m) => m.updatedAt > 0),
  );
  if (open) await tab.click('whatsup-presence >> [part~="stack"]');
  let back;
  if (states) {
    // Dee's connection drops (back in 5 s, after the picture): greyed as "left just now".
    const dee = joined[2];
    back = command('whatsup-person-reload', { id: dee.id, afterMs: 5000 });
    await tab.waitForFunction(
      (id) => document.querySelector('whatsup-presence').shadowRoot.querySelector(`[data-id="${id}"].left`),
      dee.id,
    );
    await tab.click('whatsup-presence >> [part~="recent"] summary');
  }
  if (editor) {
    await tab.click('whatsup-presence >> [part~="me"] [part~="status"]');
    if (editor === 'picker') await tab.click('whatsup-presence >> [part~="emoji-button"]');
    else await tab.click('whatsup-presence >> [part~="preset"]');
  }
  await tab.waitForTimeout(300);
  const rowHeight = await tab.evaluate(() => {
    const row = document.querySelector('whatsup-presence').shadowRoot.querySelector('[part~="member"]');
    return row ? row.getBoundingClientRect().height : 0;
  });
  const path = `${outDir}${name}.png`;
  await tab.screenshot({ path });
  // A guest who signs out leaves no record: the next picture's Recently here has no earlier Ada.
  if (states)
    await tab.evaluate(() =>
      fetch('/whatsup/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
  await context.close();
  await back;
  console.log(`${path} (row ${rowHeight.toFixed(1)} px)`);
  return rowHeight;
}

async function editorShots() {
  await room(3);
  for (const editor of EDITOR_STATES)
    for (const scheme of ['light', 'dark'])
      for (const dir of ['ltr', 'rtl'])
        for (const device of ['desktop', 'phone'])
          await shot({ scheme, dir, device, editor, name: `editor-${editor}-${scheme}-${dir}-${device}` });
}

try {
  await mkdir(outDir, { recursive: true });
  if (before) {
    await room(3);
    for (const scheme of ['light', 'dark'])
      for (const device of ['desktop', 'phone'])
        await shot({ scheme, device, size: 3, name: `before-${scheme}-${device}` });
    await room(9);
    await shot({ device: 'phone', size: 9, name: 'before-light-phone-9' });
  } else if (editorOnly) {
    await editorShots();
  } else {
    const sizes = process.env.GALLERY_SIZES
      ? process.env.GALLERY_SIZES.split(',').map(Number)
      : [1, 3, 12, 200];
    for (const size of sizes.filter(Boolean)) {
      await room(size);
      for (const variant of ['list', 'compact', 'stack'])
        for (const scheme of ['light', 'dark'])
          for (const dir of ['ltr', 'rtl'])
            for (const device of ['desktop', 'phone']) {
              const name = `${variant}-${size}-${scheme}-${dir}-${device}`;
              await shot({ variant, scheme, dir, device, size, name });
              // The stack closed, and with its popover open.
              if (variant === 'stack')
                await shot({ variant, scheme, dir, device, size, name: `${name}-open`, open: true });
            }
    }
    // The editor first, on the plain room of three (the states below change who is away).
    await editorShots();
    // Presence states: Bo away, Chidi on do not disturb, Dee leaving, Gus recently here.
    await room(1);
    const gus = await command('whatsup-person', { name: 'Gus Grey', status: 'Gone for the day' });
    await command('whatsup-person-leave', { id: gus.id });
    await room(5);
    await command('whatsup-person-post', { id: joined[0].id, path: '/activity', body: { activity: 'away' } });
    await command('whatsup-person-post', {
      id: joined[1].id,
      path: '/availability',
      body: { availability: 'dnd' },
    });
    // The server has Gus's last seen after the realtime server's own leave grace (3 s).
    await new Promise((resolve) => setTimeout(resolve, 3500));
    for (const scheme of ['light', 'dark'])
      for (const dir of ['ltr', 'rtl'])
        for (const device of ['desktop', 'phone'])
          await shot({
            scheme,
            dir,
            device,
            size: 5,
            name: `states-${scheme}-${dir}-${device}`,
            states: true,
          });
    await writeFile(fileURLToPath(new URL('docs/gallery.md', root)), galleryPage());
  }
} finally {
  for (const p of joined) await command('whatsup-person-leave', { id: p.id });
  await browser.close();
  server.closeAllConnections();
  server.close();
  await whatsup.plugin.serverStop();
}
