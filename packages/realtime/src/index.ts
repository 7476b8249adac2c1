export { createRealtimeServer, RealtimeServer } from './server.js';
export type { ChannelInfo, ClientConfig } from './server.js';
export type { RealtimeServerOptions, Limits } from './options.js';
export { DEFAULT_LIMITS } from './options.js';
export type { RealtimeEvents } from './hub.js';
export { WhatsupError, CloseCode } from './errors.js';
export { authorizeChannel, sign } from './signatures.js';
// the webhook body types are the contract's (@whatsup/protocol); re-exported for existing imports
export type { WebhookBody, WebhookEvent, WebhookEventName } from '@whatsup/protocol';
export type { WebhookOptions, WebhookTarget } from './webhooks/options.js';
export type { WebhookStats } from './webhooks/queue.js';
export { targetsFromSoketi } from './webhooks/options.js';
export { webhookSignature } from './webhooks/sender.js';
