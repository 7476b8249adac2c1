export { createRealtimeServer, RealtimeServer } from './server.js';
export type { ChannelInfo, ClientConfig } from './server.js';
export type { RealtimeServerOptions, Limits } from './options.js';
export { DEFAULT_LIMITS } from './options.js';
export type { RealtimeEvents } from './hub.js';
export { WhatsupError, CloseCode } from './errors.js';
export { authorizeChannel, sign } from './signatures.js';
export type {
  WebhookBody,
  WebhookEvent,
  WebhookEventName,
  WebhookOptions,
  WebhookTarget,
  WebhookStats,
} from './webhooks.js';
export { webhookSignature } from './webhooks.js';
