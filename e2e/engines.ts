// Firefox and WebKit from Debian, for the element tests (web-test-runner.config.mjs imports this
// file's build) and the end-to-end tests: firefox-esr driven by puppeteer-core over WebDriver BiDi
// (Debian has no geckodriver), WebKitGTK's MiniBrowser through WebKitWebDriver (classic WebDriver,
// via webdriverio) on an Xvfb display of its own. Nothing downloads a browser or a driver:
// puppeteer-core has no download step, webdriverio sets up drivers only when given no host and
// port, and the geckodriver/edgedriver packages it brings fetch on install only when asked to
// (GECKODRIVER_AUTO_INSTALL, EDGEDRIVER_AUTO_INSTALL).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type ElementHandle, type LaunchOptions } from 'puppeteer-core';
import { remote } from 'webdriverio';
import { freePort } from './support.js';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const XVFB_PATH = process.env.XVFB_PATH ?? '/usr/bin/Xvfb';

/** puppeteer-core's launch options for Debian's Firefox ESR (BiDi is the only protocol it has). */
export function firefoxLaunchOptions(): LaunchOptions {
  return {
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    // Updates, telemetry and the first-run pages would reach for the internet.
    extraPrefsFirefox: {
      'app.update.enabled': false,
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'network.captive-portal-service.enabled': false,
    },
  };
}

/**
 * webdriverio's capabilities for MiniBrowser. WebKitWebDriver speaks classic WebDriver only: a
 * request for a BiDi socket (webdriverio asks by default) fails with "Failed to match capabilities".
 */
export const WEBKIT_CAPABILITIES = {
  browserName: 'MiniBrowser',
  'wdio:enforceWebDriverClassic': true,
} as const;

export interface Service {
  stop(): Promise<void>;
}

/**
 * An X display for MiniBrowser, which has no headless mode in WebKitGTK. Xvfb picks a free display
 * number itself (`-displayfd`), so runs side by side never take each other's display.
 */
export async function startDisplay(): Promise<Service & { display: string }> {
  const child = spawn(XVFB_PATH, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors += chunk));
  const fd = child.stdio[3] as NodeJS.ReadableStream;
  let number = '';
  await new Promise<void>((resolve, reject) => {
    fd.on('data', (chunk) => {
      number += chunk;
      if (number.includes('\n')) resolve();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      reject(new Error(`Xvfb exited (${code}) before it took a display:\n${errors}`)),
    );
  });
  return { display: `:${number.trim()}`, stop: () => stopGroup(child) };
}

/**
 * MiniBrowser's toolbar holds its window at 447 px or wider, too wide for the 320 px phone layouts.
 * A GTK style sheet of its own (GTK reads `$XDG_CONFIG_HOME/gtk-3.0/gtk.css`) shrinks the browser's
 * widgets; the page inside is drawn by WebKit and is not touched.
 */
const NARROW_CHROME =
  '* { min-width: 0; min-height: 0; padding: 0; margin: 0; font-size: 1px; border-width: 0; }\n';

/**
 * WebKitWebDriver on a free port of 127.0.0.1. It holds one session (one MiniBrowser) at a time, so
 * each person gets their own. It runs in a process group of its own: stopping the group ends the
 * MiniBrowser it started too, which outlives the driver otherwise.
 */
export async function startWebKitDriver(display: string): Promise<Service & { port: number }> {
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'whatsup-webkit-'));
  mkdirSync(join(home, 'config', 'gtk-3.0'), { recursive: true });
  writeFileSync(join(home, 'config', 'gtk-3.0', 'gtk.css'), NARROW_CHROME);
  const child = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], {
    env: {
      ...process.env,
      DISPLAY: display,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_CACHE_HOME: join(home, 'cache'),
      XDG_DATA_HOME: join(home, 'data'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let failed: Error | undefined;
  child.on('error', (err) => (failed = err));
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    await stopGroup(child);
    rmSync(home, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/status`)
      .then((res) => res.ok)
      .catch(() => false);
    if (ready) return { port, stop };
    if (failed || child.exitCode !== null || Date.now() > deadline) {
      await stop();
      const why =
        failed?.message ?? (child.exitCode !== null ? `exit ${child.exitCode}` : 'no answer in 20 s');
      throw new Error(`WebKitWebDriver (${WEBKIT_DRIVER_PATH}) did not start: ${why}\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is gone already
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

export const ENGINES = ['firefox', 'webkit'] as const;
export type EngineName = (typeof ENGINES)[number];

/**
 * One person's browser, whatever drives it: the end-to-end tests act through this only, so the
 * same scenario runs in both engines. Selectors are looked up in the panel's shadow root.
 */
export interface Person {
  /** Runs `fn(arg)` in the page; it is serialized, so it may use nothing from its scope. */
  evaluate<T>(fn: (arg: string) => T, arg?: string): Promise<T>;
  /** Clicks the panel's first element matching `selector` (and showing `text`, when given). */
  click(selector: string, text?: string): Promise<void>;
  /** Replaces the field's text by typing, as a keyboard does. */
  type(selector: string, text: string): Promise<void>;
  press(key: 'Enter' | 'Escape'): Promise<void>;
  close(): Promise<void>;
}

/** A running engine: one Firefox with a browser context per person, or one WebKitWebDriver each. */
export interface Engine {
  name: EngineName;
  person(url: string): Promise<Person>;
  close(): Promise<void>;
}

interface Target {
  selector: string;
  text: string | undefined;
}

/** Runs in the page: the panel's element for a target, or null while there is none. */
function findInPanel({ selector, text }: Target): Element | null {
  const root = document.querySelector('whatsup-presence')?.shadowRoot;
  const all = root ? Array.from(root.querySelectorAll(selector)) : [];
  return all.find((el) => text === undefined || el.textContent?.trim() === text) ?? null;
}

/** Runs in the page: focus the field and select its text, so typing replaces it. */
function selectText(el: Element): void {
  (el as HTMLInputElement).focus();
  (el as HTMLInputElement).select();
}

const WAIT_MS = 10_000;

export async function startEngine(name: EngineName): Promise<Engine> {
  return name === 'firefox' ? startFirefox() : startWebKit();
}

async function startFirefox(): Promise<Engine> {
  const browser = await puppeteer.launch(firefoxLaunchOptions());
  return {
    name: 'firefox',
    async person(url) {
      // A browser context of its own: its own cookies, so its own session on the site.
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.goto(url);
      const find = async (selector: string, text?: string) => {
        const found = await page.waitForFunction(
          findInPanel,
          { timeout: WAIT_MS, polling: 50 },
          { selector, text },
        );
        return found.asElement() as ElementHandle<Element>;
      };
      return {
        // Both drivers hand back the result as JSON; the cast names what the caller expects.
        evaluate: <T>(fn: (arg: string) => T, arg = '') => page.evaluate(fn, arg) as Promise<T>,
        click: async (selector, text) => (await find(selector, text)).click(),
        async type(selector, text) {
          const field = await find(selector);
          await field.evaluate(selectText);
          await page.keyboard.type(text);
        },
        press: (key) => page.keyboard.press(key),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function startWebKit(): Promise<Engine> {
  const display = await startDisplay();
  const drivers = new Set<Service>();
  return {
    name: 'webkit',
    async person(url) {
      // WebKitWebDriver runs one session at a time: a driver, and so a MiniBrowser, per person.
      const driver = await startWebKitDriver(display.display);
      drivers.add(driver);
      const close = async () => {
        await browser.deleteSession().catch(() => {});
        await driver.stop();
        drivers.delete(driver);
      };
      const browser = await remote({
        hostname: '127.0.0.1',
        port: driver.port,
        logLevel: 'error',
        capabilities: WEBKIT_CAPABILITIES,
      }).catch(async (err: unknown) => {
        await driver.stop();
        throw err;
      });
      await browser.navigateTo(url);
      const find = async (selector: string, text?: string) => {
        let found: unknown = null;
        await browser.waitUntil(
          async () => (found = await browser.execute(findInPanel, { selector, text })) !== null,
          {
            timeout: WAIT_MS,
            interval: 50,
            timeoutMsg: `no ${selector}${text ? ` showing ${text}` : ''} in the panel`,
          },
        );
        return browser.$(found as WebdriverIO.Element);
      };
      return {
        evaluate: <T>(fn: (arg: string) => T, arg = '') => browser.execute(fn, arg) as Promise<T>,
        click: async (selector, text) => (await find(selector, text)).click(),
        async type(selector, text) {
          const field = await find(selector);
          await browser.execute(selectText, field);
          // Element Send Keys, not key actions: WebKit drops the second of two equal key presses
          // in a row ("coffee" arrives as "cofe").
          await field.addValue(text);
        },
        press: (key) => browser.keys(key),
        close,
      };
    },
    async close() {
      for (const driver of drivers) await driver.stop();
      await display.stop();
    },
  };
}
