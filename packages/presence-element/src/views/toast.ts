import { html, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Messages } from '../messages.js';
import type { Toast } from '../controllers/toasts.js';

/**
 * The announcements, in a `popover="manual"` box: the top layer, pinned to a corner of the
 * viewport wherever the page is scrolled, above the page's own stacking contexts. Each toast is a
 * `role="status"` card with an icon, its label ("Announcement") and the message, readable on
 * either theme.
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
        html`<div part="toast" class="toast" role="status">
          <svg class="toast-icon" viewBox="0 0 24 24" aria-hidden="true">
            <path
              d="M3 10v4h3l6 4V6L6 10H3zm13.5 2a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"
            />
          </svg>
          <span class="toast-body"
            ><strong class="toast-label">${t.announcementLabel}</strong
            ><span class="toast-text" dir="auto">${toast.message}</span></span
          ><button type="button" class="icon" aria-label=${t.dismiss} @click=${() => dismiss(toast.id)}>
            <span aria-hidden="true">×</span>
          </button>
        </div>`,
    )}
  </div>`;
}
