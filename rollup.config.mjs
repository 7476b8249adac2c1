// Builds every package: ESM + .d.ts (modules preserved, dependencies external), and the element
// also as one-file bundles (lit inside, pusher-js their chunk beside them) for a plain <script> tag.
// `WHATSUP_PKG=express rollup -c` (or `npm run build -w @whatsup/express`) builds one package.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** Every .ts file under dir (recursively), skipping `skip` sub-folders. */
const sources = (dir, skip = []) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return skip.includes(name) ? [] : sources(path, skip);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });

/** ESM modules + declarations for one package, tests included unless skipped. */
function library(pkg, { skip = [] } = {}) {
  const dir = join(root, 'packages', pkg);
  return {
    input: sources(join(dir, 'src'), forStart ? [...skip, 'test'] : skip),
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    output: {
      dir: join(dir, 'dist'),
      format: 'es',
      preserveModules: true,
      preserveModulesRoot: join(dir, 'src'),
      sourcemap: true,
    },
    plugins: [
      typescript({
        tsconfig: join(dir, 'tsconfig.json'),
        // the plugin would otherwise force module ESNext, which NodeNext resolution refuses
        module: pkg === 'presence-element' ? 'ES2022' : 'NodeNext',
        outDir: join(dir, 'dist'),
        declarationDir: join(dir, 'dist'),
        noEmitOnError: true,
        ...startTs,
      }),
    ],
    // Dependencies stay external; a types-only module is an empty chunk. Other warnings fail a test.
    onwarn(warning, warn) {
      if (!['UNRESOLVED_IMPORT', 'EMPTY_BUNDLE'].includes(warning.code)) warn(warning);
    },
  };
}

// The element's TypeScript for a bundle: no declarations (the library build writes them).
const elementTs = (sourceMap) =>
  typescript({
    tsconfig: join(element, 'tsconfig.json'),
    declaration: false,
    declarationMap: false,
    outDir: undefined,
    sourceMap,
    ...startTs,
  });

/** A module of our own for `id` (a virtual one: `\0…`), its code `code`. */
const virtual = (id, code) => ({
  name: id.slice(1),
  resolveId: (source) => (source === id || source.endsWith(`/${id.slice(1)}.js`) ? id : null),
  load: (source) => (source === id ? code : null),
});
const PUSHER_CHUNK = 'whatsup-presence.pusher.min.js';

/**
 * The element with lit inside, minified: classic script (IIFE) and ES module; and pusher-js as
 * their chunk beside them, an ES module they import from their own URL (the IIFE's import.meta.url
 * is its script's src, read as it runs) once the panel starts. pusher-js is its published browser
 * build (`browser`: dist/web/pusher.js), made a module by the commonjs plugin; our html`` and css``
 * go through lit's minifier plugin, the rest through terser.
 */
function bundles() {
  const plugins = () => [
    virtual(
      '\0pusher-module',
      `const base = import.meta.url;
export const importPusher = () => import(new URL('${PUSHER_CHUNK}', base).href);`,
    ),
    // The shared connection's hub (connection/hub.ts) rides in the same chunk: not before the first row.
    virtual(
      '\0hub-module',
      `const base = import.meta.url;
export const importHub = () => import(new URL('${PUSHER_CHUNK}', base).href);`,
    ),
    minifyLiterals({
      include: [join(element, 'src', '**', '*.ts')],
      failOnError: true,
      options: { minifyOptions: { removeAttributeQuotes: true } },
    }),
    nodeResolve({ browser: true }),
    commonjs(),
    elementTs(true),
    terser({
      ecma: 2020,
      // ~320 B off gzip: no function expression here is called with `new` or needs its own
      // `arguments` (unsafe_arrows/_methods), no getter is read for a side effect (pure_getters).
      compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true, pure_getters: true },
      // Our private `_names` get short names (lit's internals are `_$…`).
      mangle: { properties: { regex: /^_[a-z]/ } },
      // Licence comments (`/*!`, `@license`, `@preserve`) stay, as the published files carry them.
      format: { comments: /^!|@license|@preserve/ },
    }),
  ];
  const chunk = {
    input: '\0pusher-chunk',
    plugins: [
      virtual(
        '\0pusher-chunk',
        `export { default } from 'pusher-js';
export { joinHub } from ${JSON.stringify(join(element, 'src', 'connection', 'hub.ts'))};`,
      ),
      nodeResolve({ browser: true }),
      commonjs(),
      elementTs(true),
      terser({ ecma: 2020, compress: { passes: 3 }, format: { comments: /^!|@license|@preserve/ } }),
    ],
    output: { file: join(element, 'dist', PUSHER_CHUNK), format: 'es', sourcemap: true },
  };
  const bundle = ([format, name]) => ({
    input: join(element, 'src', 'define.ts'),
    plugins: plugins(),
    output: {
      file: join(element, 'dist', `whatsup-presence.bundle.${name}.js`),
      format,
      sourcemap: true,
      name: 'WhatsupPresence',
    },
  });
  return [bundle(['iife', 'min']), bundle(['es', 'esm.min']), chunk];
}

/** Each message pack also as a classic script registering itself through the bundle's global. */
function localeScripts() {
  const isLocalize = (id) => /(^|\/)localize(\.js|\.ts)?$/.test(id);
  return readdirSync(join(element, 'src', 'locales'))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({
      input: join(element, 'src', 'locales', name),
      external: isLocalize,
      plugins: [elementTs(false), terser({ ecma: 2020, format: { comments: false } })],
      output: {
        file: join(element, 'dist', 'locales', name.replace(/\.ts$/, '.bundle.min.js')),
        format: 'iife',
        globals: (id) => (isLocalize(id) ? 'WhatsupPresence' : id),
      },
      onwarn: (warning, warn) => warning.code !== 'MISSING_NAME_OPTION_FOR_IIFE_EXPORT' && warn(warning),
    }));
}

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
