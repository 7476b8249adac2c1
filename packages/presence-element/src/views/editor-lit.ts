import type { css, html, nothing } from 'lit';

/**
 * The lit exports the status editor's chunk uses, handed to it by the panel when it loads: the
 * one-file bundles hold lit once, inside the bundle, and a classic script cannot share it with a
 * second file by `import`; so the chunk imports no lit of its own and is a function of these.
 */
export interface EditorLit {
  html: typeof html;
  css: typeof css;
  nothing: typeof nothing;
}
