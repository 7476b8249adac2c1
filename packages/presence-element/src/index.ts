export { WhatsupPresence } from './whatsup-presence.js';
export * from './events.js';
export type { Member, ServerConfig, PanelState } from './types.js';
export { defaultMessages, type Messages } from './messages.js';
