import { html, type ReactiveController, type TemplateResult } from 'lit';
import type { ViewHost } from './view-host.js';

const EVERY_MS = 1000;
const AT_ONCE = 5;

/**
 * What screen readers hear of the room (joins, leaves, status changes): batched into one polite
 * message a second at most, the first five in full and "and N more".
 */
export class AnnouncerController implements ReactiveController {
  private _queue: string[] = [];
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private readonly _host: ViewHost;
  private readonly _more: (count: number) => string;

  constructor(host: ViewHost, more: (count: number) => string) {
    this._host = host;
    this._more = more;
    host.addController(this);
  }

  hostDisconnected(): void {
    clearTimeout(this._timer);
    this._timer = undefined;
  }

  announce(text: string): void {
    this._queue.push(text);
    this._timer ??= setTimeout(() => {
      this._timer = undefined;
      const items = this._queue.splice(0);
      const text =
        items.length > AT_ONCE
          ? `${items.slice(0, AT_ONCE).join('. ')}. ${this._more(items.length - AT_ONCE)}.`
          : items.join('. ');
      const region = this._host.renderRoot.querySelector('[data-live]');
      if (region) region.textContent = text;
    }, EVERY_MS);
  }

  /** The live region the announcements are written to (its text is set directly, not rendered). */
  render(): TemplateResult {
    return html`<div class="sr-only" aria-live="polite" data-live></div>`;
  }
}
