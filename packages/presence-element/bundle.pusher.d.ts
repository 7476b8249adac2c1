// pusher-js as the one-file bundles' chunk (`@whatsup/presence/bundle.pusher`): its published browser
// build, an ES module whose default export is pusher-js's `Pusher` class.
export { default } from 'pusher-js';
