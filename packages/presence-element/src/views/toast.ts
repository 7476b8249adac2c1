import { html, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Messages } from '../messages.js';
import type { Toast } from '../controllers/toasts.js';

/**
 * The announcements, in a `popover="manual"` box: the top layer, pinned to a corner of the
 * viewport wherever the page is scrolled, above the page's own stacking contexts. Each toast is a
 * `role="status"` so screen readers announce it politely.
 */
export function renderToasts(
  toasts: readonly Toast[],
  t: Messages,
  dismiss: (id: number) => void,
  hold: (held: boolean) => void,
): TemplateResult {
  return html`<div
    part="toasts"
    class="toasts"
    popover="manual"
    @mouseenter=${() => hold(true)}
    @mouseleave=${() => hold(false)}
    @focusin=${() => hold(true)}
    @focusout=${() => hold(false)}
    @keydown=${(e: KeyboardEvent) => {
      if (e.key === 'Escape' && toasts[0]) {
        e.preventDefault();
        dismiss(toasts[0].id);
      }
    }}
  >
    ${repeat(
      toasts,
      (toast) => toast.id,
      (toast) =>
        html`<div part="toast" class="toast" role="status" aria-label=${t.announcementLabel}>
          <span class="toast-text">${toast.message}</span
          ><button type="button" class="icon" aria-label=${t.dismiss} @click=${() => dismiss(toast.id)}>
            <span aria-hidden="true">×</span>
          </button>
        </div>`,
    )}
  </div>`;
}
