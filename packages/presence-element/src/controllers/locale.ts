import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { langOf, packListeners } from '../localize.js';
import { loadPackFor } from '../load-locale.js';

/**
 * The panel's language pack: the one we ship for its language loads on first use (load-locale.ts)
 * while the panel shows English, and a pack added later, by whoever, renders the panel again.
 */
export class LocaleController implements ReactiveController {
  private readonly _host: ReactiveControllerHost & Element;
  private readonly _listener = (): void => this._host.requestUpdate();

  constructor(host: ReactiveControllerHost & Element) {
    this._host = host;
    host.addController(this);
  }

  hostConnected(): void {
    packListeners.add(this._listener);
  }

  hostDisconnected(): void {
    packListeners.delete(this._listener);
  }

  hostUpdate(): void {
    loadPackFor(langOf(this._host));
  }
}
