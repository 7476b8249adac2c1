// Registers nothing and opens no connection: import '@whatsup/presence/define' (or the one-file
// bundle) to register <whatsup-presence>.
export { WhatsupPresence } from './whatsup-presence.js';
export { PresenceController, type PresenceOptions, type PresenceHost } from './presence-controller.js';
export * from './events.js';
export type {
  Member,
  ServerConfig,
  PanelConfig,
  PanelState,
  Availability,
  ClearAfter,
  StatusChange,
  StatusPreset,
} from './types.js';
export { defaultMessages, type Messages } from './messages.js';
export { addMessages } from './localize.js';
