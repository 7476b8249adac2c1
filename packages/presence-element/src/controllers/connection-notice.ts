import type { ReactiveController } from 'lit';
import type { PresenceController } from '../presence-controller.js';
import type { ViewHost } from './view-host.js';

/**
 * What the connection notice needs beyond the controller's state: when the connection was lost
 * (the list is as it was then), and a render a second while a retry is counted down.
 */
export class ConnectionNoticeController implements ReactiveController {
  /** When the connection that was up went (epoch ms); 0 while connected or before the first. */
  lostAt = 0;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private readonly _host: ViewHost & EventTarget;
  private readonly _presence: PresenceController;

  constructor(host: ViewHost & EventTarget, presence: PresenceController) {
    this._host = host;
    this._presence = presence;
    host.addController(this);
    host.addEventListener('whatsup-connection-change', (e) => {
      const { previous, current } = (e as CustomEvent<{ previous: string; current: string }>).detail;
      if (current === 'connected' || current === 'disconnected') this.lostAt = 0;
      else if (previous === 'connected') this.lostAt = Date.now();
    });
  }

  /**
   * Whether the live connection is down: not connected, or dropped with a retry announced (pusher-js
   * says `connecting_in` while its state still reads `connected`).
   */
  get down(): boolean {
    const p = this._presence;
    return p.connectionState !== 'connected' || p.retryAt > Date.now();
  }

  hostUpdated(): void {
    if (!this.lostAt && this._presence.everConnected && this._presence.retryAt > Date.now())
      this.lostAt = Date.now();
    if (this._timer || this._presence.retryAt <= Date.now()) return;
    this._timer = setTimeout(() => {
      this._timer = undefined;
      this._host.requestUpdate();
    }, 1000);
  }

  hostDisconnected(): void {
    clearTimeout(this._timer);
    this._timer = undefined;
  }
}
