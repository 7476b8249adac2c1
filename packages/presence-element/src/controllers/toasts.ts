import type { ReactiveController } from 'lit';
import { focusIn, type ViewHost } from './view-host.js';
import { POPOVER } from './popover.js';

export interface Toast {
  id: number;
  message: string;
}

const AT_ONCE = 3;
const DEFAULT_MS = 5000;

/**
 * The announcements shown as toasts: up to three at once, newest last, the rest waiting their turn;
 * each goes after `duration()` ms, and hover or focus holds them all (WCAG 2.2.1). The box is a
 * `popover="manual"` in the top layer, open while it holds a toast.
 */
export class ToastController implements ReactiveController {
  /** The toasts on screen, oldest first. */
  toasts: readonly Toast[] = [];
  private _queue: Toast[] = [];
  private _lastId = 0;
  private _timers = new Map<number, ReturnType<typeof setTimeout>>();
  private _held = false;
  private readonly _host: ViewHost;
  private readonly _duration: () => number;

  constructor(host: ViewHost, duration: () => number) {
    this._host = host;
    this._duration = duration;
    host.addController(this);
  }

  show(message: string): void {
    this._queue.push({ id: ++this._lastId, message });
    this._next();
  }

  /** Hover or focus holds every toast; leaving starts their full time again. */
  hold(held: boolean): void {
    this._held = held;
    for (const toast of this.toasts) {
      if (held) clearTimeout(this._timers.get(toast.id));
      else this._time(toast.id);
    }
  }

  dismiss(id: number): void {
    clearTimeout(this._timers.get(id));
    this._timers.delete(id);
    const box = this._host.renderRoot.querySelector('.toasts');
    const hadFocus = box?.contains((this._host.renderRoot as ShadowRoot).activeElement) ?? false;
    this.toasts = this.toasts.filter((t) => t.id !== id);
    this._next();
    if (hadFocus) {
      this._held = false;
      // Focus was on a dismiss button: keep it in the panel rather than dropping it to <body>.
      void this._host.updateComplete.then(() =>
        focusIn(this._host, '.toasts button, [part~="me"], input, button'),
      );
    }
  }

  hostUpdated(): void {
    const box = this._host.renderRoot.querySelector<HTMLElement>('.toasts');
    // Without the Popover API the box is a fixed corner of the viewport all along.
    if (!box?.isConnected || !POPOVER) return;
    const open = box.matches(':popover-open');
    if (this.toasts.length && !open) box.showPopover();
    else if (!this.toasts.length && open) box.hidePopover();
  }

  hostDisconnected(): void {
    this._timers.forEach(clearTimeout);
    this._timers.clear();
  }

  private _next(): void {
    while (this.toasts.length < AT_ONCE && this._queue.length) {
      const toast = this._queue.shift()!;
      this.toasts = [...this.toasts, toast];
      if (!this._held) this._time(toast.id);
    }
    this._host.requestUpdate();
  }

  private _time(id: number): void {
    const ms = this._duration();
    clearTimeout(this._timers.get(id));
    this._timers.set(
      id,
      setTimeout(() => this.dismiss(id), Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_MS),
    );
  }
}
