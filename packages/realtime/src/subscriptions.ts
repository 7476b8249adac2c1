import type { Connection } from './connection.js';
import { debug } from './debug.js';
import type { Hub } from './hub.js';
import { MAX_DEPTH, stringifyBounded } from './json.js';
import { channelKind, channelNameProblem, quote, serverToUserId } from './limits.js';
import { channelStringToSign, verifyChannelAuth } from './signatures.js';

/**
 * Channel-scoped refusal, soketi-style: pusher-js emits it on the channel as `pusher:subscription_error`,
 * so app code sees server refusals and failed auth requests the same way.
 */
function refuse(connection: Connection, channel: string, type: string, error: string, status: number): void {
  debug('%s refused %s: %s', connection.socketId, channel, error);
  connection.send({ event: 'pusher:subscription_error', channel, data: { type, error, status } });
}

/** `pusher:subscribe` for public, private-, presence- and #server-to-user- channels. */
export function subscribe(hub: Hub, connection: Connection, data: unknown): void {
  const { limits, key, secret } = hub.options;
  if (!isRecord(data) || typeof data.channel !== 'string') {
    connection.sendError(null, 'Invalid pusher:subscribe: data.channel must be a string');
    return;
  }
  const channel = data.channel;
  const nameProblem = channelNameProblem(channel, limits);
  if (nameProblem !== undefined) {
    const tooLong = channel.length > limits.channelNameLength;
    refuse(connection, channel, tooLong ? 'LimitReached' : 'InvalidChannelName', nameProblem, 4009);
    return;
  }
  const kind = channelKind(channel);
  const channelData = kind === 'presence' ? data.channel_data : undefined;
  if (kind === 'presence' && typeof channelData !== 'string') {
    refuse(
      connection,
      channel,
      'AuthError',
      'Presence subscriptions need channel_data (the string the auth endpoint returned)',
      401,
    );
    return;
  }
  if (kind === 'private' || kind === 'presence') {
    const presenceData = typeof channelData === 'string' ? channelData : undefined;
    if (!verifyChannelAuth(key, secret, data.auth, connection.socketId, channel, presenceData)) {
      const signed = channelStringToSign(connection.socketId, channel, presenceData);
      refuse(
        connection,
        channel,
        'AuthError',
        `Invalid signature: expected HMAC SHA256 hex digest of ${quote(signed)}, but got ${quote(data.auth)}`,
        401,
      );
      return;
    }
  }
  if (kind === 'user' && connection.userId !== serverToUserId(channel)) {
    refuse(
      connection,
      channel,
      'AuthError',
      'Only the signed-in user may subscribe to their #server-to-user- channel',
      401,
    );
    return;
  }
  if (connection.subscription(channel) !== undefined) {
    // subscribing twice changes nothing; answer as the first time so a confused client still settles
    succeeded(hub, connection, channel);
    return;
  }
  if (connection.subscriptionCount >= limits.subscriptionsPerConnection) {
    refuse(
      connection,
      channel,
      'LimitReached',
      `The maximum subscriptions per connection limit (${limits.subscriptionsPerConnection}) was reached`,
      4100,
    );
    return;
  }
  let member: { userId: string; info: unknown } | undefined;
  if (typeof channelData === 'string') {
    const parsed = parseChannelData(hub, channel, channelData);
    if (typeof parsed === 'string') {
      refuse(connection, channel, 'LimitReached', parsed, 4009);
      return;
    }
    if (hub.revoked(parsed.userId, connection)) {
      // an authorization made before the user signed out, replayed on a connection that predates it
      refuse(
        connection,
        channel,
        'AuthError',
        'This user was signed out after this connection opened; reconnect and authorize again',
        401,
      );
      return;
    }
    if (
      !hub.presence.has(channel, parsed.userId) &&
      hub.presence.userCount(channel) >= limits.presenceMembers
    ) {
      refuse(
        connection,
        channel,
        'LimitReached',
        `The maximum members per presence channel limit (${limits.presenceMembers}) was reached`,
        4100,
      );
      return;
    }
    member = parsed;
  }
  hub.channels.add(channel, connection);
  connection.addSubscription(channel, member === undefined ? null : member.userId);
  const added =
    member !== undefined && hub.presence.join(channel, member.userId, member.info, connection.socketId);
  succeeded(hub, connection, channel);
  hub.emit('subscribed', { socketId: connection.socketId, channel });
  if (added && member !== undefined) {
    const frame = {
      event: 'pusher_internal:member_added',
      channel,
      data: JSON.stringify({ user_id: member.userId, user_info: member.info }),
    };
    hub.channels.broadcast(channel, JSON.stringify(frame), connection);
    hub.emit('member_added', { channel, userId: member.userId, info: member.info });
  }
}

/** `pusher:unsubscribe`; a channel never joined is ignored (Pusher sends no reply either way). */
export function unsubscribe(hub: Hub, connection: Connection, data: unknown): void {
  if (!isRecord(data) || typeof data.channel !== 'string') {
    connection.sendError(null, 'Invalid pusher:unsubscribe: data.channel must be a string');
    return;
  }
  leave(hub, connection, data.channel);
}

/** Takes the socket out of a channel; the user's last socket leaving a presence channel is `member_removed`. */
export function leave(hub: Hub, connection: Connection, channel: string): void {
  const userId = connection.subscription(channel);
  if (userId === undefined) return;
  connection.removeSubscription(channel);
  hub.channels.remove(channel, connection);
  hub.emit('unsubscribed', { socketId: connection.socketId, channel });
  if (userId !== null && hub.presence.leave(channel, userId, connection.socketId)) {
    const frame = {
      event: 'pusher_internal:member_removed',
      channel,
      data: JSON.stringify({ user_id: userId }),
    };
    hub.channels.broadcast(channel, JSON.stringify(frame));
    hub.emit('member_removed', { channel, userId });
  }
}

export function leaveAll(hub: Hub, connection: Connection): void {
  for (const channel of connection.channels()) leave(hub, connection, channel);
}

function succeeded(hub: Hub, connection: Connection, channel: string): void {
  if (channelKind(channel) === 'presence') {
    // the members hash is built once per change of members, not once per subscriber
    connection.sendPrepared(hub.presence.subscriptionSucceeded(channel));
    return;
  }
  connection.send({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' });
}

/** Parses the signed `channel_data`: a user id (string, or a number made a string) and optional user_info. */
function parseChannelData(
  hub: Hub,
  channel: string,
  channelData: string,
): { userId: string; info: unknown } | string {
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

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
