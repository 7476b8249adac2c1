import type { Connection } from './connection.js';
import { debug } from './debug.js';

/**
 * Server-side liveness for every connection, on one timer: after `interval` ms without hearing from
 * a client (a frame, or a pong: ws's 'message' and 'pong' events), send it a WebSocket ping; no pong
 * (or any frame) within `timeout` ms → its socket is dropped, so a half-open connection does not
 * leave a ghost presence member behind. Browsers answer protocol pings by themselves. A socket whose
 * close frame came but whose TCP connection lingers (ws waits up to 30 s for it) is handed to
 * `closing`, so its leave does not wait for that either.
 *
 * One sweep every quarter of the shorter period instead of a timer (and its closure) per socket: at
 * 10,000 connections that was a Timeout, a closure and a Heartbeat object each, ~300 bytes of heap.
 * The price is precision: a ping goes out up to a quarter period late, as uWebSockets' idle sweep does.
 */
export class Heartbeats {
  readonly #connections: () => Iterable<Connection>;
  readonly #closing: (connection: Connection) => void;
  readonly #idleTicks: number;
  readonly #pongTicks: number;
  readonly #timer: NodeJS.Timeout;

  constructor(
    connections: () => Iterable<Connection>,
    closing: (connection: Connection) => void,
    interval: number,
    timeout: number,
  ) {
    this.#connections = connections;
    this.#closing = closing;
    const tick = Math.max(5, Math.min(interval, timeout) / 4);
    this.#idleTicks = Math.max(1, Math.round(interval / tick));
    this.#pongTicks = Math.max(1, Math.round(timeout / tick));
    this.#timer = setInterval(() => this.#sweep(), tick).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sweep(): void {
    const closing: Connection[] = [];
    for (const connection of this.#connections()) {
      if (connection.closed) continue;
      if (!connection.open) {
        closing.push(connection);
        continue;
      }
      if (connection.pingTicks >= 0) {
        connection.pingTicks += 1;
        if (connection.pingTicks < this.#pongTicks) continue;
        debug('%s did not answer a ping in time; dropping it', connection.socketId);
        connection.pingTicks = -1;
        connection.ws.terminate();
        continue;
      }
      connection.idleTicks += 1;
      if (connection.idleTicks < this.#idleTicks) continue;
      connection.idleTicks = 0;
      connection.pingTicks = 0;
      try {
        connection.ws.ping();
      } catch {
        // the socket is already closing; its close handler cleans up
      }
    }
    // after the walk: a leave changes the Map being walked
    for (const connection of closing) this.#closing(connection);
  }
}

/** The client showed a sign of life (a frame or a pong). */
export function alive(connection: Connection): void {
  connection.idleTicks = 0;
  connection.pingTicks = -1;
}
