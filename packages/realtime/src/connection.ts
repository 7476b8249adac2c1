import type { RawData, WebSocket } from 'ws';
import { RateWindow } from './limits.js';
import type { Limits } from './options.js';
import { debug } from './debug.js';
import { CloseCode } from './errors.js';
import { closeReason } from './json.js';

/**
 * One outgoing text message, encoded once and sent as the same bytes to every socket it goes to:
 * fan-out then costs one `WebSocket#send` per subscriber, no per-socket JSON or UTF-8 encoding.
 */
export class PreparedFrame {
  /** The JSON text as UTF-8. */
  readonly payload: Buffer;

  constructor(json: string) {
    this.payload = Buffer.from(json);
  }
}

/** `WebSocket#send` options for a prepared frame: a text frame, whatever the Buffer holds. */
const TEXT = Object.freeze({ binary: false });

/** A frame the server sends; `data` is a string (Pusher "double encoding") or a small object. */
export interface ServerFrame {
  event: string;
  channel?: string;
  data?: unknown;
  user_id?: string;
}

/** What a connection reports its frames and its end to. */
export interface ConnectionOwner {
  frame(connection: Connection, raw: RawData, isBinary: boolean): void;
  gone(connection: Connection, code: number): void;
}

/** One pusher-js connection: its socket id, subscriptions, sign-in and liveness. */
export class Connection {
  readonly socketId: string;
  readonly ws: WebSocket;
  /** Set by `pusher:signin`. */
  userId: string | undefined;
  closed = false;
  /** The server's limits (one object shared by every connection). */
  readonly #limits: Limits;
  /**
   * Its subscriptions, each with the user it joined a presence channel as (null elsewhere). Nearly
   * every connection has one: it is kept in two fields, a Map only from the second (a Map and its
   * table were ~190 bytes a connection, a third of what the server itself kept for one).
   */
  #channel: string | undefined;
  #channelUser: string | null = null;
  #more: Map<string, string | null> | undefined;
  /** Made on its first client event: most connections never send one. */
  #clientEventRate: RateWindow | undefined;
  /**
   * `limits.subscriptionFramesPerMinute`, as a window start and a count kept in the connection itself:
   * every connection subscribes, so a RateWindow object would be ~50 bytes more per connection.
   */
  #subscriptionFramesSince = 0;
  #subscriptionFrames = 0;
  /** Order in which connections opened: an authorization is refused to connections older than its user's sign-out. */
  serial = 0;

  /** The address it is counted under (`limits.connectionsPerAddress`). */
  address = '';
  /** Whoever handles its frames and its end (the lifecycle); set once it is open. */
  owner: ConnectionOwner | undefined;
  /** Heartbeat sweeps since the client was last heard from, and since a ping went unanswered (-1: none out). */
  idleTicks = 0;
  pingTicks = -1;

  /** Why the server dropped the socket without a close handshake (reported as the disconnection code). */
  dropCode: number | undefined;

  constructor(socketId: string, ws: WebSocket, limits: Limits) {
    this.socketId = socketId;
    this.ws = ws;
    this.#limits = limits;
  }

  /** Whether the socket is open: false from the moment its close frame arrived (ws: CLOSING). */
  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** undefined: not subscribed to `channel`; null: subscribed, not as a presence member; else the user id. */
  subscription(channel: string): string | null | undefined {
    if (channel === this.#channel) return this.#channelUser;
    return this.#more?.get(channel);
  }

  get subscriptionCount(): number {
    return (this.#channel === undefined ? 0 : 1) + (this.#more?.size ?? 0);
  }

  /** The channels it is subscribed to (a copy: leaving them while iterating is fine). */
  channels(): string[] {
    const more = this.#more === undefined ? [] : [...this.#more.keys()];
    return this.#channel === undefined ? more : [this.#channel, ...more];
  }

  addSubscription(channel: string, userId: string | null): void {
    if (this.#channel === undefined || this.#channel === channel) {
      if (this.#more?.has(channel) !== true) {
        this.#channel = channel;
        this.#channelUser = userId;
        return;
      }
    }
    (this.#more ??= new Map()).set(channel, userId);
  }

  removeSubscription(channel: string): void {
    if (channel === this.#channel) {
      this.#channel = undefined;
      this.#channelUser = null;
      return;
    }
    this.#more?.delete(channel);
    if (this.#more?.size === 0) this.#more = undefined;
  }

  /** Counts one client event against `limits.clientEventsPerSecond`; false when it is over. */
  takeClientEvent(): boolean {
    this.#clientEventRate ??= new RateWindow(this.#limits.clientEventsPerSecond, 1000);
    return this.#clientEventRate.take();
  }

  /** Counts one subscribe or unsubscribe frame against `limits.subscriptionFramesPerMinute`; false when over. */
  takeSubscriptionFrame(now = Date.now()): boolean {
    if (now - this.#subscriptionFramesSince >= 60_000) {
      this.#subscriptionFramesSince = now;
      this.#subscriptionFrames = 0;
    }
    if (this.#subscriptionFrames >= this.#limits.subscriptionFramesPerMinute) return false;
    this.#subscriptionFrames += 1;
    return true;
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(frame: string): void {
    if (!this.#writable()) return;
    // no callback: a failed write surfaces as the socket's 'error' and 'close', which clean up
    this.ws.send(frame);
  }

  /** Sends a frame prepared once for many sockets; the bytes are shared (ws frames them without a copy). */
  sendPrepared(frame: PreparedFrame): void {
    if (!this.#writable()) return;
    this.ws.send(frame.payload, TEXT);
  }

  /**
   * Open and not too far behind. A reader over `limits.sendBufferBytes` (ws's `bufferedAmount`)
   * would hold the process's memory hostage; the close frame would queue behind what it does not
   * read, so it is cut at once and reconnects to catch up.
   */
  #writable(): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    const behind = this.ws.bufferedAmount;
    if (behind <= this.#limits.sendBufferBytes) return true;
    debug('%s is %d bytes behind; dropping it (%d)', this.socketId, behind, CloseCode.SLOW_CONSUMER);
    this.dropCode = CloseCode.SLOW_CONSUMER;
    this.ws.terminate();
    return false;
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
