// `@whatsup/presence/controller`: the panel without a face, for UIs in any framework.
export { PresenceController, type PresenceOptions, type PresenceHost } from './presence-controller.js';
export { MemberList, byNameThenId, newer } from './members.js';
export * from './events.js';
export type { Member, ServerConfig, PanelConfig, PanelState } from './types.js';
export { defaultMessages, type Messages } from './messages.js';
