/**
 * Where a language pack comes from: the package's own `./locales/<lang>.js`, through the
 * application's bundler or module resolution (each a chunk of its own there too). The one-file
 * bundles put another module in its place (rollup.config.mjs): they load
 * `locales/<lang>.bundle.min.js` from beside their own URL.
 */
// The pack module registers itself (`addMessages`, the bundles' parameter) as it is imported.
export const importLocale = (lang: string, _addMessages?: unknown): Promise<unknown> =>
  import(`./locales/${lang}.js`);
