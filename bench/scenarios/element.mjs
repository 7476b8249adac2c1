// 5. The element in headless Chromium with 1,000 and 10,000 members, no network: bench/element/fake-network.js
// answers fetch() and plays the Pusher server on an in-page WebSocket, so members and status
// changes arrive as real protocol frames through pusher-js into the element. Baseline: a bare
// LitElement rendering N plain <li> in the same page (bench/element/lit-baseline.js), same N, same run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { chromium } from 'playwright-core';
import { here, root } from '../processes.mjs';
import { ms, ratio, target } from '../stats.mjs';

export const title = 'Element (headless Chromium, 1,000 and 10,000 members)';
const BUNDLE = 'packages/presence-element/dist/whatsup-presence.bundle.esm.min.js';
const CHUNK = 'packages/presence-element/dist/whatsup-presence.pusher.min.js';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ORIGIN = 'http://whatsup.bench';

export function available() {
  if (!existsSync(join(root, BUNDLE))) return `${BUNDLE} is not built (npm run build)`;
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;
  return '';
}

async function litBaseline() {
  const build = await rollup({ input: join(here, 'element', 'lit-baseline.js'), plugins: [nodeResolve()] });
  const { output } = await build.generate({ format: 'iife' });
  await build.close();
  return output[0].code;
}

export function sizes({ quick }) {
  return quick ? [1000] : [1000, 10_000];
}

export async function run(ctx) {
  const results = [];
  for (const n of sizes(ctx)) {
    const r = await runOne(n, ctx);
    ctx.log(`element ${n}: ${JSON.stringify(r)}`);
    results.push(r);
  }
  return results;
}

async function runOne(N, { log }) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (err) => log(`page error: ${err.message}`));
    // Everything the page asks for is answered here, before it reaches any network.
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) return route.abort();
      if (url.pathname === '/') {
        return route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><html><head></head><body></body></html>',
        });
      }
      if (url.pathname === '/whatsup/usersystem/auth') {
        // pusher-js's XHR: the signature is not checked by the in-page server, channel_data is.
        const channelData = JSON.stringify({
          user_id: 'id-0',
          user_info: { name: 'Person 0000', status: 'status 0' },
        });
        return route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify({ auth: `app-key:${'0'.repeat(64)}`, channel_data: channelData }),
        });
      }
      if (url.pathname === `/${CHUNK.split('/').pop()}`) {
        // pusher-js, which the bundle imports from beside itself (here: an inline module, the page's URL)
        return route.fulfill({
          contentType: 'text/javascript',
          body: readFileSync(join(root, CHUNK), 'utf8'),
        });
      }
      return route.fulfill({ status: 404, body: 'not found' });
    });
    await page.addInitScript({ content: readFileSync(join(here, 'element', 'fake-network.js'), 'utf8') });
    await page.goto(`${ORIGIN}/`);
    await page.addScriptTag({ content: await litBaseline() });
    await page.addScriptTag({ content: readFileSync(join(root, BUNDLE), 'utf8'), type: 'module' });
    await page.waitForFunction(
      () =>
        globalThis.customElements.get('whatsup-presence') && globalThis.customElements.get('bench-lit-list'),
    );
    const source = readFileSync(join(here, 'element', 'page.js'), 'utf8');
    const fn = source.slice(source.indexOf('async (N)')).replace(/;\s*$/, '');
    return await page.evaluate(`(${fn})(${N})`);
  } finally {
    await browser.close();
  }
}

/** Lines for the summary at the top of BENCHMARKS.md, with issue 15's targets. */
export function headline(results) {
  const lines = [];
  for (const r of results) {
    const at = r.n.toLocaleString('en-US');
    const big = r.n >= 10_000;
    lines.push(
      [
        `element, first render of ${at} (with statuses)`,
        ms(r.element.render),
        `bare Lit list ${ms(r.baseline.render)}`,
        ratio(r.element.render, r.baseline.render),
        ...target(r.element.render, r.baseline.render, 'max', big ? 1.0 : 1.5),
      ],
      big
        ? [
            `element, one status change in ${at}`,
            ms(r.element.one),
            "the issue's bound 5.00 ms",
            ratio(r.element.one, 5),
            ...target(r.element.one, 5, 'max', 1.0),
          ]
        : [
            `element, one status change in ${at}`,
            ms(r.element.one),
            `bare Lit list ${ms(r.baseline.one)}`,
            ratio(r.element.one, r.baseline.one),
            ...target(r.element.one, r.baseline.one, 'max', 2.0),
          ],
    );
  }
  return lines;
}

export function report(results) {
  const lines = [];
  for (const r of results) {
    const at = r.n.toLocaleString('en-US');
    const row = (label, key) =>
      `| ${label} | ${ms(r.element[key])} | ${ms(r.baseline[key])} | ${ratio(r.element[key], r.baseline[key])} |`;
    lines.push(
      `| ${at} members | \`<whatsup-presence>\` | baseline: bare LitElement with ${at} plain \`<li>\` | ratio |`,
      '|---|---|---|---|',
      `| first render: rows on screen (median of ${r.rounds.render}) | ${ms(r.element.rowsShown)} | ${ms(r.baseline.render)} | ${ratio(r.element.rowsShown, r.baseline.render)} |`,
      row(`first render: … and the statuses from \`GET /members\` applied`, 'render'),
      row(`one status change (median of ${r.rounds.one})`, 'one'),
      row(`100 status changes in a burst (median of ${r.rounds.burst})`, 'burst'),
      row(`a member joins (median of ${r.rounds.join})`, 'join'),
      row(`that member leaves (median of ${r.rounds.join})`, 'leave'),
      '',
      `Rows in the element's DOM after the first render: ${r.rows.toLocaleString('en-US')} of ${at} (fewer when it renders only the visible ones).`,
      '',
    );
  }
  lines.push(
    "The element runs its real code path with no network: `bench/element/fake-network.js` answers its `fetch()` calls and plays the Pusher server on an in-page WebSocket, so the members arrive as a `pusher_internal:subscription_succeeded` frame followed by `GET /members`, changes as `status-updated` frames, joins and leaves as `pusher_internal:member_added` / `member_removed`, all through pusher-js. Each time runs from a `performance.mark` just before the frame is delivered to the moment the DOM shows the result with layout done, checked in the DOM: every row present — or, once the element renders only the visible rows, rows carrying `aria-setsize` of the whole list; the changed status text present; the joined member's row present (it is named to sort first, so it is on screen), then gone. Status changes go to members the element has on screen. First render is given twice: until the rows are on screen (after the frame), and until they show the statuses of `GET /members`, which the element asks for right after the frame; the baseline gets its list in one step. The baseline is the least Lit can do with the same N: one LitElement rendering every member as a plain `<li>`, not virtualized, unsorted (a join appends, a leave filters). The element and the baseline take turns at every step (both lists stay in the page during the changes), so a noisy moment hits both alike.",
  );
  return lines;
}
