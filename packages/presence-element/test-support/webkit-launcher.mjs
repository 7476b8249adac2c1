// WebKitGTK for @web/test-runner: MiniBrowser through WebKitWebDriver (classic WebDriver, driven by
// webdriverio) on an Xvfb display of its own, started with the first test file and stopped with the
// run. @web/test-runner-webdriver drives WebDriver too, but keeps its session to itself, so the
// layout tests' viewport sizes (`whatsup-viewport` below) could not reach it.
import { remote } from 'webdriverio';

/**
 * `engines` is e2e/engines.ts's build: `startDisplay`, `startWebKitDriver`, `WEBKIT_CAPABILITIES`.
 * Test files run one after another in the one MiniBrowser window.
 */
export class WebKitLauncher {
  name = 'WebKit';
  type = 'webdriver';
  concurrency = 1;
  #engines;
  #urls = new Map();
  #started;
  #services = [];

  constructor(engines) {
    this.#engines = engines;
  }

  startSession(id, url) {
    this.#urls.set(id, url);
    return this.#open(url);
  }

  async #open(url) {
    const browser = await this.#browser();
    // What @web/test-runner-chrome gives each test file, so layouts compare across engines.
    await this.setViewport({ width: 800, height: 600 });
    await browser.navigateTo(url);
  }

  isActive(id) {
    return this.#urls.has(id);
  }

  getBrowserUrl(id) {
    return this.#urls.get(id);
  }

  async stopSession(id) {
    // A blank page stops the test file's timers and connections before the next one loads.
    const browser = await this.#browser();
    await browser.navigateTo('about:blank');
    this.#urls.delete(id);
    return {};
  }

  async startDebugSession() {
    throw new Error('WebKit runs on a virtual display here: debug in Chromium or Firefox (WTR_BROWSERS).');
  }

  /** Sizes the window so the page's viewport (innerWidth × innerHeight) is the one asked for. */
  async setViewport({ width, height }) {
    const browser = await this.#browser();
    // Run in the page: the window's inner size, as the page sees it.
    const measure = () => browser.execute('return [window.innerWidth, window.innerHeight]');
    for (let attempt = 0; attempt < 3; attempt++) {
      const inner = await measure();
      if (inner[0] === width && inner[1] === height) return;
      const rect = await browser.getWindowRect();
      await browser.setWindowRect(null, null, rect.width + width - inner[0], rect.height + height - inner[1]);
    }
    const inner = await measure();
    if (inner[0] !== width || inner[1] !== height) {
      throw new Error(`WebKit: asked for a ${width}x${height} viewport, got ${inner[0]}x${inner[1]}`);
    }
  }

  async stop() {
    const started = this.#started;
    this.#started = undefined;
    if (started) await (await started.catch(() => undefined))?.deleteSession().catch(() => {});
    for (const service of this.#services.splice(0).reverse()) await service.stop();
  }

  #browser() {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start() {
    const display = await this.#engines.startDisplay();
    this.#services.push(display);
    const driver = await this.#engines.startWebKitDriver(display.display);
    this.#services.push(driver);
    return remote({
      hostname: '127.0.0.1',
      port: driver.port,
      logLevel: 'error',
      capabilities: this.#engines.WEBKIT_CAPABILITIES,
    });
  }
}

/**
 * `await viewport(w, h)` in a test (a server command): @web/test-runner-commands' `setViewport`
 * knows puppeteer and playwright pages only, and refuses the WebDriver session before any plugin
 * of ours could answer it.
 */
export const viewportCommand = {
  name: 'whatsup-viewport',
  async executeCommand({ command, payload, session }) {
    if (command !== 'whatsup-viewport') return undefined;
    const { width, height } = payload;
    if (session.browser instanceof WebKitLauncher) await session.browser.setViewport({ width, height });
    else await session.browser.getPage(session.id).setViewport({ width, height });
    return true;
  },
};
