// Element tests in Debian's Chromium, Firefox ESR and WebKitGTK, against the real middleware and
// realtime server. WTR_BROWSERS=firefox (or chromium, webkit, a comma list) runs fewer engines.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher, puppeteerCore } from '@web/test-runner-chrome';
import {
  WebKitLauncher,
  viewportCommand,
} from './packages/presence-element/test-support/webkit-launcher.mjs';
import { whatsupServer } from './packages/presence-element/test-support/whatsup-server.mjs';

const whatsup = whatsupServer();

// pusher-js's published browser build (its `browser` entry, dist/web/pusher.js) is UMD: the tests
// run that same file the bundles ship. The bundles make it a module with @rollup/plugin-commonjs;
// here `fromRollup(commonjs)` gives no default export through @web/dev-server-rollup 0.6, so the
// one file is wrapped (its code unchanged).
const pusherAsModule = {
  name: 'pusher-js-as-module',
  transform(context) {
    if (!context.path.endsWith('/node_modules/pusher-js/dist/web/pusher.js')) return undefined;
    return `const module = { exports: {} }; const exports = module.exports;\n${context.body}\nexport default module.exports;`;
  },
};

const ENGINES = ['chromium', 'firefox', 'webkit'];
const engines = (process.env.WTR_BROWSERS ?? ENGINES.join(','))
  .split(',')
  .map((name) => name.trim().toLowerCase())
  .filter(Boolean);
for (const name of engines) {
  if (!ENGINES.includes(name))
    throw new Error(`WTR_BROWSERS: unknown engine '${name}' (use ${ENGINES.join(', ')})`);
}

// Firefox and WebKit come from e2e/engines.ts (built by `npm run build`, like the packages these
// tests import): the end-to-end tests drive the same binaries the same way.
const helpers = engines.some((name) => name !== 'chromium') ? await importEngines() : undefined;

const chromium = () =>
  chromeLauncher({
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  });

// puppeteer-core (the one @web/test-runner-chrome ships) launches Firefox over WebDriver BiDi.
const firefox = () =>
  chromeLauncher({ puppeteer: puppeteerCore, launchOptions: helpers.firefoxLaunchOptions() });

// MiniBrowser through WebKitWebDriver, on an Xvfb display started with the first WebKit test file.
const webkit = () => new WebKitLauncher(helpers);

const launchers = { chromium, firefox, webkit };

export default {
  files: ['packages/presence-element/src/test/**/*.test.ts'],
  // The language packs are imported by a computed name (src/locale-module.ts): `…/locales/fr.js` is
  // the .ts beside it, as the static imports are resolved.
  middleware: [
    whatsup.middleware,
    (ctx, next) => {
      ctx.path = ctx.path.replace(/(\/src\/locales\/[\w-]+)\.js$/, '$1.ts');
      return next();
    },
  ],
  nodeResolve: { browser: true },
  concurrency: 1,
  // One engine at a time: every test file shares the one server and its channel, so two engines
  // at once would see each other's people.
  concurrentBrowsers: 1,
  // A test file's whole run; the default 2 minutes is too short for the 1,000-member tests on a
  // loaded 2-core machine (each test still has its own 20 s limit below).
  testsFinishTimeout: 300_000,
  // WTR_GREP='toast' npm run test:browser runs only the matching tests.
  testFramework: {
    config: { timeout: 20000, ...(process.env.WTR_GREP ? { grep: process.env.WTR_GREP } : {}) },
  },
  plugins: [
    // esbuild reads tsconfig only when told: the element uses legacy decorators.
    esbuildPlugin({ ts: true, tsconfig: 'packages/presence-element/tsconfig.json' }),
    pusherAsModule,
    whatsup.plugin,
    viewportCommand,
  ],
  browsers: engines.map((name) => launchers[name]()),
};

async function importEngines() {
  try {
    return await import('./e2e/dist/engines.js');
  } catch (err) {
    throw new Error(
      `Firefox and WebKit need e2e/dist/engines.js: run \`npm run build\` first (${err.message})`,
    );
  }
}
