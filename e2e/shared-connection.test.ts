// One connection per browser (issue 24), end to end on examples/basic: five real tabs of one person
// (one browser context) share the leader tab's WebSocket, counted by the realtime server's HTTP API
// (the channel's subscription_count); another person sees them once; the leader tab closed,
// crashed, frozen or hidden hands over to another tab, and the other person sees no leave or join.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Pusher from 'pusher';
import { chromium, type Browser, type BrowserContext, type Page, type WebSocket } from 'playwright-core';
import { Panel } from './panel.js';
import { launch, startExample, waitFor, type RunningExample } from './support.js';

const CHANNEL = 'presence-whatsup-members';
const TABS = 5;

/** A tab, and the realtime WebSockets its page has open (the leader has one, a follower none). */
interface Tab {
  page: Page;
  panel: Panel;
  sockets: Set<WebSocket>;
  /** When this tab's socket was last told it is subscribed (performance-free wall clock, ms). */
  subscribedAt: number;
}

describe('one connection per browser, end to end', () => {
  let example: RunningExample;
  let browser: Browser;
  let api: Pusher;
  const contexts: BrowserContext[] = [];

  before(async () => {
    example = await startExample('basic');
    browser = await launch();
    api = new Pusher({
      appId: 'app-id',
      key: 'app-key',
      secret: 'app-secret',
      host: '127.0.0.1',
      port: String(example.port),
      useTLS: false,
    });
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await example?.stop();
  });

  /** The server's own count of the channel: subscriptions (one per connection in it) and people. */
  async function channel(): Promise<{ subscriptions: number; users: number }> {
    const res = await api.get({
      path: `/channels/${CHANNEL}`,
      params: { info: 'subscription_count,user_count' },
    });
    const body = (await res.json()) as { subscription_count?: number; user_count?: number };
    return { subscriptions: body.subscription_count ?? 0, users: body.user_count ?? 0 };
  }

  async function tab(context: BrowserContext): Promise<Tab> {
    const page = await context.newPage();
    const t: Tab = { page, panel: new Panel(page), sockets: new Set(), subscribedAt: 0 };
    page.on('websocket', (ws) => {
      if (!ws.url().includes('/app/')) return;
      t.sockets.add(ws);
      ws.on('close', () => t.sockets.delete(ws));
      ws.on('framereceived', ({ payload }) => {
        if (String(payload).includes('pusher_internal:subscription_succeeded')) t.subscribedAt = Date.now();
      });
    });
    await page.goto(example.url);
    return t;
  }

  const state = (t: Tab) =>
    t.page.evaluate(() => {
      const el = document.querySelector('whatsup-presence') as unknown as {
        controller: { state: string; connectionState: string };
      };
      return `${el.controller.state} ${el.controller.connectionState}`;
    });

  /** Five tabs of one person (the first signs up, so it leads) and another person in another browser. */
  async function fiveTabsAndBo() {
    const ada = `Ada${Math.random().toString(36).slice(2, 6)}`;
    const bo = `Bo${Math.random().toString(36).slice(2, 6)}`;
    const context = await browser.newContext();
    contexts.push(context);
    const first = await tab(context);
    await first.panel.signUp(ada, 'in five tabs');
    const tabs = [first];
    for (let i = 1; i < TABS; i++) tabs.push(await tab(context));
    const boContext = await browser.newContext();
    contexts.push(boContext);
    const boTab = await tab(boContext);
    await boTab.panel.signUp(bo, 'elsewhere');
    for (const t of tabs) await waitFor(async () => (await state(t)) === 'signed-in connected', 15_000);
    await waitFor(
      async () => (await channel()).subscriptions === 2,
      15_000,
      () => 'two connections in the channel: one for five tabs of Ada, one for Bo',
    );
    return { ada, bo, tabs, boTab };
  }

  /** Counts the member-joined and member-left events Bo's panel fires about `name`. */
  async function watchJoinsAndLeaves(boTab: Tab, name: string) {
    await boTab.page.evaluate((who) => {
      const w = window as unknown as { seen: string[] };
      w.seen = [];
      const el = document.querySelector('whatsup-presence')!;
      for (const type of ['whatsup-member-joined', 'whatsup-member-left'])
        el.addEventListener(type, (e) => {
          if ((e as CustomEvent<{ member: { name: string } }>).detail.member.name === who) w.seen.push(type);
        });
    }, name);
    return () => boTab.page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  }

  const leaderOf = (tabs: Tab[]) => tabs.filter((t) => t.sockets.size > 0);

  /**
   * After the leader went: another tab leads, subscribed anew, and Bo's next status reaches every
   * tab. `subscriptions`: the channel's count then (a frozen leader's socket is still open).
   */
  async function liveAgain(tabs: Tab[], bo: Tab, since: number, what: string, subscriptions = 2) {
    await waitFor(
      () => leaderOf(tabs).length === 1 && leaderOf(tabs)[0]!.subscribedAt > since,
      15_000,
      () => `another tab leads after ${what}`,
    );
    const ms = leaderOf(tabs)[0]!.subscribedAt - since;
    for (const t of tabs) await waitFor(async () => (await state(t)) === 'signed-in connected', 15_000);
    await waitFor(
      async () => (await channel()).subscriptions === subscriptions,
      15_000,
      () => `${subscriptions - 1} connection(s) of Ada`,
    );
    const status = `after ${what}`;
    await bo.panel.editStatusByKeyboard(status);
    for (const t of tabs)
      await waitFor(
        async () => (await t.panel.rows()).some((r) => r.status === status),
        15_000,
        () => `Bo's "${status}" in every tab`,
      );
    console.log(`hand-over after ${what}: subscribed again in another tab ${ms} ms later`);
    return ms;
  }

  it('five tabs of one person: one connection on the server, one member for the other person, the same list everywhere; logout in one signs every tab out', async () => {
    const { ada, bo, tabs, boTab } = await fiveTabsAndBo();
    assert.deepEqual(await channel(), { subscriptions: 2, users: 2 });
    assert.equal(leaderOf(tabs).length, 1, 'one tab holds the WebSocket');
    assert.equal(tabs[0]!.sockets.size, 1, 'the first tab leads');
    assert.deepEqual(
      (await boTab.panel.names()).filter((n) => n === ada),
      [ada],
      'Bo sees Ada once',
    );
    await boTab.panel.editStatusByKeyboard('seen in five tabs');
    for (const t of tabs) {
      await waitFor(async () => (await t.panel.rows()).some((r) => r.status === 'seen in five tabs'), 15_000);
      assert.deepEqual(await t.panel.names(), [ada, bo], 'every tab shows the same list');
    }
    await tabs[3]!.panel.signOut();
    for (const t of tabs) await t.panel.form.waitFor({ timeout: 15_000 });
    await waitFor(
      async () => (await channel()).users === 1,
      15_000,
      () => 'Ada gone from the channel',
    );
  });

  it('the leader tab closed: another tab is live again, the other person sees no leave and no join', async () => {
    const { ada, tabs, boTab } = await fiveTabsAndBo();
    const seen = await watchJoinsAndLeaves(boTab, ada);
    const [leader] = leaderOf(tabs);
    const rest = tabs.filter((t) => t !== leader);
    const since = Date.now();
    await leader!.page.close();
    await liveAgain(rest, boTab, since, 'the leader tab closed');
    assert.deepEqual(await seen(), [], 'no leave and no join for Ada in Bo\u2019s panel');
    assert.ok((await boTab.panel.names()).includes(ada));
  });

  it('the leader tab crashed (renderer killed): another tab is live again, no leave and no join', async () => {
    const { ada, tabs, boTab } = await fiveTabsAndBo();
    const seen = await watchJoinsAndLeaves(boTab, ada);
    const [leader] = leaderOf(tabs);
    const rest = tabs.filter((t) => t !== leader);
    const cdp = await leader!.page.context().newCDPSession(leader!.page);
    const since = Date.now();
    // The renderer dies: no pagehide, no close frame; the browser releases its lock.
    // (Its answer never comes: the page is gone.)
    void cdp.send('Page.crash').catch(() => {});
    await liveAgain(rest, boTab, since, 'the leader tab crashed');
    assert.deepEqual(await seen(), [], 'no leave and no join for Ada in Bo\u2019s panel');
  });

  it('the leader tab stuck (no JavaScript runs, as when frozen): a visible tab takes over; back, the old leader follows', async () => {
    const { ada, tabs, boTab } = await fiveTabsAndBo();
    const seen = await watchJoinsAndLeaves(boTab, ada);
    const [leader] = leaderOf(tabs);
    const rest = tabs.filter((t) => t !== leader);
    // CDP's Page.setWebLifecycleState('frozen') does nothing to a visible page, and headless
    // Chromium's pages are all visible; a busy main thread is what a frozen tab looks like to the
    // others: no beat, its lock held, its socket open (the browser answers the server's pings).
    const since = Date.now();
    void leader!.page
      .evaluate(() => {
        const until = Date.now() + 8000;
        while (Date.now() < until);
      })
      .catch(() => {});
    await liveAgain(rest, boTab, since, 'the leader tab got stuck', 3);
    await waitFor(
      () => leader!.sockets.size === 0,
      20_000,
      () => 'back, the old leader closed its socket',
    );
    await waitFor(
      async () => (await channel()).subscriptions === 2,
      15_000,
      () => 'one connection of Ada',
    );
    assert.equal(leaderOf(tabs).length, 1);
    for (const t of tabs) await waitFor(async () => (await state(t)) === 'signed-in connected', 15_000);
    await boTab.panel.editStatusByKeyboard('after the thaw');
    await waitFor(
      async () => (await leader!.panel.rows()).some((r) => r.status === 'after the thaw'),
      15_000,
    );
    assert.deepEqual(await seen(), [], 'no leave and no join for Ada in Bo\u2019s panel');
  });

  it('the leader tab hidden while another is visible: the visible tab takes over, with no gap', async () => {
    const { ada, tabs, boTab } = await fiveTabsAndBo();
    const seen = await watchJoinsAndLeaves(boTab, ada);
    const [leader] = leaderOf(tabs);
    const rest = tabs.filter((t) => t !== leader);
    // Headless Chromium shows every page (bringToFront and a minimized window leave them visible),
    // so the leader's page is told it is hidden as a browser would tell it.
    const since = Date.now();
    await leader!.page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitFor(
      () => leaderOf(rest).length === 1 && leader!.sockets.size === 0,
      30_000,
      () => 'a visible tab leads and the hidden one closed its socket',
    );
    const ms = leaderOf(rest)[0]!.subscribedAt - since;
    console.log(`hand-over from a hidden leader: subscribed in a visible tab ${ms} ms after it was hidden`);
    await liveAgain(tabs, boTab, since, 'the leader tab was hidden');
    assert.deepEqual(await seen(), [], 'no leave and no join for Ada in Bo\u2019s panel');
  });

  it('the leader tab into the back-forward cache: another leads; back, it follows', async () => {
    // playwright-core turns the back-forward cache off; this test's browser has it on.
    const bfBrowser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
      ignoreDefaultArgs: ['--disable-back-forward-cache'],
    });
    try {
      const context = await bfBrowser.newContext();
      const ada = `Ada${Math.random().toString(36).slice(2, 6)}`;
      const first = await tab(context);
      await first.panel.signUp(ada, 'back and forth');
      const second = await tab(context);
      for (const t of [first, second])
        await waitFor(async () => (await state(t)) === 'signed-in connected', 15_000);
      assert.equal(first.sockets.size, 1, 'the first tab leads');
      await first.page.evaluate(() => ((window as unknown as { kept: number }).kept = 1));
      const since = Date.now();
      await first.page.goto(`${example.url}whatsup/config`);
      await waitFor(
        () => second.sockets.size === 1 && second.subscribedAt > since,
        15_000,
        () => 'the second tab leads',
      );
      console.log(`hand-over into the back-forward cache: ${second.subscribedAt - since} ms`);
      // A page restored from the cache fires no load event.
      await first.page.goBack({ waitUntil: 'commit' });
      const restored = await first.page.evaluate(() => (window as unknown as { kept?: number }).kept === 1);
      assert.ok(restored, 'restored from the back-forward cache (the page kept its state)');
      await waitFor(async () => (await state(first)) === 'signed-in connected', 15_000);
      await waitFor(
        async () => (await channel()).subscriptions === 1,
        15_000,
        () => 'one connection of Ada',
      );
      // (The page's old socket, closed as it went into the cache, may still be listed by playwright.)
      const locks = await first.page.evaluate(async () => {
        const { held = [], pending = [] } = await navigator.locks.query();
        return { held: held.length, pending: pending.length };
      });
      assert.deepEqual(locks, { held: 1, pending: 1 }, 'one leads, the other waits in the queue again');
      await second.panel.editStatusByKeyboard('seen after coming back');
      await waitFor(
        async () => (await first.panel.rows()).some((r) => r.status === 'seen after coming back'),
        15_000,
        () => 'the restored tab hears the leader',
      );
    } finally {
      await bfBrowser.close();
    }
  });
});
