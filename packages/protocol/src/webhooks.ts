/** The event names Pusher Channels (and soketi, and the embedded server) send in webhooks. */
export type WebhookEventName =
  | 'channel_occupied'
  | 'channel_vacated'
  | 'member_added'
  | 'member_removed'
  | 'client_event'
  | 'subscription_count';

export const WEBHOOK_EVENT_NAMES: readonly WebhookEventName[] = Object.freeze([
  'channel_occupied',
  'channel_vacated',
  'member_added',
  'member_removed',
  'client_event',
  'subscription_count',
]);

/** One event of a webhook body, field for field as Pusher documents it. */
export interface WebhookEvent {
  name: WebhookEventName;
  channel: string;
  /** member_added, member_removed, and client_event on presence channels. Always a string. */
  user_id?: string;
  /** client_event: the event name (`client-…`). */
  event?: string;
  /** client_event: the event data as the client sent it, JSON-encoded. */
  data?: string;
  /** client_event: the sender's socket id. */
  socket_id?: string;
  /** subscription_count: the channel's subscriptions now. */
  subscription_count?: number;
}

/** The body Pusher POSTs, signed in `X-Pusher-Signature` (HMAC-SHA256 of the body with the secret). */
export interface WebhookBody {
  /** When the batch was made, epoch milliseconds. */
  time_ms: number;
  events: WebhookEvent[];
}

export const WEBHOOK_HEADERS = Object.freeze({
  key: 'x-pusher-key',
  signature: 'x-pusher-signature',
} as const);
