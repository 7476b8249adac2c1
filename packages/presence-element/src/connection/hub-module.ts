/**
 * Where the shared connection's hub comes from: its module, through the application's bundler or
 * module resolution. The one-file bundles put another module in its place (rollup.config.mjs): the
 * hub is in `whatsup-presence.pusher.min.js` beside them, so it is not among the bytes before the
 * first row.
 */
export const importHub = () => import('./hub.js');
