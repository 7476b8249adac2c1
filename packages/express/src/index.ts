export { whatsup } from './router.js';
export type { WhatsupOptions, WhatsupRouter, Identity, ChannelRule } from './router.js';
export type { CorsOrigin } from './host.js';
export { announce } from './announce.js';
export type { AnnounceOptions, Announcement } from './announce.js';
export { WhatsupError } from './errors.js';
export { MemoryStatusStore } from './status-store.js';
export type { StatusStore, MemberRecord, MemoryStatusStoreOptions } from './status-store.js';
export { MemoryIndex } from './indexes.js';
export type { WhatsupIndex, NameHold, MemoryIndexOptions } from './indexes.js';
export { nameKey } from './names.js';
export { createPusherPublisher } from './publisher.js';
export type { Publisher, ClientConfig, PresenceData, PusherOptions } from './publisher.js';
export { pusherOptionsFromEnv, clientConfigFromEnv } from './env.js';
export { RedisStatusStore } from './redis-status-store.js';
export type { RedisStatusStoreOptions, RedisLikeClient } from './redis-status-store.js';
export type {
  WhatsupHooks,
  MemberAddedEvent,
  MemberRemovedEvent,
  StatusChangedEvent,
  SignedOutEvent,
  AvailabilityChangedEvent,
} from './hooks.js';
export type { WebhookBody, WebhookEvent } from '@whatsup/protocol';
export type { WebhookOptions } from './webhooks.js';
export type { RateLimitOptions } from './services/limits.js';
export { DEFAULT_PRESETS } from './rich-status.js';
export type { Availability, Activity, ClearAfter, StatusInput, StatusPreset } from './rich-status.js';
export { DEFAULT_LIMITS, USER_INFO_BYTES } from './limits.js';
export type { Limits } from './limits.js';
