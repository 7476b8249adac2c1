// One connection per browser (issue 24): five tabs of one person in headless Chromium (one browser
// context) against the embedded server and the real middleware in their own process
// (embedded-server.mjs), the panel from the one-file bundle. Shared (the default) against
// `shared-connection="off"`, in turns: the server's connections in the channel (the HTTP API's
// subscription_count) and its memory after a full GC (heap, RSS), the five tabs' JS heap after a
// GC (CDP Performance.getMetrics), and, shared, the hand-over: the leader tab closed → another
// tab's socket told it is subscribed again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Pusher from 'pusher';
import { chromium } from 'playwright-core';
import { credentials, request, root, startEmbedded } from '../processes.mjs';
import { kb, ms, percentile, ratio } from '../stats.mjs';
import { CHROMIUM_ARGS } from './element.mjs';

export const title = 'One connection per browser: five tabs of one person, shared and not';
const CHANNEL = 'presence-whatsup-members';
const TABS = 5;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dist = join(root, 'packages', 'presence-element', 'dist');

export function available() {
  try {
    readFileSync(join(dist, 'whatsup-presence.bundle.min.js'));
    return '';
  } catch {
    return 'the element bundle is not built';
  }
}

const sleep = (t) => new Promise((resolve) => setTimeout(resolve, t));

async function until(check, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(25);
  }
}

export async function run({ quick, log }) {
  const server = await startEmbedded();
  // A page the route answered has no address of its own: Chromium's local network access checks
  // would refuse its WebSocket to 127.0.0.1 (the demo's own page is answered by the server).
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, '--disable-features=LocalNetworkAccessChecks'],
  });
  const origin = `http://127.0.0.1:${server.port}`;
  const api = new Pusher({ ...credentials, host: '127.0.0.1', port: String(server.port), useTLS: false });
  const subscriptions = async () => {
    const res = await api.get({ path: `/channels/${CHANNEL}`, params: { info: 'subscription_count' } });
    return (await res.json()).subscription_count ?? 0;
  };
  const serverMemory = async () => {
    const { usage } = await request(server.child, { type: 'memory' }, 'memory');
    return { heap: usage.heapUsed, rss: await server.rss() };
  };
  const files = {
    '/whatsup-presence.js': readFileSync(join(dist, 'whatsup-presence.bundle.min.js')),
    '/whatsup-presence.pusher.min.js': readFileSync(join(dist, 'whatsup-presence.pusher.min.js')),
  };

  /** Five tabs of a new person; `attrs` on the panel. Resolves once every tab is connected. */
  async function fiveTabs(attrs) {
    const context = await browser.newContext();
    await context.route(`${origin}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/')
        return route.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><script src="/whatsup-presence.js"></script><whatsup-presence auth-endpoint="/whatsup/usersystem/auth" channel="${CHANNEL}" ${attrs}></whatsup-presence>`,
        });
      if (files[path]) return route.fulfill({ contentType: 'text/javascript', body: files[path] });
      return route.continue();
    });
    const name = `Tabs${Math.random().toString(36).slice(2, 7)}`;
    const res = await context.request.post(`${origin}/whatsup/register`, {
      data: { username: name, status: 'bench' },
    });
    if (!res.ok()) throw new Error(`register ${res.status()}`);
    const tabs = [];
    for (let i = 0; i < TABS; i++) {
      const page = await context.newPage();
      const tab = { page, sockets: new Set(), subscribedAt: 0 };
      page.on('websocket', (ws) => {
        tab.sockets.add(ws);
        ws.on('close', () => tab.sockets.delete(ws));
        ws.on('framereceived', ({ payload }) => {
          if (String(payload).includes('pusher_internal:subscription_succeeded'))
            tab.subscribedAt = Date.now();
        });
      });
      await page.goto(origin);
      tabs.push(tab);
    }
    for (const { page } of tabs)
      await until(
        () =>
          page.evaluate(
            // runs in the page
            // eslint-disable-next-line no-undef
            () => document.querySelector('whatsup-presence')?.controller?.connectionState === 'connected',
          ),
        'every tab connected',
      );
    return { context, tabs };
  }

  /** The tabs' JS heap, summed, each after a GC. */
  async function tabsHeap(tabs) {
    let sum = 0;
    for (const { page } of tabs) {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('Performance.enable');
      const { metrics } = await cdp.send('Performance.getMetrics');
      sum += metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
      await cdp.detach();
    }
    return sum;
  }

  const rounds = quick ? 2 : 4;
  const result = { shared: [], off: [], handover: [] };
  try {
    const idle = await serverMemory();
    result.idle = idle;
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 ? ['off', 'shared'] : ['shared', 'off']) {
        const base = await serverMemory();
        const { context, tabs } = await fiveTabs(mode === 'off' ? 'shared-connection="off"' : '');
        await sleep(1000);
        const n = await subscriptions();
        const mem = await serverMemory();
        const heap = await tabsHeap(tabs);
        result[mode].push({
          subscriptions: n,
          serverHeap: mem.heap - base.heap,
          serverRss: mem.rss - base.rss,
          tabsHeap: heap,
        });
        log(
          `shared-connection ${mode}: ${n} connections, server heap ${kb(mem.heap)}, tabs' heap ${kb(heap)}`,
        );
        if (mode === 'shared') {
          const leader = tabs.find((t) => t.sockets.size > 0);
          const rest = tabs.filter((t) => t !== leader);
          const since = Date.now();
          await leader.page.close();
          await until(
            () => rest.some((t) => t.sockets.size > 0 && t.subscribedAt > since),
            'another tab leads',
          );
          const took = Math.max(...rest.map((t) => t.subscribedAt)) - since;
          result.handover.push(took);
          log(`shared-connection hand-over: ${took} ms`);
        }
        await context.close();
        await until(async () => (await subscriptions()) === 0, 'the channel empty again');
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  return result;
}

const median = (rows, key) =>
  percentile(
    rows.map((r) => r[key]),
    50,
  );

export function headline(r) {
  return [
    [
      `five tabs of one person: server connections, shared`,
      String(median(r.shared, 'subscriptions')),
      `not shared ${median(r.off, 'subscriptions')}`,
      ratio(median(r.shared, 'subscriptions'), median(r.off, 'subscriptions')),
      '',
      '',
    ],
    [
      'hand-over: leader tab closed → another tab subscribed again (p50)',
      ms(percentile(r.handover, 50)),
      '—',
      '',
      'issue 24: ≤ 2 s absolute',
      percentile(r.handover, 50) <= 2000 ? 'yes' : '**no**',
    ],
  ];
}

export function report(r) {
  const row = (what, key, fmt) =>
    `| ${what} | ${fmt(median(r.shared, key))} | ${fmt(median(r.off, key))} | ${ratio(median(r.shared, key), median(r.off, key))} |`;
  return [
    `${TABS} tabs of one person in one headless Chromium context, the panel from the one-file bundle, against the embedded server in its own process; shared (the default) and \`shared-connection="off"\` in turns, ${r.shared.length} rounds each; medians. Server memory after a full GC, read just before the tabs open and with them open (idle at the start: heap ${kb(r.idle.heap)}, RSS ${kb(r.idle.rss)}); the difference includes the person's session and record, and four connections of the embedded server are about 16 kB, so RSS (pages of 4 kB, the allocator's arenas) hardly tells them apart.`,
    '',
    '| five tabs | shared | not shared | shared ÷ not |',
    '|---|---|---|---|',
    row('server connections in the channel (HTTP API subscription_count)', 'subscriptions', String),
    row('server heap used: with the tabs open − just before they opened', 'serverHeap', kb),
    row('server RSS: with the tabs open − just before they opened', 'serverRss', kb),
    row("the tabs' JS heap, summed (CDP Performance.getMetrics after a GC)", 'tabsHeap', kb),
    '',
    `Hand-over (the leader tab closed → another tab's socket subscribed again): p50 ${ms(percentile(r.handover, 50))}, max ${ms(Math.max(...r.handover))} over ${r.handover.length} rounds (${r.handover.map((t) => `${t} ms`).join(', ')}).`,
  ];
}
