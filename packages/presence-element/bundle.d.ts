// The classic-script bundle (`@whatsup/presence/bundle`, for a plain <script> tag) registers
// <whatsup-presence> when it runs and exports nothing; import '@whatsup/presence' for the class.
export {};
