/**
 * Where the status editor comes from: its module, through the application's bundler or module
 * resolution (a chunk of its own there too). The one-file bundles put another module in its place
 * (rollup.config.mjs): they load `whatsup-presence.editor.min.js` from beside their own URL.
 */
export const importEditor = () => import('./status-editor.js');
