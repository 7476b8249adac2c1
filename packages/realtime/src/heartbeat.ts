import type { WebSocket } from 'ws';

/**
 * Server-side liveness: after `interval` ms without hearing from the client, send a WebSocket ping;
 * no pong (or any frame) within `timeout` ms → the socket is dropped, so a half-open connection does
 * not leave a ghost presence member behind. Browsers answer protocol pings by themselves.
 */
export class Heartbeat {
  readonly #ws: WebSocket;
  readonly #interval: number;
  readonly #timeout: number;
  readonly #onDead: () => void;
  #idle: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;

  constructor(ws: WebSocket, interval: number, timeout: number, onDead: () => void) {
    this.#ws = ws;
    this.#interval = interval;
    this.#timeout = timeout;
    this.#onDead = onDead;
    this.alive();
  }

  /** The client showed a sign of life (a frame or a pong). */
  alive(): void {
    if (this.#deadline !== undefined) {
      clearTimeout(this.#deadline);
      this.#deadline = undefined;
    }
    if (this.#idle !== undefined) {
      this.#idle.refresh();
      return;
    }
    this.#idle = setTimeout(() => this.#ping(), this.#interval).unref();
  }

  stop(): void {
    clearTimeout(this.#idle);
    clearTimeout(this.#deadline);
    this.#idle = undefined;
    this.#deadline = undefined;
  }

  #ping(): void {
    this.#idle = undefined;
    this.#deadline = setTimeout(() => {
      this.#deadline = undefined;
      this.#onDead();
    }, this.#timeout).unref();
    try {
      this.#ws.ping();
    } catch {
      // the socket is already closing; its close handler cleans up
    }
  }
}
