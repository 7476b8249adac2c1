/* global document, window -- the waitForFunction and evaluate callbacks run in the page */
// `npm run screenshots` (after a build): PNGs of the panel in docs/gallery/, taken from the one-file
// bundle on a plain page against the real middleware and realtime server, and docs/gallery.md.
// A chosen set, not every combination: rooms of 1, 3, 60 and 200 people in every variant, light
// and dark, left to right and right to left (Arabic), desktop (1280 px) and phones (375 and 320
// px); the presence states, the status editor, a toast, the connection failing, the keyboard's
// focus, and a forced theme. Each picture is cropped to the panel (and whatever it opened).
//   GALLERY_ONLY=regex   only the pictures whose name matches (docs/gallery.md is left alone)
// PNGs are recompressed with optipng when it is installed (`apt-get install optipng`).
import { createServer } from 'node:http';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { whatsupServer } from '../packages/presence-element/test-support/whatsup-server.mjs';

const root = new URL('../', import.meta.url);
const bundle = fileURLToPath(new URL('packages/presence-element/dist/whatsup-presence.bundle.min.js', root));
const chunk = fileURLToPath(new URL('packages/presence-element/dist/whatsup-presence.pusher.min.js', root));
const editorChunk = fileURLToPath(
  new URL('packages/presence-element/dist/whatsup-presence.editor.min.js', root),
);
const outDir = fileURLToPath(new URL('docs/gallery/', root));
const only = process.env.GALLERY_ONLY ? new RegExp(process.env.GALLERY_ONLY) : null;
const DEVICES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 700 },
  small: { width: 320, height: 640 },
};
const SCHEMES = [
  ['light', 'ltr'],
  ['dark', 'ltr'],
  ['light', 'rtl'],
  ['dark', 'rtl'],
];

// Realistic people: long names, long statuses, emoji (alone too), an expiry, a URL, other scripts.
const PEOPLE = [
  ['Bo Lindqvist', 'In a meeting until 3', '📅', '1h'],
  ['Chidi Okonkwo-Abernathy', 'At lunch, back at 1:30', '🍕'],
  ['Dee', 'Deep work — ping only if urgent. Reviewing https://example.com/pulls/4711/files#diff-c3d4'],
  ['Maximiliane Wolfeschlegelstein', 'Travelling', '🛫', 'today'],
  ['李小龙', '在写文档'],
  ['Élodie', 'En réunion jusqu’à 16 h'],
  ['سارة', 'أعمل من المنزل اليوم', '🏠'],
  ['Kai', ''],
  [
    'Priya Raghunathan',
    'Pairing with Bo on the flaky e2e test, then onboarding the two new people who start today',
    '🎉',
  ],
  ['Tom', '', '☕'],
  ['Ana María de la Cruz', 'Out sick', '🤒'],
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

/** Every picture: [name, options]. */
function plan() {
  const shots = [];
  const add = (name, o) => shots.push([name, o]);
  for (const size of [1, 3, 60, 200])
    for (const [scheme, dir] of SCHEMES) add(`list-${size}-${scheme}-${dir}-desktop`, { size, scheme, dir });
  for (const size of [3, 60]) {
    for (const [scheme, dir] of SCHEMES)
      add(`list-${size}-${scheme}-${dir}-phone`, { size, scheme, dir, device: 'phone' });
    add(`list-${size}-light-ltr-small`, { size, device: 'small' });
    add(`list-${size}-dark-rtl-small`, { size, scheme: 'dark', dir: 'rtl', device: 'small' });
  }
  for (const size of [3, 60]) {
    for (const [scheme, dir] of SCHEMES)
      add(`compact-${size}-${scheme}-${dir}-desktop`, { size, scheme, dir, variant: 'compact' });
    add(`compact-${size}-light-ltr-small`, { size, variant: 'compact', device: 'small' });
  }
  for (const size of [3, 200]) {
    for (const [scheme, dir] of SCHEMES) {
      add(`stack-${size}-${scheme}-${dir}-desktop`, { size, scheme, dir, variant: 'stack' });
      add(`stack-${size}-${scheme}-${dir}-desktop-open`, { size, scheme, dir, variant: 'stack', open: true });
    }
    add(`stack-${size}-light-ltr-small-open`, { size, variant: 'stack', open: true, device: 'small' });
  }
  for (const editor of ['picker', 'preset'])
    for (const [scheme, dir] of SCHEMES)
      add(`editor-${editor}-${scheme}-${dir}-desktop`, { editor, scheme, dir });
  add('editor-picker-light-ltr-small', { editor: 'picker', device: 'small' });
  for (const scheme of ['light', 'dark'])
    for (const device of ['desktop', 'small'])
      add(`toast-${scheme}-${device}`, { toast: true, scheme, device });
  for (const failure of ['unreachable', 'dropped'])
    for (const scheme of ['light', 'dark']) add(`failure-${failure}-${scheme}`, { failure, scheme });
  for (const scheme of ['light', 'dark']) add(`keyboard-${scheme}`, { focus: true, scheme });
  add('theme-dark-on-light-page', { attrs: 'theme="dark"' });
  add('theme-light-on-dark-page', { attrs: 'theme="light"', scheme: 'dark' });
  return shots;
}

function galleryPage(shots) {
  const img = (name) => `![${name}](gallery/${name}.png)`;
  const has = new Set(shots.map(([name]) => name));
  const row = (cells) => `| ${cells.join(' | ')} |`;
  const table = (title, names) => {
    const present = names.filter((n) => has.has(n));
    if (!present.length) return [];
    return [
      `### ${title}`,
      '',
      row(present.map((n) => n.replace(/^[a-z]+-(\d+-)?/, ''))),
      row(present.map(() => '---')),
      row(present.map(img)),
      '',
    ];
  };
  const lines = [
    '# Gallery',
    '',
    '`npm run screenshots` (after `npm run build`) takes these from the one-file bundle on an unstyled page, against the real',
    'middleware and realtime server, signed in as Ada Lovelace with 0, 2, 59 or 199 other people (long names, long statuses,',
    'emoji and an emoji alone, expiries, a URL, unbroken strings, other scripts). Desktop is 1280×800, phones 375×700 and',
    '320×640; each picture is cropped to the panel. Right to left is `lang="ar" dir="rtl"` with the Arabic pack',
    "(`dist/locales/ar.bundle.min.js`); the people keep their own names and statuses. `light`/`dark` is the system's setting",
    '(`theme="auto"`), except in the last section.',
    '',
  ];
  for (const size of [1, 3, 60, 200]) {
    lines.push(`## ${size} ${size === 1 ? 'person' : 'people'}`, '');
    for (const variant of ['list', 'compact', 'stack'])
      for (const device of ['desktop', 'phone', 'small'])
        for (const open of ['', '-open']) {
          const names = SCHEMES.map(([s, d]) => `${variant}-${size}-${s}-${d}-${device}${open}`);
          names.push(
            `${variant}-${size}-light-ltr-${device}${open}`,
            `${variant}-${size}-dark-rtl-${device}${open}`,
          );
          lines.push(...table(`${variant}${open ? ', opened' : ''}, ${device}`, [...new Set(names)]));
        }
  }
  lines.push(
    '## Presence states',
    '',
    'Bo away (since the time he went, a moon), Chidi on do not disturb (a bar), Dee left a moment ago (a ring, greyed for the',
    'leave grace), and `show-recent` opened on Gus, who left a while before. The state is in words',
    'first on the status line: it is never cut; the status gives way.',
    '',
    ...table(
      'desktop',
      SCHEMES.map(([s, d]) => `states-${s}-${d}-desktop`),
    ),
    ...table('phone, 320 px', ['states-light-ltr-small', 'states-dark-rtl-small']),
    '## The status editor',
    '',
    "My status opened for editing (3 people): with the emoji picker open, and with the first of the site's presets chosen.",
    '',
    ...table('picker', [
      ...SCHEMES.map(([s, d]) => `editor-picker-${s}-${d}-desktop`),
      'editor-picker-light-ltr-small',
    ]),
    ...table(
      'preset',
      SCHEMES.map(([s, d]) => `editor-preset-${s}-${d}-desktop`),
    ),
    '## An announcement',
    '',
    ...table('toast', ['toast-light-desktop', 'toast-dark-desktop', 'toast-light-small', 'toast-dark-small']),
    '## The connection failing',
    '',
    'Never connected (the live server cannot be reached), and dropped after connecting (the list kept, marked as of when).',
    '',
    ...table('failure', [
      'failure-unreachable-light',
      'failure-unreachable-dark',
      'failure-dropped-light',
      'failure-dropped-dark',
    ]),
    '## The keyboard, and a forced theme',
    '',
    'The list has one tab stop; the arrow keys moved to the second row. Then `theme="dark"` on a light page and `theme="light"` on a dark one.',
    '',
    ...table('focus and theme', [
      'keyboard-light',
      'keyboard-dark',
      'theme-dark-on-light-page',
      'theme-light-on-dark-page',
    ]),
    '## Visual regression baselines',
    '',
    '`npm run test:visual` compares these (a fixed scene in identify mode) with pixelmatch, 0.5 % of pixels tolerated.',
    '',
    '| list | list, dark, RTL | compact | stack, open | list, dark, 320 px |',
    '|---|---|---|---|---|',
    '| ![](gallery/baseline-list-light-ltr.png) | ![](gallery/baseline-list-dark-rtl.png) | ![](gallery/baseline-compact-light-ltr.png) | ![](gallery/baseline-stack-light-ltr.png) | ![](gallery/baseline-list-dark-ltr-320.png) |',
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
  if (req.url === '/whatsup-presence.pusher.min.js') {
    // pusher-js, which the bundle imports from beside itself
    return res.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(chunk));
  }
  if (req.url === '/whatsup-presence.editor.min.js') {
    // the status editor, which it imports from there on first use
    return res.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(editorChunk));
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
    const [name, status, emoji, clearAfter] = PEOPLE[joined.length % PEOPLE.length];
    const n = Math.floor(joined.length / PEOPLE.length);
    const username = n ? `${name.slice(0, 28)} ${n + 1}` : name;
    // A name stays held for the realtime server's leave grace (3 s) after its person left.
    let user;
    for (let tries = 0; !user; tries++) {
      user = await command('whatsup-person', { name: username, status }).catch((err) => {
        if (tries > 10 || !String(err).includes('name.taken')) throw err;
        return new Promise((resolve) => setTimeout(resolve, 500));
      });
    }
    if (emoji || clearAfter)
      await command('whatsup-person-post', {
        id: user.id,
        path: '/status',
        body: { status, ...(emoji ? { emoji } : {}), ...(clearAfter ? { clearAfter } : {}) },
      });
    joined.push(user);
  }
  if (joined.length > size - 1) {
    while (joined.length > size - 1) await command('whatsup-person-leave', { id: joined.pop().id });
    // Names are held while their sessions live: sign the people who left out, for the next rooms.
    await command('whatsup-people-forget');
  }
}

const inPanel = (selector) => `whatsup-presence >> ${selector}`;

async function shot(
  name,
  { variant = '', scheme = 'light', dir = 'ltr', device = 'desktop', size = 3, attrs = '', ...o },
) {
  const viewport = DEVICES[device];
  const extra = o.states ? 'show-recent leave-grace="60"' : o.failure === 'unreachable' ? 'ws-port="9"' : '';
  html = pageHtml({ variant, dir, lang: dir === 'rtl' ? 'ar' : 'en', attrs: `${attrs} ${extra}` });
  const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 });
  const tab = await context.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  // Signed up through the API, then reloaded: the same for every variant (the stack keeps its form in a popover).
  await tab.evaluate(async () => {
    await fetch('/whatsup/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Ada Lovelace', status: 'Reviewing the presence PR' }),
    });
    await fetch('/whatsup/status', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'Reviewing the presence PR', emoji: '📝' }),
    });
  });
  await tab.reload();
  let back;
  if (o.failure === 'unreachable') {
    // Nothing listens on port 9: pusher-js gives the first try up after its unavailableTimeout (10 s).
    await tab.waitForFunction(
      () => document.querySelector('whatsup-presence')?.connectionState === 'unavailable',
      null,
      { timeout: 20_000 },
    );
  } else {
    await tab.waitForFunction(() => document.querySelector('whatsup-presence')?.ready?.then(() => true));
    await tab.waitForFunction((n) => document.querySelector('whatsup-presence').members.length === n, size, {
      timeout: 60_000,
    });
    await tab.waitForFunction(() =>
      document.querySelector('whatsup-presence').members.every((m) => m.updatedAt > 0),
    );
  }
  if (o.failure === 'dropped') {
    // Every new socket goes where nothing listens, then the server drops this one.
    await tab.evaluate(() => {
      const Real = window.WebSocket;
      window.WebSocket = class extends Real {
        constructor(_url, protocols) {
          super('ws://127.0.0.1:9/', protocols);
        }
      };
    });
    await command('whatsup-drop-all');
    await tab.waitForFunction(() =>
      document.querySelector('whatsup-presence').shadowRoot.querySelector('[part~="connection"]'),
    );
    await tab.waitForTimeout(1500);
  }
  if (o.open) await tab.click(inPanel('[part~="stack"]'));
  if (o.states) {
    // Dee's connection drops (back in 5 s, after the picture): greyed as "left just now".
    const dee = joined[2];
    back = command('whatsup-person-reload', { id: dee.id, afterMs: 5000 });
    await tab.waitForFunction(
      (id) => document.querySelector('whatsup-presence').shadowRoot.querySelector(`[data-id="${id}"].left`),
      dee.id,
    );
    await tab.click(inPanel('[part~="recent"] summary'));
  }
  if (o.editor) {
    await tab.click(inPanel('[part~="me"]'));
    if (o.editor === 'picker') await tab.click(inPanel('[part~="emoji-button"]'));
    else await tab.click(inPanel('[part~="preset"]'));
  }
  if (o.toast) {
    await command('whatsup-announce', {
      message: 'Lunch is served on the 3rd floor — come before the pasta is gone',
    });
    await tab.waitForSelector(inPanel('[part~="toast"]'));
  }
  if (o.focus) {
    await tab.focus(inPanel('[role="option"][tabindex="0"]'));
    await tab.keyboard.press('ArrowDown');
  }
  await tab.waitForTimeout(300);
  // Crop to the panel and whatever it opened (popover, editor, toasts), with a margin.
  const box = await tab.evaluate((full) => {
    const el = document.querySelector('whatsup-presence');
    const parts = [el, ...el.shadowRoot.querySelectorAll('.people, .pop, .toast')].filter((e) =>
      e.checkVisibility(),
    );
    const rects = parts.map((e) => e.getBoundingClientRect()).filter((r) => r.width && r.height);
    const b = {
      x: Math.min(...rects.map((r) => r.left)),
      y: Math.min(...rects.map((r) => r.top)),
      right: Math.max(...rects.map((r) => r.right)),
      bottom: Math.max(...rects.map((r) => r.bottom)),
    };
    const x = full ? 0 : Math.max(0, Math.floor(b.x) - 24);
    const y = Math.max(0, Math.floor(b.y) - 24);
    const right = full ? window.innerWidth : Math.min(window.innerWidth, Math.ceil(b.right) + 24);
    return { x, y, width: right - x, height: Math.min(window.innerHeight, Math.ceil(b.bottom) + 24) - y };
  }, device !== 'desktop');
  const path = `${outDir}${name}.png`;
  await tab.screenshot({ path, clip: box });
  // A guest who signs out leaves no record (the next picture's Recently here has no earlier Ada) and
  // frees the name: it is held while the session lives, so the next picture's Ada could not sign up.
  await tab.evaluate(() =>
    fetch('/whatsup/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }),
  );
  await context.close();
  await back;
  console.log(path);
  return path;
}

const taken = [];
try {
  await mkdir(outDir, { recursive: true });
  const shots = plan().filter(([name]) => !only || only.test(name));
  const stateShots = [
    ...SCHEMES.map(([scheme, dir]) => [`states-${scheme}-${dir}-desktop`, { scheme, dir }]),
    ['states-light-ltr-small', { device: 'small' }],
    ['states-dark-rtl-small', { scheme: 'dark', dir: 'rtl', device: 'small' }],
  ].filter(([name]) => !only || only.test(name));
  if (stateShots.length) {
    // Presence states first (no one else has left yet): Bo away, Chidi on do not disturb, Dee
    // leaving, Gus recently here. Then everyone is active again for the rooms.
    await room(1);
    await room(5);
    // Gus leaves last: the next person to join signs out those who left (their names are held
    // while their session lives), and Gus must stay a record with a last seen.
    const gus = await command('whatsup-person', { name: 'Gus Grey', status: 'Gone for the day' });
    await command('whatsup-person-leave', { id: gus.id });
    await command('whatsup-person-post', { id: joined[0].id, path: '/activity', body: { activity: 'away' } });
    await command('whatsup-person-post', {
      id: joined[1].id,
      path: '/availability',
      body: { availability: 'dnd' },
    });
    // The server has Gus's last seen after the realtime server's own leave grace (3 s).
    await new Promise((resolve) => setTimeout(resolve, 3500));
    for (const [name, o] of stateShots) taken.push(await shot(name, { ...o, size: 5, states: true }));
    await room(1);
  }
  // Fewest room changes: by size.
  for (const size of [1, 3, 60, 200]) {
    const here = shots.filter(([, o]) => (o.size ?? 3) === size);
    if (!here.length) continue;
    await room(size);
    for (const [name, o] of here) taken.push(await shot(name, o));
  }
  if (!only) {
    // The pictures of an earlier plan go: replaced, not multiplied.
    const keep = new Set([
      ...taken.map((p) => p.slice(outDir.length)),
      ...(await readdir(outDir)).filter((f) => f.startsWith('baseline-')),
    ]);
    for (const file of await readdir(outDir))
      if (file.endsWith('.png') && !keep.has(file)) await unlink(outDir + file);
    await writeFile(fileURLToPath(new URL('docs/gallery.md', root)), galleryPage([...plan(), ...stateShots]));
  }
  if (spawnSync('optipng', ['-version']).status === 0)
    spawnSync('optipng', ['-quiet', '-o2', ...taken], { stdio: 'inherit' });
} finally {
  for (const p of joined) await command('whatsup-person-leave', { id: p.id });
  await browser.close();
  server.closeAllConnections();
  server.close();
  await whatsup.plugin.serverStop();
}
