import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { pluralOf } from '../localize.js';
import { renderRow } from './member-row.js';
import { renderMe } from './me-row.js';
import { renderRecent } from './recent.js';
import type { PanelView } from './panel-view.js';

/**
 * Signed in: the connection's trouble if any, "N people online" with Sign out, me, then everyone
 * else. A big room renders the rows in view only: the same `<ul>`, with the rows out of view stood
 * in for by two spacers, every rendered row saying where it is in the whole list
 * (aria-posinset/setsize), and a filter box above.
 */
export function renderList(v: PanelView): TemplateResult {
  const { t, lang, presence } = v;
  const count = presence.count;
  const me = presence.me;
  const { windowed, people, shown, from, rowHeight } = v.list.window(presence.others);
  const mine = me ? 1 : 0;
  const size = people.length + mine;
  const spacer = (rows: number) =>
    rows > 0
      ? html`<li class="spacer" aria-hidden="true" style="block-size:${rows * rowHeight}px"></li>`
      : nothing;
  return html`${renderConnection(v)}
    <div class="head">
      <h2 class="title" id="list-title">${t.online(count, pluralOf(lang, count))}</h2>
      ${renderSignOut(v)}
    </div>
    ${
      windowed
        ? html`<input
            part="filter"
            class="filter"
            type="search"
            dir="auto"
            aria-label=${t.find}
            placeholder=${t.find}
            .value=${v.list.filter}
            @input=${v.list.onFilter}
          />`
        : nothing
    }
    <ul
      part="list"
      class=${windowed ? 'list windowed' : 'list'}
      aria-labelledby="list-title"
      @scroll=${windowed ? v.list.onScroll : nothing}
    >
      ${me ? renderMe(me, v) : nothing} ${spacer(from)}
      ${repeat(
        shown,
        (m) => m.id,
        // Keyed: a row's DOM stays with its person when others join or leave around it.
        (m, i) => {
          const pos = windowed ? from + i + 1 + mine : 0;
          return renderRow(
            m,
            v.expanded.has(m.id),
            v.flashes.has(m.id),
            lang,
            t,
            v.toggle,
            pos,
            windowed ? size : 0,
          );
        },
      )}
      ${spacer(people.length - from - shown.length)}
    </ul>
    ${
      presence.others.length
        ? people.length
          ? nothing
          : html`<p part="hint" class="hint" role="status">${t.noMatch}</p>`
        : html`<p part="hint" class="hint">${t.nobodyElse}</p>`
    }
    ${v.showRecent ? renderRecent(presence.recent, lang, t, v.toggle) : nothing}
    ${presence.error ? html`<p part="error" class="error" role="alert">${presence.error}</p>` : nothing}`;
}

/** "Reconnecting…" or "Offline": before the first connection the list itself says "loading". */
function renderConnection({ presence, t }: PanelView): TemplateResult | typeof nothing {
  const s = presence.connectionState;
  if (!presence.everConnected || s === 'connected' || s === 'disconnected') return nothing;
  const text = s === 'unavailable' || s === 'failed' ? t.offline : t.reconnecting;
  return html`<p part="connection" class="connection" role="status">${text}</p>`;
}

function renderSignOut({ presence, t, logoutUrl, signOut }: PanelView): TemplateResult | typeof nothing {
  if (presence.mode === 'identify') {
    // The site owns the session: its own Sign out is the one that works.
    return logoutUrl ? html`<a part="sign-out" class="link" href=${logoutUrl}>${t.signOut}</a>` : nothing;
  }
  return html`<button part="sign-out" type="button" class="link" @click=${() => signOut()}>
    ${t.signOut}
  </button>`;
}
