import { INTERNAL_EVENT_PREFIX, PROTOCOL_EVENT_PREFIX } from '@whatsup/protocol';
import { WhatsupError } from './errors.js';
import { MAX_DEPTH, stringifyBounded } from './json.js';
import type { Hub } from './hub.js';
import { channelKind, channelNameProblem, eventNameProblem, isSocketId, quote } from './limits.js';
import { settle } from './presence.js';

/** One event after validation, ready to go out. */
export interface ValidEvent {
  name: string;
  data: string;
  channels: string[];
  socketId: string | undefined;
}

/** What the pusher library sends (`data` always a string there); in-process callers may pass anything JSON. */
export interface EventInput {
  name: unknown;
  data: unknown;
  channels: unknown;
  socket_id?: unknown;
}

/** Like the pusher library's `ensureJSON`: strings go as they are, anything else is JSON-encoded. */
export function ensureJSON(data: unknown): string {
  if (typeof data === 'string') return data;
  const text = stringifyBounded(data);
  if (text === undefined) {
    throw new WhatsupError(
      400,
      'event.invalid_data',
      `The event data is nested deeper than ${MAX_DEPTH} levels or is not JSON-encodable`,
    );
  }
  return text;
}

/** Checks one event against Pusher's limits; throws a WhatsupError (400, or 413 for oversized data). */
export function validateEvent(hub: Hub, input: EventInput): ValidEvent {
  const { limits } = hub.options;
  const nameProblem = eventNameProblem(input.name, limits);
  if (nameProblem !== undefined) throw new WhatsupError(400, 'event.invalid_name', nameProblem);
  const name = input.name as string;
  if (name.startsWith(INTERNAL_EVENT_PREFIX) || name.startsWith(PROTOCOL_EVENT_PREFIX)) {
    // pusher-js trusts these as the server's own (member_added, subscription_succeeded, errors)
    throw new WhatsupError(
      400,
      'event.invalid_name',
      `Event names starting with ${PROTOCOL_EVENT_PREFIX} or ${INTERNAL_EVENT_PREFIX} are reserved for the server: ${quote(name)}`,
    );
  }
  if (input.data === undefined)
    throw new WhatsupError(400, 'event.missing_data', 'The event needs data (a string)');
  const data = ensureJSON(input.data);
  if (Buffer.byteLength(data) > limits.eventDataBytes) {
    throw new WhatsupError(
      413,
      'event.too_large',
      `The event data is larger than the allowed ${limits.eventDataBytes} bytes`,
    );
  }
  const channels = input.channels;
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new WhatsupError(
      400,
      'event.missing_channels',
      'The event needs channels: a non-empty array of channel names',
    );
  }
  if (channels.length > limits.channelsPerEvent) {
    throw new WhatsupError(
      400,
      'event.too_many_channels',
      `An event may go to at most ${limits.channelsPerEvent} channels, got ${channels.length}`,
    );
  }
  for (const channel of channels) {
    const problem = channelNameProblem(channel, limits);
    if (problem !== undefined) throw new WhatsupError(400, 'channel_name.invalid', problem);
  }
  const socketId = input.socket_id;
  if (socketId !== undefined && socketId !== null && !isSocketId(socketId)) {
    throw new WhatsupError(400, 'socket_id.invalid', `Invalid socket id: ${quote(socketId)}`);
  }
  return {
    name,
    data,
    channels: channels as string[],
    socketId: typeof socketId === 'string' ? socketId : undefined,
  };
}

/** `info` attributes for the channels an event went to (Pusher's `info=user_count,subscription_count`). */
export function eventInfo(
  hub: Hub,
  channels: readonly string[],
  info: unknown,
): Record<string, Record<string, number>> | undefined {
  if (typeof info !== 'string' || info === '') return undefined;
  const wanted = new Set(info.split(','));
  const result: Record<string, Record<string, number>> = {};
  for (const channel of channels) {
    settle(hub, channel);
    const attributes: Record<string, number> = {};
    if (wanted.has('subscription_count'))
      attributes.subscription_count = hub.channels.subscriptionCount(channel);
    if (wanted.has('user_count') && channelKind(channel) === 'presence')
      attributes.user_count = hub.presence.userCount(channel);
    result[channel] = attributes;
  }
  return result;
}

export function publish(hub: Hub, event: ValidEvent): void {
  hub.publish(event.channels, event.name, event.data, event.socketId);
}
