import { LIMITS } from './limits.js';

/** The channel the panel shows when none is set. */
export const DEFAULT_CHANNEL = 'presence-whatsup-members';

/** Pusher's channel-name characters (`#` is reserved for `#server-to-user-…`). */
export const CHANNEL_NAME = /^[-a-zA-Z0-9_=@,.;]+$/;
/** The prefix of the channel the server sends one user's events on (pusher-js's user channel). */
export const SERVER_TO_USER_PREFIX = '#server-to-user-';
/** Event names only the server may send (`pusher_internal:member_added`, …). */
export const INTERNAL_EVENT_PREFIX = 'pusher_internal:';
/** Event names reserved for the protocol itself (`pusher:subscribe`, …). */
export const PROTOCOL_EVENT_PREFIX = 'pusher:';
/** Events a client may send itself, on private and presence channels only. */
export const CLIENT_EVENT_PREFIX = 'client-';

export type ChannelKind = 'public' | 'private' | 'presence' | 'user';

export function channelKind(name: string): ChannelKind {
  if (name.startsWith('presence-')) return 'presence';
  if (name.startsWith('private-')) return 'private';
  if (name.startsWith(SERVER_TO_USER_PREFIX)) return 'user';
  return 'public';
}

/** A channel name Pusher accepts: the character set and at most `LIMITS.channelNameLength` characters. */
export function isChannelName(value: unknown, maxLength: number = LIMITS.channelNameLength): value is string {
  return (
    typeof value === 'string' && value.length > 0 && value.length <= maxLength && CHANNEL_NAME.test(value)
  );
}

/** `<digits>.<digits>`, what pusher-js gets from the server and the `pusher` library accepts. */
export const SOCKET_ID = /^\d+\.\d+$/;

/** The one socket-id rule: the pattern and at most `LIMITS.socketIdLength` characters. */
export function isSocketId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.socketIdLength && SOCKET_ID.test(value);
}

/**
 * The prefix of a follow channel: a presence channel of one invisible person for one presence
 * channel they may join. While invisible a person is in no presence channel others see; their
 * pages subscribe to the follow channel the server names (`GET /members` → `follow`), where the
 * server publishes what happens in the presence channel (`EVENTS`, including `member-added` and
 * `member-removed`). Nobody else may subscribe to it. See @whatsup/express's README, "Invisible".
 */
export const FOLLOW_CHANNEL_PREFIX = 'presence-whatsup-invisible-';

/** Whether a channel name is a follow channel (never a channel a site may offer as its own). */
export function isFollowChannel(value: unknown): value is string {
  return isChannelName(value) && value.startsWith(FOLLOW_CHANNEL_PREFIX);
}
