import type { WebSocket } from 'ws';
import { RateWindow } from './limits.js';
import { debug } from './debug.js';
import { closeReason } from './json.js';

/** Unsent bytes a slow client may have queued before it is dropped. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** A frame the server sends; `data` is a string (Pusher "double encoding") or a small object. */
export interface ServerFrame {
  event: string;
  channel?: string;
  data?: unknown;
  user_id?: string;
}

/** What the server knows about one subscription of one socket. */
export interface Subscription {
  /** Presence channels: the user this socket joined as. */
  userId?: string;
}

/** One pusher-js connection: its socket id, subscriptions, sign-in and liveness. */
export class Connection {
  readonly socketId: string;
  readonly ws: WebSocket;
  readonly subscriptions = new Map<string, Subscription>();
  readonly clientEventRate: RateWindow;
  /** Set by `pusher:signin`. */
  userId: string | undefined;
  closed = false;
  /** Order in which connections opened: an authorization is refused to connections older than its user's sign-out. */
  serial = 0;

  constructor(socketId: string, ws: WebSocket, clientEventsPerSecond: number) {
    this.socketId = socketId;
    this.ws = ws;
    this.clientEventRate = new RateWindow(clientEventsPerSecond);
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(frame: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      // a reader this far behind would hold the process's memory hostage; it reconnects and catches up
      debug('%s is %d bytes behind; dropping it', this.socketId, this.ws.bufferedAmount);
      this.ws.terminate();
      return;
    }
    this.ws.send(frame, (error) => {
      if (error) debug('send to %s failed: %s', this.socketId, error.message);
    });
  }

  /** `pusher:error` keeps the socket open; pusher-js reports it as a connection error. */
  sendError(code: number | null, message: string, channel?: string): void {
    this.send(
      channel === undefined
        ? { event: 'pusher:error', data: { code, message } }
        : { event: 'pusher:error', channel, data: { code, message } },
    );
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      this.ws.close(code, closeReason(reason));
    }
  }
}
