// Element tests in Debian's headless Chromium, against the real middleware and realtime server.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
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

export default {
  files: ['packages/presence-element/src/test/**/*.test.ts'],
  middleware: [whatsup.middleware],
  nodeResolve: { browser: true },
  concurrency: 1,
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
  ],
  browsers: [
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
    }),
  ],
};
