// Builds every package: ESM + .d.ts for each (modules preserved, dependencies external),
// and the element additionally as one-file bundles (lit + pusher-js inside) for a plain <script> tag.
// `WHATSUP_PKG=express rollup -c` (or `npm run build -w @whatsup/express`) builds one package.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import terser from '@rollup/plugin-terser';

const root = dirname(fileURLToPath(import.meta.url));
const only = process.env.WHATSUP_PKG;

/** Every .ts file under dir (recursively), skipping `skip` sub-folders. */
function sources(dir, skip = []) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return skip.includes(name) ? [] : sources(path, skip);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const isExternal = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

/** ESM modules + declarations for one package, tests included unless skipped. */
function library(pkg, { skip = [] } = {}) {
  const dir = join(root, 'packages', pkg);
  return {
    input: sources(join(dir, 'src'), skip),
    external: isExternal,
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
      }),
    ],
    onwarn(warning, warn) {
      // Node built-ins and the packages' own dependencies stay external on purpose.
      if (warning.code === 'UNRESOLVED_IMPORT') return;
      // A module of types only (e.g. types.ts) becomes an empty chunk with preserveModules;
      // its .d.ts is what matters. Any other warning fails the build-warnings test.
      if (warning.code === 'EMPTY_BUNDLE') return;
      warn(warning);
    },
  };
}

/**
 * Squeezes the whitespace out of our css`` and html`` literals (after TypeScript, before terser):
 * terser leaves template text alone. Only our own sources, and only whitespace that cannot
 * matter: runs of it collapse to one space (a space between inline elements is kept), and in CSS
 * it goes entirely around punctuation.
 */
function minifyTemplates() {
  return {
    name: 'minify-templates',
    transform(code, id) {
      if (!id.includes('/presence-element/src/')) return null;
      const out = code
        .replace(/\bcss\s*`([^`]*)`/g, (_, body) => {
          const min = body
            .replace(/\/\*[^]*?\*\//g, '')
            .replace(/\s+/g, ' ')
            .replace(/ ?([{}:;,>]) ?/g, '$1')
            .replace(/;}/g, '}')
            .trim();
          return `css\`${min}\``;
        })
        .replace(/\bhtml\s*`((?:[^`$\\]|\\.|\$(?!\{)|\$\{(?:[^{}]|\{[^{}]*\})*\})*)`/g, (whole, body) => {
          // Only the static text between \${…} expressions: the expressions are code (comments too).
          const parts = body.split(/(\$\{(?:[^{}]|\{[^{}]*\})*\})/);
          const min = parts.map((part, i) => (i % 2 ? part : part.replace(/\s+/g, ' '))).join('');
          return `html\`${min}\``;
        });
      return { code: out, map: null };
    },
  };
}

/** The element with lit and pusher-js inside, minified: classic script (IIFE) and ES module. */
function bundles() {
  const dir = join(root, 'packages', 'presence-element');
  const ts = () =>
    typescript({
      tsconfig: join(dir, 'tsconfig.json'),
      declaration: false,
      declarationMap: false,
      outDir: undefined,
      sourceMap: true,
    });
  const plugins = () => [
    nodeResolve({ browser: true }),
    commonjs(),
    ts(),
    minifyTemplates(),
    terser({
      ecma: 2020,
      // Measured on the one-file bundle: three passes and these assumptions take ~320 B off gzip.
      // unsafe_arrows/unsafe_methods: no function expression here is called with `new` or needs
      // its own `arguments`; pure_getters: no getter is read only for its side effect.
      compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true, pure_getters: true },
      // Private members (`_name`, ours and pusher-js's) get short names; lit's internals are `_$…`
      // and public API never starts with an underscore, so nothing reachable from outside changes.
      mangle: { properties: { regex: /^_[a-z]/ } },
      format: { comments: false },
    }),
  ];
  const input = join(dir, 'src', 'define.ts');
  return [
    {
      input,
      plugins: plugins(),
      output: {
        file: join(dir, 'dist', 'whatsup-presence.bundle.min.js'),
        format: 'iife',
        name: 'WhatsupPresence',
        sourcemap: true,
      },
    },
    {
      input,
      plugins: plugins(),
      output: {
        file: join(dir, 'dist', 'whatsup-presence.bundle.esm.min.js'),
        format: 'es',
        sourcemap: true,
      },
    },
  ];
}

/**
 * Each message pack also as a classic script for pages on the one-file bundle: it registers itself
 * through the bundle's global (`WhatsupPresence.addMessages`), so the bundle carries English only.
 */
function localeScripts() {
  const dir = join(root, 'packages', 'presence-element');
  const isLocalize = (id) => /(^|\/)localize(\.js|\.ts)?$/.test(id);
  return readdirSync(join(dir, 'src', 'locales'))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({
      input: join(dir, 'src', 'locales', name),
      external: isLocalize,
      plugins: [
        typescript({
          tsconfig: join(dir, 'tsconfig.json'),
          declaration: false,
          declarationMap: false,
          outDir: undefined,
          sourceMap: false,
        }),
        terser({ ecma: 2020, format: { comments: false } }),
      ],
      output: {
        file: join(dir, 'dist', 'locales', name.replace(/\.ts$/, '.bundle.min.js')),
        format: 'iife',
        globals: (id) => (isLocalize(id) ? 'WhatsupPresence' : id),
      },
      onwarn(warning, warn) {
        if (warning.code !== 'MISSING_NAME_OPTION_FOR_IIFE_EXPORT') warn(warning);
      },
    }));
}

const configs = {
  realtime: () => [library('realtime')],
  express: () => [library('express')],
  'presence-element': () => [
    library('presence-element', { skip: ['test'] }),
    ...bundles(),
    ...localeScripts(),
  ],
};

const selected = only ? [only] : Object.keys(configs);
for (const name of selected) {
  if (!configs[name])
    throw new Error(`WHATSUP_PKG must be one of ${Object.keys(configs).join(', ')}, got '${name}'`);
}
export default selected.flatMap((name) => configs[name]());
