// End-to-end: the demo restarts while two people watch (issue 26). With SESSION_SECRET set the
// sessions survive; the panel is live again once the server can be reached (its reconnect probe
// nudges pusher-js: src/test/reconnect.test.ts), and changes flow again both ways.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Panel } from './panel.js';
import {
  freePort,
  launch,
  startExample,
  startProxy,
  waitFor,
  type Proxy,
  type RunningExample,
} from './support.js';

interface Watch {
  state: string;
  retryAt: number;
  /** `Date.now()` in the page when each state began. */
  states: { state: string; at: number }[];
}

/** The panel's public controller, as the page sees it. */
const watch = (page: Page): Promise<Omit<Watch, 'states'> & { states: Watch['states'] }> =>
  page.evaluate(() => {
    const el = document.querySelector('whatsup-presence') as unknown as {
      controller: { connectionState: string; retryAt: number };
    };
    const w = window as unknown as { __states?: { state: string; at: number }[] };
    return { state: el.controller.connectionState, retryAt: el.controller.retryAt, states: w.__states ?? [] };
  });

/** Records each `whatsup-connection-change` with the page's clock. */
const record = (page: Page): Promise<void> =>
  page.evaluate(() => {
    const w = window as unknown as { __states: { state: string; at: number }[] };
    w.__states = [];
    document.addEventListener('whatsup-connection-change', (e) => {
      w.__states.push({ state: (e as CustomEvent<{ current: string }>).detail.current, at: Date.now() });
    });
  });

describe('examples/basic restarting under two people', () => {
  let data: string;
  let port: number;
  let example: RunningExample;
  let proxy: Proxy;
  let browser: Browser;
  const env = () => ({ SESSION_SECRET: 'restart-test-secret', WHATSUP_DATA: data, PORT: String(port) });

  before(async () => {
    data = mkdtempSync(join(tmpdir(), 'whatsup-restart-'));
    port = await freePort();
    example = await startExample('basic', env());
    proxy = await startProxy(port);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await example?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  it('should be live again, signed in still, and see changes', async () => {
    const ada = new Panel(await (await browser.newContext()).newPage());
    const bea = new Panel(await (await browser.newContext()).newPage());
    for (const [panel, name] of [
      [ada, 'Ada'],
      [bea, 'Bea'],
    ] as const) {
      await panel.page.goto(proxy.url);
      await panel.signUp(name, `${name} before`);
    }
    await waitFor(
      async () => (await ada.names()).includes('Bea'),
      15_000,
      () => 'Ada sees Bea',
    );
    await waitFor(
      async () => (await watch(ada.page)).state === 'connected',
      15_000,
      () => 'Ada live',
    );
    await record(ada.page);

    // The server restarts; the way to it stays shut a while longer (as a slower restart would),
    // until pusher-js has given up for now (`unavailable`).
    proxy.dropAll(600_000);
    await example.stop();
    example = await startExample('basic', env());
    let seen: unknown = null;
    await waitFor(
      async () => (seen = await watch(ada.page)).state === 'unavailable',
      60_000,
      () => `the panel never said unavailable: ${JSON.stringify(seen)}`,
    );
    proxy.dropAll(0);
    const open = Date.now();
    await waitFor(
      async () => (seen = await watch(ada.page)).state === 'connected',
      60_000,
      () => `the panel live again: ${JSON.stringify(seen)}`,
    );
    console.log(`# live again about ${Date.now() - open} ms after the server could be reached`);
    const { states } = await watch(ada.page);
    assert.ok(!states.some((s) => s.state === 'failed'), JSON.stringify(states));

    // Still signed in (SESSION_SECRET), and the other person's change arrives live.
    await bea.editStatusByKeyboard('Bea after the restart');
    await waitFor(
      async () => (await ada.rows()).some((r) => r.name === 'Bea' && r.status === 'Bea after the restart'),
      15_000,
      () => "Ada sees Bea's new status",
    );
    await waitFor(
      async () => (await bea.rows()).some((r) => r.name === 'Ada' && r.status === 'Ada before'),
      15_000,
      () => 'Bea sees Ada, with her status from before the restart',
    );
  });
});
