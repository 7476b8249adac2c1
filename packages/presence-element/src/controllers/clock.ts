import type { ReactiveController, ReactiveControllerHost } from 'lit';

const EVERY_MS = 30_000;
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

/** Moves every panel's clock on at once: what the shared timer does every 30 seconds. */
export function tick(): void {
  listeners.forEach((listener) => listener());
}

/**
 * Relative times ("5 min ago") move on together: one timer for every panel on the page, running
 * while at least one is connected.
 */
export class ClockController implements ReactiveController {
  private readonly _host: ReactiveControllerHost;
  private readonly _listener = (): void => this.retick();

  constructor(host: ReactiveControllerHost) {
    this._host = host;
    host.addController(this);
  }

  hostConnected(): void {
    listeners.add(this._listener);
    timer ??= setInterval(tick, EVERY_MS);
  }

  hostDisconnected(): void {
    listeners.delete(this._listener);
    if (!listeners.size) timer = clearInterval(timer) as undefined;
  }

  /** Renders the host again, so every relative time is computed anew (also when the language changes). */
  retick(): void {
    this._host.requestUpdate();
  }
}
