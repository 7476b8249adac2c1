import { html, nothing, type TemplateResult } from 'lit';
import { clockTime, secondsOf } from '../localize.js';
import type { PanelView } from './panel-view.js';

/**
 * The connection's trouble, in plain words for visitors (the diagnosis for the site's developer
 * goes to the console): a live server that cannot be reached, or a connection that dropped, when
 * the next try is (counted down, shown only: the live region is told once), and since when the
 * list is kept as it was. A refusal (wrong key, channel not allowed) says live updates are off.
 */
export function renderNotice({ presence: c, t, lang, notice }: PanelView): TemplateResult | typeof nothing {
  if (c.error) return html`<p part="error" class="error" role="alert">${t.liveUnavailable}</p>`;
  const s = c.connectionState;
  if (!notice.down || s === 'disconnected' || s === 'initialized') return nothing;
  // The first try, still going: the list says "Connecting…".
  if (!c.everConnected && s === 'connecting' && !c.retryAt) return nothing;
  if (s === 'failed') return html`<p part="error" class="error" role="alert">${t.liveUnavailable}</p>`;
  const wait = Math.ceil((c.retryAt - Date.now()) / 1000);
  const lost = notice.lostAt || Date.now();
  const what = c.everConnected ? `${t.reconnecting} ${t.stale(clockTime(lang, lost))}` : t.cannotReach;
  return html`<p part="connection" class="connection" role="status">
    ${what}
    ${
      wait > 0
        ? html`<span class="sr-only">${t.retrying}</span
            ><span class="retry" aria-hidden="true">${t.retryIn(secondsOf(lang, wait))}</span>`
        : html`<span class="retry">${t.retrying}</span>`
    }
  </p>`;
}
