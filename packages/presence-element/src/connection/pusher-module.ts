/**
 * Where pusher-js comes from: the package itself, through the application's bundler or module
 * resolution. The one-file bundles put another module in its place (rollup.config.mjs): they load
 * `whatsup-presence.pusher.min.js` from beside their own URL.
 */
export const importPusher = () => import('pusher-js');
