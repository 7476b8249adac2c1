// Element tests in Debian's headless Chromium, against the real middleware and realtime server.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { whatsupServer } from './packages/presence-element/test-support/whatsup-server.mjs';

// pusher-js ships only UMD: give the browser an ES module with a default export (rollup's commonjs
// plugin does this for the bundles).
const pusherAsModule = {
  name: 'pusher-js-as-module',
  transform(context) {
    if (!context.path.endsWith('/node_modules/pusher-js/dist/web/pusher.js')) return undefined;
    return `const module = { exports: {} }; const exports = module.exports;\n${context.body}\nexport default module.exports;`;
  },
};

const whatsup = whatsupServer();

export default {
  middleware: [whatsup.middleware],
  files: ['packages/presence-element/src/test/**/*.test.ts'],
  nodeResolve: { browser: true },
  concurrency: 1,
  testFramework: { config: { timeout: 15000 } },
  plugins: [
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
