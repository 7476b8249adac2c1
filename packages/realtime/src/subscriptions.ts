import { channelKind } from '@whatsup/protocol';
import type { Connection } from './connection.js';
import { debug } from './debug.js';
import { CloseCode } from './errors.js';
import type { Hub } from './hub.js';
import { isRecord, quote } from './json.js';
import { channelNameProblem, serverToUserId } from './limits.js';
import { admit, depart, enter, leave, settle, succeeded, type Member, type Refusal } from './presence.js';
import { channelStringToSign, verifyChannelAuth } from './signatures.js';

/**
 * Channel-scoped refusal, soketi-style: pusher-js emits it on the channel as `pusher:subscription_error`,
 * so app code sees server refusals and failed auth requests the same way.
 */
function refuse(connection: Connection, channel: string, { type, error, status }: Refusal | Refused): void {
  debug('%s refused %s: %s', connection.socketId, channel, error);
  connection.send({ event: 'pusher:subscription_error', channel, data: { type, error, status } });
}

interface Refused {
  type: 'InvalidChannelName' | 'LimitReached' | 'AuthError';
  error: string;
  status: number;
}

/** `pusher:subscribe` for public, private-, presence- and #server-to-user- channels: its checks, then `enter()`. */
export function subscribe(hub: Hub, connection: Connection, data: unknown): void {
  if (!counted(hub, connection)) return;
  const { limits, key, secret } = hub.options;
  if (!isRecord(data) || typeof data.channel !== 'string') {
    connection.sendError(null, 'Invalid pusher:subscribe: data.channel must be a string');
    return;
  }
  const channel = data.channel;
  const nameProblem = channelNameProblem(channel, limits);
  if (nameProblem !== undefined) {
    const tooLong = channel.length > limits.channelNameLength;
    refuse(connection, channel, {
      type: tooLong ? 'LimitReached' : 'InvalidChannelName',
      error: nameProblem,
      status: 4009,
    });
    return;
  }
  const kind = channelKind(channel);
  const channelData = kind === 'presence' ? data.channel_data : undefined;
  if (kind === 'presence' && typeof channelData !== 'string') {
    refuse(connection, channel, {
      type: 'AuthError',
      error: 'Presence subscriptions need channel_data (the string the auth endpoint returned)',
      status: 401,
    });
    return;
  }
  if (kind === 'private' || kind === 'presence') {
    const presenceData = typeof channelData === 'string' ? channelData : undefined;
    if (!verifyChannelAuth(key, secret, data.auth, connection.socketId, channel, presenceData)) {
      const signed = channelStringToSign(connection.socketId, channel, presenceData);
      refuse(connection, channel, {
        type: 'AuthError',
        error: `Invalid signature: expected HMAC SHA256 hex digest of ${quote(signed)}, but got ${quote(data.auth)}`,
        status: 401,
      });
      return;
    }
  }
  if (kind === 'user' && connection.userId !== serverToUserId(channel)) {
    refuse(connection, channel, {
      type: 'AuthError',
      error: 'Only the signed-in user may subscribe to their #server-to-user- channel',
      status: 401,
    });
    return;
  }
  if (connection.subscription(channel) !== undefined) {
    // subscribing twice changes nothing; answer as the first time so a confused client still settles
    succeeded(hub, connection, channel);
    return;
  }
  if (connection.subscriptionCount >= limits.subscriptionsPerConnection) {
    refuse(connection, channel, {
      type: 'LimitReached',
      error: `The maximum subscriptions per connection limit (${limits.subscriptionsPerConnection}) was reached`,
      status: 4100,
    });
    return;
  }
  let member: Member | undefined;
  if (typeof channelData === 'string') {
    // the member list the joiner gets, and whether the user is new, must not count one that left
    settle(hub, channel);
    const admitted = admit(hub, connection, channel, channelData);
    if ('type' in admitted) {
      refuse(connection, channel, admitted);
      return;
    }
    member = admitted;
  }
  enter(hub, connection, channel, member);
}

/** `pusher:unsubscribe`; a channel never joined is ignored (Pusher sends no reply either way). */
export function unsubscribe(hub: Hub, connection: Connection, data: unknown): void {
  if (!counted(hub, connection)) return;
  if (!isRecord(data) || typeof data.channel !== 'string') {
    connection.sendError(null, 'Invalid pusher:unsubscribe: data.channel must be a string');
    return;
  }
  leave(hub, connection, data.channel);
}

/**
 * Counts a subscribe or unsubscribe frame against `limits.subscriptionFramesPerMinute`. Past it the
 * connection leaves everything now (one last member_removed) and is closed with 4102: pusher-js
 * reconnects after a back-off, so a client stuck in a loop slows down instead of flooding every member.
 */
function counted(hub: Hub, connection: Connection): boolean {
  if (connection.takeSubscriptionFrame()) return true;
  const { subscriptionFramesPerMinute } = hub.options.limits;
  const message = `Too many subscribe and unsubscribe frames: at most ${subscriptionFramesPerMinute} a minute per connection (limits.subscriptionFramesPerMinute); reconnect later`;
  debug('%s: %s', connection.socketId, message);
  connection.sendError(CloseCode.SUBSCRIPTION_RATE, message);
  depart(hub, connection);
  connection.close(CloseCode.SUBSCRIPTION_RATE, message);
  return false;
}
