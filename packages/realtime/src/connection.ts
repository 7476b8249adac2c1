import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { RateWindow } from './limits.js';
import type { Limits } from './options.js';
import { debug } from './debug.js';
import { CloseCode } from './errors.js';
import { closeReason } from './json.js';

/**
 * One outgoing text message, serialized and WebSocket-framed once and written as the same bytes to
 * every socket it goes to: fan-out then costs one write per subscriber, no per-socket encoding.
 */
export class PreparedFrame {
  /** The JSON text as UTF-8: a view into `wire`, not a second copy (a big room's frame is held while it lasts). */
  readonly payload: Buffer;
  /** The whole unmasked server frame (FIN, opcode 1, length, payload) as it goes on the wire. */
  readonly wire: Buffer;

  constructor(json: string) {
    const length = Buffer.byteLength(json);
    // RFC 6455 §5.2: 7-bit length, or 126 + 16-bit, or 127 + 64-bit
    const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
    const wire = Buffer.allocUnsafe(headerLength + length);
    wire[0] = 0x81;
    if (headerLength === 2) {
      wire[1] = length;
    } else if (headerLength === 4) {
      wire[1] = 126;
      wire.writeUInt16BE(length, 2);
    } else {
      wire[1] = 127;
      wire.writeUInt32BE(0, 2);
      wire.writeUInt32BE(length, 6);
    }
    wire.write(json, headerLength, 'utf8');
    this.wire = wire;
    this.payload = wire.subarray(headerLength);
  }
}

/**
 * The raw socket under a `ws` WebSocket when writing to it directly is safe: with no extension
 * (no permessage-deflate, which the server never enables) ws 8's Sender writes every frame
 * synchronously and queues nothing, so our writes and its own (pings, close) stay in order.
 */
function rawSocket(ws: WebSocket): Duplex | undefined {
  const socket = (ws as unknown as { _socket?: Duplex })._socket;
  return ws.extensions === '' && socket !== undefined && typeof socket.write === 'function'
    ? socket
    : undefined;
}

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
  readonly #socket: (Duplex & { bytesRead?: number }) | undefined;
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
  /** Order in which connections opened: an authorization is refused to connections older than its user's sign-out. */
  serial = 0;

  /** The address it is counted under (`limits.connectionsPerAddress`). */
  address = '';
  /** Whoever handles its frames and its end (the lifecycle); set once it is open. */
  owner: ConnectionOwner | undefined;
  /** Heartbeat sweeps since the client was last heard from, and since a ping went unanswered (-1: none out). */
  idleTicks = 0;
  pingTicks = -1;
  /** The socket's bytesRead at the last sweep: bytes arriving (a pong, any frame) are a sign of life. */
  bytesRead = 0;

  /** Why the server dropped the socket without a close handshake (reported as the disconnection code). */
  dropCode: number | undefined;

  constructor(socketId: string, ws: WebSocket, limits: Limits) {
    this.socketId = socketId;
    this.ws = ws;
    this.#limits = limits;
    this.#socket = rawSocket(ws);
  }

  /**
   * Bytes read from the client so far, or undefined when the socket under ws is not a plain one (then
   * liveness comes from ws's 'pong' event instead).
   */
  bytesReceived(): number | undefined {
    const read = this.#socket?.bytesRead;
    return typeof read === 'number' ? read : undefined;
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
    this.#clientEventRate ??= new RateWindow(this.#limits.clientEventsPerSecond);
    return this.#clientEventRate.take();
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(frame: string): void {
    if (!this.#writable()) return;
    // no callback: a failed write surfaces as the socket's 'error' and 'close', which clean up
    this.ws.send(frame);
  }

  /** Writes a frame prepared once for many sockets; the bytes are shared, nothing is copied. */
  sendPrepared(frame: PreparedFrame): void {
    if (!this.#writable()) return;
    if (this.#socket !== undefined) this.#socket.write(frame.wire);
    else this.ws.send(frame.payload, { binary: false });
  }

  /**
   * Open and not too far behind. A reader over `limits.sendBufferBytes` (raw writes count: ws reads
   * the socket's own queue) would hold the process's memory hostage; the close frame would queue
   * behind what it does not read, so it is cut at once and reconnects to catch up.
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
