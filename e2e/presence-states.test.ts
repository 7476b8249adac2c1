// End-to-end (issues 13 and 14): a host app whose `member_removed` hook records last seen, and two
// people in separate browser contexts. A closed tab shows "Left just now", then after the grace
// "Recently here" with the last seen the hook saw; a reload within the grace is no leave and no
// join; an invisible person is absent from the other's list.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import express from 'express';
import session from 'express-session';
import { whatsup } from '@whatsup/express';
import { createRealtimeServer } from '@whatsup/realtime';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Panel } from './panel.js';
import { launch, waitFor } from './support.js';

const require = createRequire(import.meta.url);
// Longer than the embedded server's own leave grace (3 s), after which the hook has run.
const GRACE_S = 4;

interface PanelElement extends HTMLElement {
  me: { id: string } | null;
  controller: { count: number; away: boolean; recent: readonly { id: string; lastSeen?: number }[] };
}
/** The page's panel (runs in the browser: page.evaluate serializes the callers, not this). */
declare function panelOf(): PanelElement;

const page = (
  attrs: string,
) => `<!doctype html><html lang="en"><meta charset="utf-8"><title>presence states</title>
<script src="/whatsup-presence.js"></script>
<whatsup-presence auth-endpoint="/whatsup/usersystem/auth" channel="presence-whatsup-members" ${attrs}></whatsup-presence>
<script>
  window.panelOf = () => document.querySelector('whatsup-presence');
  window.events = [];
  for (const type of ['whatsup-member-joined', 'whatsup-member-left'])
    document.addEventListener(type, (e) => window.events.push([type, e.detail.member.name]));
</script>`;

describe('presence states end to end (host app with hooks)', () => {
  let browser: Browser;
  let base: string;
  let close: () => Promise<void>;
  const removed: { userId: string; lastSeen: number | undefined }[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    const app = express();
    const server = createServer(app);
    const realtime = createRealtimeServer({ appId: 'app-id', key: 'app-key', secret: 'app-secret', server });
    app.use(session({ secret: 'presence states', resave: false, saveUninitialized: false }));
    const router = whatsup({ publisher: realtime });
    // The host app's own hook: what issue 13 is for.
    router.on('member_removed', ({ userId, user }) => {
      removed.push({ userId, lastSeen: user?.lastSeen });
    });
    app.use('/whatsup', router);
    app.get('/whatsup-presence.js', (_req, res) => {
      res.sendFile(require.resolve('@whatsup/presence/bundle'));
    });
    app.get('/whatsup-presence.pusher.min.js', (_req, res) => {
      res.sendFile(require.resolve('@whatsup/presence/bundle.pusher'));
    });
    app.get('/', (req, res) => {
      const attrs = String(req.query['attrs'] ?? `leave-grace="${GRACE_S}" show-recent`);
      res.type('html').send(page(attrs.replace(/[<>]/g, '')));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    close = async () => {
      await realtime.close();
      server.closeAllConnections();
      server.close();
    };
    browser = await launch();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await close?.();
  });

  async function person(name: string, path = '/') {
    const context = await browser.newContext();
    contexts.push(context);
    const tab = await context.newPage();
    await tab.goto(base + path);
    const panel = new Panel(tab);
    await panel.signUp(name, '');
    await panel.me.waitFor();
    const id = await tab.evaluate(() => panelOf().me!.id);
    return { context, page: tab, panel, id };
  }

  const label = (tab: Page, id: string) =>
    tab
      .locator(`whatsup-presence [part~="list"] > [data-id="${id}"] [part~="presence"]`)
      .textContent({ timeout: 100 })
      .catch(() => null);
  const events = (tab: Page) => tab.evaluate(() => (window as unknown as { events: string[][] }).events);

  it('should show a closed tab as "Left just now", then in Recently here with the last seen the hook recorded', async () => {
    const ann = await person('Ann');
    const bea = await person('Bea');
    await waitFor(async () => (await ann.panel.names()).includes('Bea'));
    await ann.page.close();
    await waitFor(
      async () => (await label(bea.page, ann.id)) === 'Left just now',
      10_000,
      () => 'Bea sees Ann greyed',
    );
    assert.deepEqual(await events(bea.page), [], 'no leave event during the grace');
    assert.match(
      (await bea.page.locator('whatsup-presence #list-title').textContent()) ?? '',
      /^1 person online$/,
    );
    await waitFor(
      async () =>
        !(await bea.page.locator(`whatsup-presence [part~="list"] > [data-id="${ann.id}"]`).count()),
      (GRACE_S + 6) * 1000,
      () => 'the row goes after the grace',
    );
    assert.deepEqual(await events(bea.page), [['whatsup-member-left', 'Ann']]);
    // The host app's hook ran, with last seen, once.
    const hooked = removed.filter((r) => r.userId === ann.id);
    assert.equal(hooked.length, 1);
    assert.equal(typeof hooked[0]!.lastSeen, 'number');
    // Bea's Recently here: Ann, with the same last seen, "Left …".
    const recent = bea.page.locator('whatsup-presence [part~="recent"]');
    await recent.locator('summary').waitFor();
    assert.match((await recent.locator('summary').textContent()) ?? '', /^Recently here \(1\)$/);
    await recent.locator('summary').click();
    const row = recent.locator(`[data-id="${ann.id}"]`);
    assert.match((await row.locator('[part~="presence"]').textContent()) ?? '', /^Left /);
    assert.equal(
      await bea.page.evaluate((id) => panelOf().controller.recent.find((m) => m.id === id)?.lastSeen, ann.id),
      hooked[0]!.lastSeen,
    );
  });

  it('should show the other browser no leave and no join for a reload within the grace', async () => {
    const cal = await person('Cal');
    const dee = await person('Dee');
    await waitFor(async () => (await dee.panel.names()).includes('Cal'));
    await cal.page.reload();
    await cal.panel.me.waitFor();
    await waitFor(
      async () => (await label(dee.page, cal.id)) === null,
      10_000,
      () => 'Cal restored',
    );
    await new Promise((r) => setTimeout(r, GRACE_S * 1000));
    assert.deepEqual(await events(dee.page), []);
    assert.deepEqual(await dee.panel.names(), ['Dee', 'Cal']);
    assert.deepEqual(
      removed.filter((r) => r.userId === cal.id),
      [],
      'no member_removed hook either',
    );
  });

  it('should keep a person active while one of their tabs has input, and show them away once none has', async () => {
    const attrs = encodeURIComponent(`idle-after="1" leave-grace="${GRACE_S}"`);
    const gil = await person('Gil', `/?attrs=${attrs}`);
    const second = await gil.context.newPage();
    await second.goto(`${base}/?attrs=${attrs}`);
    await new Panel(second).me.waitFor();
    const hal = await person('Hal');
    const away = () =>
      hal.page
        .locator(`whatsup-presence [part~="list"] > [data-id="${gil.id}"]`)
        .evaluate((li) => li.classList.contains('away'));
    // Real input (CDP mouse events) in Gil's second tab only; the first has none.
    let x = 0;
    const moving = setInterval(() => void second.mouse.move(10 + (x++ % 50), 10).catch(() => {}), 200);
    try {
      await new Promise((r) => setTimeout(r, 4000));
      assert.equal(await away(), false, 'one tab with input: Gil is active');
      assert.equal(await gil.page.evaluate(() => panelOf().controller.away), false, 'the idle tab agrees');
    } finally {
      clearInterval(moving);
    }
    await waitFor(away, 10_000, () => 'Hal sees Gil away once no tab has input');
    assert.match((await label(hal.page, gil.id)) ?? '', /^Away since /);
  });

  it("should leave an invisible person out of the other browser's list, while they still see everyone", async () => {
    const eve = await person('Eve');
    const fay = await person('Fay');
    await waitFor(async () => (await fay.panel.names()).includes('Eve'));
    const status = await eve.page.evaluate(async () => {
      const res = await fetch('/whatsup/availability', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ availability: 'invisible' }),
      });
      return res.status;
    });
    assert.equal(status, 200);
    // Eve's page reconnects anonymously: she still sees Fay, and herself as Invisible.
    await waitFor(
      async () =>
        (await eve.page.locator('whatsup-presence [part~="me"] [part~="presence"]').textContent()) ===
          'Invisible' && (await eve.panel.names()).includes('Fay'),
      10_000,
      () => 'Eve sees Fay, and herself invisible',
    );
    await waitFor(
      async () => !(await fay.page.locator(`whatsup-presence [data-id="${eve.id}"]`).count()),
      (GRACE_S + 6) * 1000,
      () => 'Eve gone from Fay after the grace',
    );
    assert.deepEqual(await fay.panel.names(), ['Fay']);
    assert.equal(await fay.page.evaluate(() => panelOf().controller.count), 1);
    // Nothing of Eve's anonymous membership reaches Fay's page, nor Recently here.
    const ids = await fay.page.evaluate(() =>
      Array.from(panelOf().shadowRoot!.querySelectorAll('[data-id]'), (li) => li.getAttribute('data-id')),
    );
    assert.ok(!ids.some((id) => id === eve.id || id?.startsWith('hidden-')), ids.join());
  });
});
