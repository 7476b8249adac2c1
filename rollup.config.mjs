// Builds every package: ESM + .d.ts (modules preserved, dependencies external), and the element also as
// one-file bundles for a plain <script> tag (lit inside; pusher-js and the status editor chunks beside
// them). `WHATSUP_PKG=express rollup -c` (or `npm run build -w @whatsup/express`) builds one package.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import terser from '@rollup/plugin-terser';
import minifyLiterals from '@lit-labs/rollup-plugin-minify-html-literals';

const root = dirname(fileURLToPath(import.meta.url));
const only = process.env.WHATSUP_PKG;
// WHATSUP_BUILD=start (`npm start` on a fresh clone): no tests, declarations, type check or locales.
const forStart = process.env.WHATSUP_BUILD === 'start';
const startTs = forStart
  ? { declaration: false, declarationMap: false, declarationDir: undefined, noCheck: true }
  : {};
const element = join(root, 'packages', 'presence-element');
const src = (...path) => join(element, 'src', ...path);
const dist = (...path) => join(element, 'dist', ...path);

/** Every .ts file under dir (recursively), but for those in `skip` sub-folders. */
const sources = (dir, skip = []) =>
  readdirSync(dir, { recursive: true })
    .filter((path) => /(?<!\.d)\.ts$/.test(path) && !path.split('/').some((part) => skip.includes(part)))
    .map((path) => join(dir, path));

/** ESM modules + declarations for one package, tests included unless skipped. */
function library(pkg, { skip = [] } = {}) {
  const [dir, out, srcDir] = ['', 'dist', 'src'].map((sub) => join(root, 'packages', pkg, sub));
  return {
    input: sources(srcDir, forStart ? [...skip, 'test'] : skip),
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    output: { dir: out, format: 'es', preserveModules: true, preserveModulesRoot: srcDir, sourcemap: true },
    // module: the plugin would otherwise force ESNext, which NodeNext resolution refuses
    plugins: [
      typescript({
        ...{ tsconfig: join(dir, 'tsconfig.json'), outDir: out, declarationDir: out, noEmitOnError: true },
        ...{ module: pkg === 'presence-element' ? 'ES2022' : 'NodeNext', ...startTs },
      }),
    ],
    // Dependencies stay external; a types-only module is an empty chunk. Other warnings fail a test.
    onwarn: (warning, warn) => ['UNRESOLVED_IMPORT', 'EMPTY_BUNDLE'].includes(warning.code) || warn(warning),
  };
}

// The element's TypeScript for a bundle: no declarations (the library build writes them).
const elementTs = (sourceMap) =>
  typescript({
    tsconfig: join(element, 'tsconfig.json'),
    ...{ declaration: false, declarationMap: false, outDir: undefined, sourceMap, ...startTs },
  });
// Licence comments (`/*!`, `@license`, `@preserve`) stay, as the published files carry them.
const minified = (options) =>
  terser({ ecma: 2020, format: { comments: /^!|@license|@preserve/ }, ...options });
// ~320 B off gzip: no function expression here is called with `new` or needs its own `arguments`
// (unsafe_arrows/_methods), no getter is read for a side effect (pure_getters).
const compress = { passes: 3, unsafe_arrows: true, unsafe_methods: true, pure_getters: true };
// Our html`` and css`` through lit's minifier plugin (the rest through terser).
const unquoted = { minifyOptions: { removeAttributeQuotes: true } };
const literals = () => minifyLiterals({ include: [src('**', '*.ts')], failOnError: true, options: unquoted });

/** A module of our own (a virtual one: `\0…`) for `id` and the modules `swaps` (their file names). */
const virtual = (id, code, swaps = []) => ({
  name: id.slice(1),
  resolveId: (source) => (source === id || swaps.some((s) => source.endsWith(`/${s}.js`)) ? id : null),
  load: (source) => (source === id ? code : null),
});
const [PUSHER, EDITOR] = ['pusher', 'editor'].map((name) => `whatsup-presence.${name}.min.js`);
const HUB = src('connection', 'hub.ts');
// The bundles' pusher-, hub-, editor- and locale-module.ts: chunks beside the bundle's own URL (the IIFE's
// import.meta.url is its script's src, read as it runs); packs register through global WhatsupPresence.
const beside = virtual(
  '\0chunks',
  `const base = import.meta.url, near = (file) => import(new URL(file, base).href);
export const importPusher = () => near('${PUSHER}'), importHub = importPusher;
export const importEditor = () => near('${EDITOR}');
export const importLocale = (lang, addMessages) =>
  ((globalThis.WhatsupPresence ??= { addMessages }), near(\`locales/\${lang}.bundle.min.js\`));`,
  ['pusher-module', 'editor-module', 'locale-module', 'hub-module'],
);

/**
 * The element with lit inside, minified: classic script (IIFE) and ES module. Beside them, chunks (ES
 * modules) they import once needed: pusher-js's published browser build (dist/web/pusher.js, `browser`) with
 * the shared connection's hub as the panel starts; the editor (a function of the bundle's lit) on first use.
 */
const bundles = () => [
  ...Object.entries({ iife: 'bundle.min', es: 'bundle.esm.min' }).map(([format, name]) => ({
    input: src('define.ts'),
    plugins: [
      beside,
      literals(),
      nodeResolve({ browser: true }),
      commonjs(),
      elementTs(true),
      // Our private `_names` get short names (lit's internals are `_$…`).
      minified({ compress, mangle: { properties: { regex: /^_[a-z]/ } } }),
    ],
    output: { file: dist(`whatsup-presence.${name}.js`), format, sourcemap: true, name: 'WhatsupPresence' },
  })),
  {
    input: '\0pusher-chunk',
    plugins: [
      virtual('\0pusher-chunk', `export { default } from 'pusher-js'; export { joinHub } from '${HUB}';`),
      nodeResolve({ browser: true }),
      commonjs(),
      elementTs(true),
      minified({ compress: { passes: 3 } }),
    ],
    output: { file: dist(PUSHER), format: 'es', sourcemap: true },
  },
  {
    // Its own names stay: the objects it shares with the bundle keep theirs.
    input: src('views', 'status-editor.ts'),
    plugins: [literals(), nodeResolve({ browser: true }), elementTs(true), minified({ compress })],
    output: { file: dist(EDITOR), format: 'es', sourcemap: true },
  },
];

/** Each message pack also as a classic script registering itself through the bundle's global. */
const localeScripts = () => {
  const isLocalize = (id) => /(^|\/)localize(\.js|\.ts)?$/.test(id);
  const globals = (id) => (isLocalize(id) ? 'WhatsupPresence' : id);
  return sources(src('locales')).map((input) => ({
    input,
    external: isLocalize,
    plugins: [elementTs(false), terser({ ecma: 2020, format: { comments: false } })],
    output: { file: dist('locales', basename(input, '.ts') + '.bundle.min.js'), format: 'iife', globals },
    onwarn: (warning, warn) => warning.code !== 'MISSING_NAME_OPTION_FOR_IIFE_EXPORT' && warn(warning),
  }));
};

const configs = {
  // first: the others' declarations import its types
  protocol: () => [library('protocol')],
  realtime: () => [library('realtime')],
  express: () => [library('express')],
  'presence-element': () => [
    library('presence-element', { skip: ['test'] }),
    ...bundles(),
    ...(forStart ? [] : localeScripts()),
  ],
};

if (only && !configs[only])
  throw new Error(`WHATSUP_PKG must be one of ${Object.keys(configs).join(', ')}, got '${only}'`);
export default (only ? [only] : Object.keys(configs)).flatMap((name) => configs[name]());
