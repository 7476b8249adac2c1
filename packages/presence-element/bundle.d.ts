// The classic-script bundle (`@whatsup/presence/bundle`, for a plain <script> tag) registers
// <whatsup-presence> when it runs. It exports nothing to importers; on the page it sets the global
// `WhatsupPresence` (the exports of '@whatsup/presence', e.g. `WhatsupPresence.addMessages`).
export {};
