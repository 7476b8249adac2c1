import type { ReactiveController, ReactiveControllerHost } from 'lit';

const FLASH_MS = 1600;

/** The rows whose status just changed, highlighted for a moment. */
export class FlashController implements ReactiveController {
  private _timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly _host: ReactiveControllerHost;

  constructor(host: ReactiveControllerHost) {
    this._host = host;
    host.addController(this);
  }

  has(id: string): boolean {
    return this._timers.has(id);
  }

  flash(id: string): void {
    clearTimeout(this._timers.get(id));
    this._timers.set(
      id,
      setTimeout(() => {
        this._timers.delete(id);
        this._host.requestUpdate();
      }, FLASH_MS),
    );
  }

  hostDisconnected(): void {
    this._timers.forEach(clearTimeout);
    this._timers.clear();
  }
}
