import { CLIENT_EVENT_PREFIX } from '@whatsup/protocol';
import type { RawData } from 'ws';
import { clientEvent } from './client-events.js';
import type { Connection } from './connection.js';
import { debug } from './debug.js';
import type { Hub } from './hub.js';
import { isRecord, quote } from './json.js';
import { signin } from './signin.js';
import { subscribe, unsubscribe } from './subscriptions.js';

/** One frame from a client. Anything malformed gets a `pusher:error`; the socket stays open. */
export function handleFrame(hub: Hub, connection: Connection, raw: RawData, isBinary: boolean): void {
  if (isBinary) {
    connection.sendError(null, 'Binary frames are not supported; send JSON text frames');
    return;
  }
  let frame: unknown;
  try {
    frame = JSON.parse(raw.toString());
  } catch {
    connection.sendError(null, 'Invalid message: not JSON');
    return;
  }
  if (!isRecord(frame) || typeof frame.event !== 'string') {
    connection.sendError(null, 'Invalid message: a JSON object with a string "event" is needed');
    return;
  }
  const { event } = frame;
  switch (event) {
    case 'pusher:ping':
      connection.send({ event: 'pusher:pong', data: {} });
      return;
    case 'pusher:pong':
      return;
    case 'pusher:subscribe':
      subscribe(hub, connection, frame.data);
      return;
    case 'pusher:unsubscribe':
      unsubscribe(hub, connection, frame.data);
      return;
    case 'pusher:signin':
      signin(hub, connection, frame.data);
      return;
  }
  if (event.startsWith(CLIENT_EVENT_PREFIX)) {
    clientEvent(hub, connection, event, frame.channel, frame.data);
    return;
  }
  // Pusher ignores events it does not know; so do we, so newer clients keep working
  debug('%s sent unknown event %s', connection.socketId, quote(event));
}
