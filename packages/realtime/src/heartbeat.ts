import type { Connection } from './connection.js';
import { debug } from './debug.js';

/**
 * Server-side liveness for every connection, on one timer: after `interval` ms without hearing from
 * a client, send it a WebSocket ping; no pong (or any frame) within `timeout` ms → its socket is
 * dropped, so a half-open connection does not leave a ghost presence member behind. Browsers answer
 * protocol pings by themselves.
 *
 * One sweep every quarter of the shorter period instead of a timer (and its closure) per socket: at
 * 10,000 connections that was a Timeout, a closure and a Heartbeat object each, ~300 bytes of heap.
 * The price is precision: a ping goes out up to a quarter period late, as uWebSockets' idle sweep does.
 */
export class Heartbeats {
  readonly #connections: () => Iterable<Connection>;
  readonly #idleTicks: number;
  readonly #pongTicks: number;
  readonly #timer: NodeJS.Timeout;

  constructor(connections: () => Iterable<Connection>, interval: number, timeout: number) {
    this.#connections = connections;
    const tick = Math.max(5, Math.min(interval, timeout) / 4);
    this.#idleTicks = Math.max(1, Math.round(interval / tick));
    this.#pongTicks = Math.max(1, Math.round(timeout / tick));
    this.#timer = setInterval(() => this.#sweep(), tick).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sweep(): void {
    for (const connection of this.#connections()) {
      if (connection.closed) continue;
      // anything read since the last sweep (a pong, a frame, part of one) is a sign of life
      const read = connection.bytesReceived();
      if (read !== undefined && read !== connection.bytesRead) {
        connection.bytesRead = read;
        alive(connection);
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
  }
}

/** The client showed a sign of life (a frame or a pong). */
export function alive(connection: Connection): void {
  connection.idleTicks = 0;
  connection.pingTicks = -1;
}
