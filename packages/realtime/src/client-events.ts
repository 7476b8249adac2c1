import type { Connection, ServerFrame } from './connection.js';
import { CloseCode } from './errors.js';
import type { Hub } from './hub.js';
import { MAX_DEPTH, stringifyBounded } from './json.js';
import { channelKind, eventNameProblem } from './limits.js';

/**
 * A `client-*` event: relayed to the channel's other subscribers as Pusher documents it — private and
 * presence channels only, sender must be subscribed, never echoed, `user_id` stamped on presence
 * channels (trust it, never an id inside `data`), 10 per second per connection. Every refusal is a
 * `pusher:error` and the socket stays open (a 43xx close code would stop pusher-js reconnecting).
 */
export function clientEvent(
  hub: Hub,
  connection: Connection,
  event: string,
  channel: unknown,
  data: unknown,
): void {
  const { limits, clientEvents } = hub.options;
  if (!clientEvents) {
    connection.sendError(
      CloseCode.CLIENT_EVENT_REJECTED,
      'Client events are not enabled for this app (clientEvents option)',
      typeof channel === 'string' ? channel : undefined,
    );
    return;
  }
  if (typeof channel !== 'string') {
    // the only refusal without a channel: the frame named none
    connection.sendError(null, `Client event ${event} rejected: a channel is needed`);
    return;
  }
  const kind = channelKind(channel);
  if (kind !== 'private' && kind !== 'presence') {
    connection.sendError(
      null,
      'Client event rejected - only supported on private and presence channels',
      channel,
    );
    return;
  }
  const userId = connection.subscription(channel);
  if (userId === undefined) {
    connection.sendError(
      null,
      'Client event rejected - the sender must be subscribed to the channel',
      channel,
    );
    return;
  }
  const nameProblem = eventNameProblem(event, limits);
  if (nameProblem !== undefined) {
    connection.sendError(null, `Client event rejected - ${nameProblem}`, channel);
    return;
  }
  const payload = typeof data === 'string' ? data : stringifyBounded(data ?? {});
  if (payload === undefined) {
    connection.sendError(
      null,
      `Client event rejected - data is nested deeper than ${MAX_DEPTH} levels`,
      channel,
    );
    return;
  }
  if (Buffer.byteLength(payload) > limits.eventDataBytes) {
    connection.sendError(
      null,
      `Client event rejected - data is larger than the allowed ${limits.eventDataBytes} bytes`,
      channel,
    );
    return;
  }
  if (!connection.takeClientEvent()) {
    connection.sendError(
      CloseCode.CLIENT_EVENT_REJECTED,
      `Client event rejected due to rate limit (${limits.clientEventsPerSecond} per second)`,
      channel,
    );
    return;
  }
  const frame: ServerFrame = { event, channel, data: payload };
  if (userId !== null) frame.user_id = userId;
  hub.channels.broadcast(channel, JSON.stringify(frame), connection);
  hub.emit('client_event', {
    socketId: connection.socketId,
    channel,
    event,
    data: payload,
    ...(userId === null ? {} : { userId }),
  });
  hub.webhooks.record({
    name: 'client_event',
    channel,
    event,
    data: payload,
    socket_id: connection.socketId,
    ...(userId === null ? {} : { user_id: userId }),
  });
}
