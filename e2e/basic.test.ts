// End-to-end: three people, three browser contexts, examples/basic started as `npm start` starts it.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Panel } from './panel.js';
import {
  launch,
  root,
  run,
  startExample,
  startProxy,
  waitFor,
  type Proxy,
  type RunningExample,
} from './support.js';

describe('examples/basic end to end', () => {
  let example: RunningExample;
  let proxy: Proxy;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    example = await startExample('basic');
    proxy = await startProxy(example.port);
    browser = await launch();
  });

  // Close every person after each test, passed or failed, so no one lingers into the next.
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await example?.stop();
  });

  /** A new person: a fresh browser context (own cookies) with the demo page open. */
  async function person(base = example.url): Promise<{ context: BrowserContext; page: Page; panel: Panel }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(base);
    const panel = new Panel(page);
    return { context, page, panel };
  }

  async function openTab(context: BrowserContext, base = example.url) {
    const page = await context.newPage();
    await page.goto(base);
    return { page, panel: new Panel(page) };
  }

  async function expectRows(panel: Panel, expected: Record<string, string>, message = '') {
    await waitFor(
      async () => JSON.stringify(toMap(await panel.rows())) === JSON.stringify(sorted(expected)),
      10_000,
      () => `${message} expected ${JSON.stringify(expected)}`,
    ).catch(async (err) => {
      throw new Error(`${err.message}; shown: ${JSON.stringify(await panel.rows())}`);
    });
  }

  it('should let A and B sign up and see each other with the right status', async () => {
    const a = await person();
    await a.panel.signUp('Ann', 'writing the quarterly report');
    const b = await person();
    await b.panel.signUp('Bo', 'on a call until 3');
    await expectRows(a.panel, { Ann: 'writing the quarterly report', Bo: 'on a call until 3' }, 'A sees B');
    await expectRows(b.panel, { Ann: 'writing the quarterly report', Bo: 'on a call until 3' }, 'B sees A');
    assert.equal((await a.panel.rows())[0]!.name, 'Ann', 'me first');
    assert.equal((await b.panel.rows())[0]!.name, 'Bo', 'me first');
    await Promise.all([a.context.close(), b.context.close()]);
  });

  it('should show a keyboard status edit to B live and to C who joins afterwards', async () => {
    const a = await person();
    await a.panel.signUp('Ada', 'at my desk');
    const b = await person();
    await b.panel.signUp('Ben', 'coffee');
    await expectRows(b.panel, { Ada: 'at my desk', Ben: 'coffee' });
    await a.panel.editStatusByKeyboard('in the lab, back at 4');
    await expectRows(b.panel, { Ada: 'in the lab, back at 4', Ben: 'coffee' }, 'B sees the new status');
    const c = await person();
    await c.panel.signUp('Cy', 'just arrived');
    await expectRows(
      c.panel,
      { Ada: 'in the lab, back at 4', Ben: 'coffee', Cy: 'just arrived' },
      'C sees current',
    );
    // The README's picture: rewritten only on request (UPDATE_BASELINES=1, as for the visual
    // baselines), so a test run leaves the working tree clean; otherwise taken to a temp file.
    const shot = process.env.UPDATE_BASELINES
      ? join(root, 'docs', 'demo.png')
      : join(mkdtempSync(join(tmpdir(), 'whatsup-demo-')), 'demo.png');
    mkdirSync(dirname(shot), { recursive: true });
    await c.page.locator('whatsup-presence').screenshot({ path: shot });
    await Promise.all([a.context.close(), b.context.close(), c.context.close()]);
  });

  it('should keep one row for a person with two tabs, and remove it when both close', async () => {
    const a = await person();
    await a.panel.signUp('Abe', 'two tabs');
    const b = await person();
    await b.panel.signUp('Bea', 'watching');
    const c = await person();
    await c.panel.signUp('Cal', 'watching too');
    const second = await openTab(a.context);
    await second.panel.me.waitFor();
    await expectRows(b.panel, { Abe: 'two tabs', Bea: 'watching', Cal: 'watching too' }, 'one row for Abe');
    await a.page.close();
    await new Promise((r) => setTimeout(r, 1000));
    await expectRows(b.panel, { Abe: 'two tabs', Bea: 'watching', Cal: 'watching too' }, 'Abe still there');
    await second.page.close();
    await expectRows(b.panel, { Bea: 'watching', Cal: 'watching too' }, 'Abe gone for B');
    await expectRows(c.panel, { Bea: 'watching', Cal: 'watching too' }, 'Abe gone for C');
    await Promise.all([a.context.close(), b.context.close(), c.context.close()]);
  });

  it("should remove A for B and C when A signs out, and return A's other tab to the form", async () => {
    const a = await person();
    await a.panel.signUp('Amy', 'leaving soon');
    const other = await openTab(a.context);
    await other.panel.me.waitFor();
    const b = await person();
    await b.panel.signUp('Bob', 'here');
    const c = await person();
    await c.panel.signUp('Cat', 'here too');
    await expectRows(c.panel, { Amy: 'leaving soon', Bob: 'here', Cat: 'here too' });
    await a.panel.signOut();
    await a.panel.form.waitFor();
    await other.panel.form.waitFor({ timeout: 10_000 });
    await expectRows(b.panel, { Bob: 'here', Cat: 'here too' }, 'B sees Amy leave');
    await expectRows(c.panel, { Bob: 'here', Cat: 'here too' }, 'C sees Amy leave');
    await Promise.all([a.context.close(), b.context.close(), c.context.close()]);
  });

  it('should keep B signed in with the list intact after a reload', async () => {
    const a = await person();
    await a.panel.signUp('Ari', 'staying');
    const b = await person();
    await b.panel.signUp('Bri', 'reloading');
    await expectRows(b.panel, { Ari: 'staying', Bri: 'reloading' });
    await b.page.reload();
    await b.panel.me.waitFor();
    assert.equal(await b.panel.form.count(), 0, 'no sign-up form after reload');
    await expectRows(b.panel, { Ari: 'staying', Bri: 'reloading' }, 'list intact after reload');
    await Promise.all([a.context.close(), b.context.close()]);
  });

  it("should render a hostile name and status as text in everyone's page", async () => {
    const name = '<img src=x onerror=alert(1)>';
    const status = '<script>alert(2)</script><b>bold</b>';
    const b = await person();
    const dialogs: string[] = [];
    const foreign: string[] = [];
    const watch = (page: Page) => {
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('request', (r) => {
        const host = new URL(r.url()).hostname;
        if (host !== '127.0.0.1' && !r.url().startsWith('data:')) foreign.push(r.url());
      });
    };
    watch(b.page);
    await b.panel.signUp('Bianca', 'watching');
    const a = await person();
    watch(a.page);
    await a.panel.signUp(name, status);
    await expectRows(b.panel, { [name]: status, Bianca: 'watching' }, 'hostile text shown as text');
    await expectRows(a.panel, { [name]: status, Bianca: 'watching' });
    for (const page of [a.page, b.page]) {
      const injected = await page.locator('whatsup-presence').evaluate((host) => {
        const root = host.shadowRoot!;
        return root.querySelectorAll('script, b, img[src="x"], img[onerror]').length;
      });
      assert.equal(injected, 0, 'no element created from a name or status');
    }
    assert.deepEqual(dialogs, [], 'no dialog opened');
    assert.deepEqual(foreign, [], 'no request to a foreign host');
    await Promise.all([a.context.close(), b.context.close()]);
  });

  it('should show an announcement on every open page as a toast that hides itself after 5 seconds', async () => {
    const a = await person();
    await a.panel.signUp('Ana', 'waiting for news');
    const b = await person();
    await b.panel.signUp('Bas', 'same');
    const text = `Lunch is served ${Date.now()}`;
    const cli = await run(process.execPath, [join(root, 'packages/express/dist/cli.js'), text], {
      PORT: String(example.port),
    });
    assert.equal(cli.code, 0, cli.output);
    for (const panel of [a.panel, b.panel]) {
      await panel.toast.filter({ hasText: text }).waitFor({ state: 'visible', timeout: 5000 });
    }
    const shownAt = Date.now();
    await a.panel.toast.filter({ hasText: text }).waitFor({ state: 'hidden', timeout: 9000 });
    const hiddenAfter = Date.now() - shownAt;
    assert.ok(hiddenAfter >= 3500, `the toast stays for about 5 s (hid after ${hiddenAfter} ms)`);
    await Promise.all([a.context.close(), b.context.close()]);
  });

  it('should show "Reconnecting…" when the connection drops, then recover with the right list', async () => {
    const a = await person(proxy.url);
    await a.panel.signUp('Alf', 'before the drop');
    const b = await person(proxy.url);
    await b.panel.signUp('Bee', 'also before');
    await expectRows(a.panel, { Alf: 'before the drop', Bee: 'also before' });
    proxy.dropAll(3000);
    await a.panel.connection.filter({ hasText: /reconnect/i }).waitFor({ state: 'visible', timeout: 8000 });
    assert.deepEqual(
      toMap(await a.panel.rows()),
      sorted({ Alf: 'before the drop', Bee: 'also before' }),
      'the list is kept while reconnecting',
    );
    await a.panel.connection.filter({ hasText: /reconnect/i }).waitFor({ state: 'hidden', timeout: 20_000 });
    await b.panel.editStatusByKeyboard('after the drop');
    await expectRows(a.panel, { Alf: 'before the drop', Bee: 'after the drop' }, 'live again after recovery');
    await Promise.all([a.context.close(), b.context.close()]);
  });

  it('should take the settings from the URL, serve the language packs, and apply a change at once', async () => {
    const a = await person(`${example.url}?lang=fr&variant=compact&theme=dark&idle-after=10`);
    const host = a.page.locator('whatsup-presence');
    await waitFor(
      async () => (await host.getAttribute('lang')) === 'fr',
      10_000,
      () => 'the French pack loaded and set',
    );
    assert.deepEqual(
      [
        await host.getAttribute('variant'),
        await host.getAttribute('theme'),
        await host.getAttribute('idle-after'),
      ],
      ['compact', 'dark', '10'],
    );
    await a.panel.form
      .locator('#form-title')
      .filter({ hasText: 'Rejoignez-nous' })
      .waitFor({ timeout: 10_000 });
    // Arabic from the strip: its pack, right to left, and the URL says so.
    await a.page.selectOption('.settings select[name="lang"]', 'ar');
    await waitFor(
      async () =>
        (await a.page.evaluate(
          () =>
            getComputedStyle(document.querySelector('whatsup-presence')!.shadowRoot!.querySelector('.panel')!)
              .direction,
        )) === 'rtl',
      10_000,
      () => 'right to left in Arabic',
    );
    assert.match(a.page.url(), /lang=ar/);
    // The packs are the package's own files; a tag that is no pack, or a path, is a 404.
    const pack = await fetch(new URL('/locales/zh-Hans.bundle.min.js', example.url));
    assert.equal(pack.status, 200);
    assert.match(pack.headers.get('content-type') ?? '', /javascript/);
    for (const bad of ['/locales/xx.bundle.min.js', '/locales/..%2Fpackage.json', '/locales/fr.js'])
      assert.equal((await fetch(new URL(bad, example.url))).status, 404, bad);
    // A value the strip does not offer is ignored.
    const b = await person(`${example.url}?lang=${encodeURIComponent('../../x')}&variant=nope`);
    await b.panel.form.waitFor();
    assert.deepEqual(
      [
        await b.page.locator('whatsup-presence').getAttribute('lang'),
        await b.page.locator('whatsup-presence').getAttribute('variant'),
      ],
      [null, 'list'],
    );
  });
});

function toMap(rows: { name: string; status: string }[]) {
  return sorted(Object.fromEntries(rows.map((r) => [r.name, r.status])));
}

function sorted(map: Record<string, string>) {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}
