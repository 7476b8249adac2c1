import { channelKind } from '@whatsup/protocol';
import type { Connection } from './connection.js';
import type { Hub } from './hub.js';
import { isRecord, MAX_DEPTH, quote, stringifyBounded } from './json.js';
import { signout } from './signin.js';

/**
 * Joining and leaving channels, and what that means for presence members: the one place that
 * decides who is a member and tells everyone — the frames, the hooks and the webhooks.
 *
 * **What happens when a member leaves.** Its socket leaves the channel by one of:
 * `pusher:unsubscribe`; its close frame (the socket is no longer open: `settle()` makes the leave
 * final before anything reads the channel, and the heartbeat sweep within a quarter period if
 * nothing does); its socket closing (ws's 'close'); `terminateUserConnections()`. Each ends in
 * `leave()`, which takes the socket out of the channel and, if it was the user's last socket there
 * (tabs are one member), sends `pusher_internal:member_removed` to every other subscriber, emits
 * 'member_removed', and records the `member_removed` webhook (held for the grace; a rejoin within it
 * cancels it). Then 'unsubscribed', and `channel_vacated` if nobody is left.
 */

/** A presence member as the signed channel_data gives it; `userId` is always a string. */
export interface Member {
  userId: string;
  info: unknown;
}

/** Why a subscription is refused: what `pusher:subscription_error` carries, soketi-style. */
export interface Refusal {
  type: 'AuthError' | 'LimitReached';
  error: string;
  status: number;
}

/**
 * Who may join a presence channel as whom, once the signature is checked: the channel_data parsed
 * and measured, a user signed out after this connection opened refused, a full room refused (a
 * present user's other tab is always let in).
 */
export function admit(
  hub: Hub,
  connection: Connection,
  channel: string,
  channelData: string,
): Member | Refusal {
  const member = parseChannelData(hub, channel, channelData);
  if (typeof member === 'string') return { type: 'LimitReached', error: member, status: 4009 };
  if (hub.revoked(member.userId, connection)) {
    // an authorization made before the user signed out, replayed on a connection that predates it
    return {
      type: 'AuthError',
      error: 'This user was signed out after this connection opened; reconnect and authorize again',
      status: 401,
    };
  }
  const { presenceMembers } = hub.options.limits;
  if (!hub.presence.has(channel, member.userId) && hub.presence.userCount(channel) >= presenceMembers) {
    return {
      type: 'LimitReached',
      error: `The maximum members per presence channel limit (${presenceMembers}) was reached`,
      status: 4100,
    };
  }
  return member;
}

/** Joins a channel. As a presence member: the joiner gets every member, the others `member_added` if the user is new. */
export function enter(hub: Hub, connection: Connection, channel: string, member?: Member): void {
  hub.channels.add(channel, connection);
  connection.addSubscription(channel, member === undefined ? null : member.userId);
  const added =
    member !== undefined && hub.presence.join(channel, member.userId, member.info, connection.socketId);
  succeeded(hub, connection, channel);
  hub.emit('subscribed', { socketId: connection.socketId, channel });
  counted(hub, channel, true);
  if (!added) return;
  const { userId, info } = member;
  const data = JSON.stringify({ user_id: userId, user_info: info });
  broadcast(hub, channel, 'pusher_internal:member_added', data, connection);
  hub.emit('member_added', { channel, userId, info });
  hub.webhooks.record({ name: 'member_added', channel, user_id: userId });
}

/** `pusher_internal:subscription_succeeded`; on a presence channel with every member, the joiner included. */
export function succeeded(hub: Hub, connection: Connection, channel: string): void {
  if (channelKind(channel) === 'presence') {
    // the members hash is built once per change of members, not once per subscriber
    connection.sendPrepared(hub.presence.subscriptionSucceeded(channel));
    return;
  }
  connection.send({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' });
}

/** Takes the socket out of a channel; the user's last socket leaving a presence channel is the member leaving. */
export function leave(hub: Hub, connection: Connection, channel: string): void {
  if (exit(hub, connection, channel)) counted(hub, channel, false);
}

/**
 * Leaves every channel and the sign-in: the socket is closing, or its user was terminated. The
 * member leaves come first, then the channel webhooks (vacated), as Pusher orders them.
 */
export function depart(hub: Hub, connection: Connection): void {
  const channels = connection.channels();
  for (const channel of channels) exit(hub, connection, channel);
  for (const channel of channels) counted(hub, channel, false);
  signout(hub, connection);
}

/** Out of the channel, and `member_removed` if that was the member's last socket; false if it was not in. */
function exit(hub: Hub, connection: Connection, channel: string): boolean {
  const userId = connection.subscription(channel);
  if (userId === undefined) return false;
  connection.removeSubscription(channel);
  hub.channels.remove(channel, connection);
  hub.emit('unsubscribed', { socketId: connection.socketId, channel });
  if (userId !== null && hub.presence.leave(channel, userId, connection.socketId)) {
    broadcast(hub, channel, 'pusher_internal:member_removed', JSON.stringify({ user_id: userId }));
    hub.emit('member_removed', { channel, userId });
    hub.webhooks.record({ name: 'member_removed', channel, user_id: userId });
  }
  return true;
}

/**
 * Makes final the leave of every socket in the channel that is no longer open. ws marks a socket
 * CLOSING as soon as its close frame is read, but emits 'close' only once the TCP connection ends (a
 * round trip, or 30 s with a client that never ends its side): whatever reads the members (the HTTP
 * API, a presence subscribe, `channelUsers()`) settles first, so it never lists one that left.
 */
export function settle(hub: Hub, channel: string): void {
  for (const connection of hub.channels.departed(channel)) depart(hub, connection);
}

/** `settle()` for every channel at once (the channel list). */
export function settleAll(hub: Hub): void {
  const departed: Connection[] = [];
  for (const connection of hub.connections.values()) if (!connection.open) departed.push(connection);
  for (const connection of departed) depart(hub, connection);
}

function broadcast(hub: Hub, channel: string, event: string, data: string, except?: Connection): void {
  hub.channels.broadcast(channel, JSON.stringify({ event, channel, data }), except);
}

/** The channel webhooks after a join or a leave: occupied, vacated, subscription_count. */
function counted(hub: Hub, channel: string, entered: boolean): void {
  const now = hub.channels.subscriptionCount(channel);
  if (entered && now === 1) hub.webhooks.record({ name: 'channel_occupied', channel });
  if (!entered && now === 0) hub.webhooks.record({ name: 'channel_vacated', channel });
  // Pusher sends subscription_count for channels other than presence ones (those have members)
  if (channelKind(channel) !== 'presence') hub.webhooks.recordCount(channel, now);
}

/** Parses the signed `channel_data`: a user id (string, or a number made a string) and optional user_info. */
function parseChannelData(hub: Hub, channel: string, channelData: string): Member | string {
  const { limits } = hub.options;
  let parsed: unknown;
  try {
    parsed = JSON.parse(channelData);
  } catch {
    return `Invalid channel_data for ${quote(channel)}: not JSON`;
  }
  if (!isRecord(parsed)) return 'Invalid channel_data: a JSON object {user_id, user_info?} is needed';
  const rawId = parsed.user_id;
  if (
    !(typeof rawId === 'string' && rawId !== '') &&
    !(typeof rawId === 'number' && Number.isFinite(rawId))
  ) {
    return `Invalid channel_data: user_id must be a non-empty string, got ${quote(rawId)}`;
  }
  const userId = String(rawId);
  if (userId.length > limits.userIdLength)
    return `The user_id is longer than the allowed ${limits.userIdLength} characters`;
  const info = parsed.user_info ?? null;
  const infoText = stringifyBounded(info);
  if (infoText === undefined)
    return `Invalid channel_data: user_info is nested deeper than ${MAX_DEPTH} levels`;
  if (Buffer.byteLength(infoText) > limits.userInfoBytes) {
    return `The user_info is larger than the allowed ${limits.userInfoBytes} bytes`;
  }
  return { userId, info };
}
