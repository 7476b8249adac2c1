// Builds every package: ESM + .d.ts for each (modules preserved, dependencies external),
// and the element additionally as one-file bundles (lit + pusher-js inside) for a plain <script> tag.
// `WHATSUP_PKG=express rollup -c` (or `npm run build -w @whatsup/express`) builds one package.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import typescript from '@rollup/plugin-typescript';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import terser from '@rollup/plugin-terser';

const root = dirname(fileURLToPath(import.meta.url));
const only = process.env.WHATSUP_PKG;
// WHATSUP_BUILD=start (scripts/build-if-needed.mjs, for `npm start` on a fresh clone): only what
// runs — no tests, no declarations, no type check, no locale scripts. `npm run build` builds all.
const forStart = process.env.WHATSUP_BUILD === 'start';
const startTs = forStart
  ? { declaration: false, declarationMap: false, declarationDir: undefined, noCheck: true }
  : {};

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
    input: sources(join(dir, 'src'), forStart ? [...skip, 'test'] : skip),
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
        ...startTs,
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

/** Our CSS without what cannot change its meaning: comments, spacing, leading zeros, needless quotes. */
function minifyCss(text) {
  return (
    text
      .replace(/\/\*[^]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/ ?([{}:;,>/]) ?/g, '$1')
      .replace(/;}/g, '}')
      .replace(/ !important/g, '!important')
      // 0.5rem → .5rem (a number's own 0 only: after a separator, not in 10.5 or #0.)
      .replace(/([ :,(/]-?)0\.(\d)/g, '$1.$2')
      // [variant='stack'] → [variant=stack]: an identifier needs no quotes
      .replace(/\[([\w-]+)='([a-z][\w-]*)'\]/g, '[$1=$2]')
      .trim()
  );
}

/**
 * Our HTML's text between bindings: runs of whitespace collapse to one space (a space between
 * inline elements is kept), and go where they are inside a tag, before its `>` (`<span
 * class="x"\n  >` → `<span class="x">`). ` />` ends a void element like `>`; without the space
 * before it the `/` could belong to an unquoted value (`value=${v}/>`), so only ` />` goes.
 * A static value of letters, digits and dashes needs no quotes (`part="member"` → `part=member`);
 * a value with a binding in it is split across literals and never matches.
 */
function minifyHtml(text) {
  return text
    .replace(/\s+/g, ' ')
    .replace(/ \/?>/g, '>')
    .replace(/( [a-z-]+)="([\w-]+)"(?=[ >])/g, '$1=$2');
}

/**
 * Squeezes our css`` and html`` literals (after TypeScript, before terser), which terser leaves
 * alone: only our own sources, and only the literals' text (found with rollup's parser, so a
 * template nested in another's expression is squeezed too; expressions are code and stay as
 * they are): HTML through minifyHtml(), CSS through minifyCss().
 */
function minifyTemplates() {
  return {
    name: 'minify-templates',
    transform(code, id) {
      if (!id.includes('/presence-element/src/')) return null;
      const edits = [];
      const walk = (node) => {
        if (
          node.type === 'TaggedTemplateExpression' &&
          node.tag.type === 'Identifier' &&
          (node.tag.name === 'html' || node.tag.name === 'css')
        ) {
          const squeeze = node.tag.name === 'css' ? minifyCss : minifyHtml;
          for (const { start, end } of node.quasi.quasis) edits.push({ start, end, squeeze });
        }
        for (const value of Object.values(node)) {
          for (const child of Array.isArray(value) ? value : [value])
            if (typeof child?.type === 'string') walk(child);
        }
      };
      walk(this.parse(code));
      if (!edits.length) return null;
      let out = '';
      let at = 0;
      for (const { start, end, squeeze } of edits.sort((x, y) => x.start - y.start)) {
        out += code.slice(at, start) + squeeze(code.slice(start, end));
        at = end;
      }
      return { code: out + code.slice(at), map: null };
    },
  };
}

/**
 * pusher-js compiled from the TypeScript it ships (`src/`), the way its own webpack build for the
 * web does it (`webpack/config.shared.js` + `config.web.js`), instead of its prebuilt ES5 UMD:
 * our bundler then sees ES modules it can tree-shake, mangle and minify with the rest. Their
 * files are read as they are, never edited or copied. What webpack does, reproduced:
 * - `import … from 'pusher-js'` is `src/core/pusher.ts`'s default export (the UMD's
 *   `module.exports = require('./pusher').default`);
 * - bare imports resolve against `src`, `src/runtimes`, then `src/runtimes/web` (so `'runtime'`
 *   is the web runtime), with `.ts`/`.js` and `index` files, else from node_modules: their
 *   `@stablelib/base64` and `utf8` (devDependencies of theirs, bundled in their build, so ours too);
 * - DefinePlugin: `global` is `window`; `RUNTIME`, `VERSION`, `CDN_HTTP(S)` and
 *   `DEPENDENCY_SUFFIX` are the strings `hosting_config.js` gives a release build.
 * Their `.ts` is transpiled alone (`transpileModule`: no type check, so our strict tsconfig does
 * not apply to their code), to ES2020 like ours. Their build's licence banner heads the bundle.
 */
function pusherFromSource() {
  const pkg = dirname(createRequire(import.meta.url).resolve('pusher-js/package.json'));
  const src = join(pkg, 'src');
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  const defines = {
    global: 'window',
    RUNTIME: JSON.stringify('web'),
    VERSION: JSON.stringify(version),
    CDN_HTTP: JSON.stringify('http://js.pusher.com'),
    CDN_HTTPS: JSON.stringify('https://js.pusher.com'),
    DEPENDENCY_SUFFIX: JSON.stringify(''),
  };
  const roots = [src, join(src, 'runtimes'), join(src, 'runtimes', 'web')];
  const file = (base) =>
    ['.ts', '.js', '/index.ts', '/index.js']
      .map((ext) => base + ext)
      .find((path) => existsSync(path) && statSync(path).isFile());
  // Replaces the defined names where they are free variables: not `Defaults.VERSION`, not the
  // name of a property or declaration (`{ VERSION: … }`), not in types.
  const define = (context) => (sourceFile) => {
    const visit = (parent) => (node) => {
      if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node))
        return node;
      if (ts.isIdentifier(node) && Object.hasOwn(defines, node.text) && parent.name !== node) {
        const value = defines[node.text];
        return value.startsWith('"')
          ? ts.factory.createStringLiteral(JSON.parse(value))
          : ts.factory.createIdentifier(value);
      }
      return ts.visitEachChild(node, visit(node), context);
    };
    return ts.visitEachChild(sourceFile, visit(sourceFile), context);
  };
  // Their build's banner (webpack's BannerPlugin): the MIT notice, kept by terser (`licence`).
  const banner = readFileSync(join(src, 'core', 'pusher-licence.js'), 'utf8')
    .replace('<VERSION>', version)
    .trim();
  return {
    name: 'pusher-from-source',
    banner: () => banner,
    resolveId(source, importer) {
      if (source === 'pusher-js') return join(src, 'core', 'pusher.ts');
      if (!importer?.startsWith(src + '/')) return null;
      if (source.startsWith('.')) return file(resolve(dirname(importer), source)) ?? null;
      // their own packages (@stablelib/*, which the web build bundles) are node_modules'
      return roots.map((dir) => file(join(dir, source))).find(Boolean) ?? null;
    },
    transform(code, id) {
      if (!id.startsWith(src + '/') || !id.endsWith('.ts')) return null;
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2020,
          module: ts.ModuleKind.ESNext,
          // as their build (ES6 target): class fields without initialisers are types only
          useDefineForClassFields: false,
          sourceMap: true,
          inlineSources: true,
        },
        transformers: { before: [define] },
      });
      return { code: out.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ''), map: out.sourceMapText };
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
      // pusher-js's .ts is pusherFromSource()'s, compiled without our strict tsconfig
      exclude: [/node_modules/],
      ...startTs,
    });
  // lit's modules each carry a BSD-3-Clause @license comment, which terser drops with every other
  // comment; the notice is kept once, at the top, next to pusher-js's.
  const litLicence = {
    name: 'lit-licence',
    banner: () =>
      '/*!\n * Lit (lit, lit-html, lit-element, @lit/reactive-element)\n * Copyright 2017 Google LLC\n * SPDX-License-Identifier: BSD-3-Clause\n */',
  };
  const plugins = () => [
    pusherFromSource(),
    litLicence,
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
      // only the licence banners of pusher-js (as in their pusher.min.js) and lit; no other comment
      format: { comments: /^!\n \* (Pusher JavaScript Library|Lit \()/ },
    }),
  ];
  const onwarn = (warning, warn) => {
    // pusher-js's modules import each other in cycles (runtime ↔ dependency loader, pusher ↔
    // logger…); they only meet at call time, and webpack builds them the same way.
    if (
      warning.code === 'CIRCULAR_DEPENDENCY' &&
      warning.ids.every((id) => id.includes('/node_modules/pusher-js/'))
    )
      return;
    warn(warning);
  };
  const input = join(dir, 'src', 'define.ts');
  return [
    {
      input,
      plugins: plugins(),
      onwarn,
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
      onwarn,
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
    ...(forStart ? [] : localeScripts()),
  ],
};

const selected = only ? [only] : Object.keys(configs);
for (const name of selected) {
  if (!configs[name])
    throw new Error(`WHATSUP_PKG must be one of ${Object.keys(configs).join(', ')}, got '${name}'`);
}
export default selected.flatMap((name) => configs[name]());
