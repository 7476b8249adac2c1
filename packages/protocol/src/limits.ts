/**
 * The sizes both sides of the wire agree on. The middleware's `limits` option may lower the
 * first four for its own routes; the realtime server's limits default to the Pusher ones here.
 */
export const LIMITS = Object.freeze({
  /** Display name, in characters (code points). */
  name: 32,
  /** Status text, in characters (code points)… */
  status: 280,
  /** …and in bytes of its JSON string (UTF-8, escapes counted), so 280 emoji cannot overflow user_info. */
  statusBytes: 512,
  /** Most bytes a status emoji may take (UTF-8 inside JSON); the longest RGI sequences take 35. */
  emojiBytes: 48,
  /** Pusher's cap on a presence member's `user_info`, in bytes of JSON. */
  userInfoBytes: 1024,
  /** Pusher's cap on a presence `user_id`, in characters. */
  userIdLength: 128,
  /** Pusher's cap on a channel name, in characters. */
  channelNameLength: 200,
  /** Pusher's cap on an event name, in characters. */
  eventNameLength: 200,
  /** Pusher's cap on one event's data, in bytes. */
  eventDataBytes: 10 * 1024,
  /** Pusher's cap on the channels of one published event. */
  channelsPerEvent: 100,
  /** Pusher's cap on the events of one batch. */
  batchSize: 10,
  /** A socket id is two integers; no real one is longer than this. */
  socketIdLength: 64,
});

export type ProtocolLimits = typeof LIMITS;
