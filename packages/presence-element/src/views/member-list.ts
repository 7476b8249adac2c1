import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { pluralOf } from '../localize.js';
import { renderRow } from './member-row.js';
import { renderMine } from './me-row.js';
import { renderRecent } from './recent.js';
import { renderNotice } from './notice.js';
import type { PanelView } from './panel-view.js';

/**
 * Signed in: the connection's trouble if any, "N people online" with Sign out, then the list in a
 * box of its own that scrolls above `--whatsup-list-height` (a fade where it is cut): a filter
 * box from FILTER_AT people, me, then everyone else. The list is a listbox with one tab stop. A
 * big room renders the rows in view only: the same `<ul>`, with the rows out of view stood in
 * for by two spacers, every rendered row saying where it is in the whole list
 * (aria-posinset/setsize).
 */
export function renderList(v: PanelView): TemplateResult {
  const { t, lang, presence, list, keys } = v;
  const count = presence.count;
  const me = presence.me;
  const { windowed, filtering, people, shown, from, rowHeight } = list.window(presence.others);
  const mine = me ? 1 : 0;
  const size = people.length + mine;
  const stop = keys.stop(me, shown);
  const spacer = (rows: number) =>
    rows > 0 ? html`<li class="spacer" role="none" style="block-size:${rows * rowHeight}px"></li>` : nothing;
  const stale = presence.everConnected && v.notice.down;
  return html`${renderNotice(v)}
    <div class="head">
      <h2 class="title" id="list-title">${t.online(count, pluralOf(lang, count))}</h2>
      ${renderSignOut(v)}
    </div>
    ${me ? renderMine(me, v) : nothing}
    <div
      class="scroller ${list.cut}${filtering ? ' filtering' : ''}${stale ? ' stale' : ''}"
      @scroll=${list.onScroll}
    >
      ${
        filtering
          ? html`<div class="find">
              <input
                part="filter"
                class="filter"
                type="search"
                dir="auto"
                aria-label=${t.find}
                placeholder=${t.find}
                .value=${list.filter}
                @input=${list.onFilter}
              />
            </div>`
          : nothing
      }
      <ul
        part="list"
        class=${windowed ? 'list windowed' : 'list'}
        role="listbox"
        aria-labelledby="list-title"
        @keydown=${keys.onKeyDown}
        @focusin=${keys.onFocusIn}
        @click=${keys.onClick}
      >
        ${me ? renderRow(me, false, false, lang, t, { pos: windowed ? 1 : 0, size: windowed ? size : 0, tabIndex: me.id === stop ? 0 : -1 }, true) : nothing}
        ${spacer(from)}
        ${repeat(
          shown,
          (m) => m.id,
          // Keyed: a row's DOM stays with its person when others join or leave around it.
          (m, i) =>
            renderRow(m, v.expanded.has(m.id), v.flashes.has(m.id), lang, t, {
              pos: windowed ? from + i + 1 + mine : 0,
              size: windowed ? size : 0,
              tabIndex: m.id === stop ? 0 : -1,
            }),
        )}
        ${spacer(people.length - from - shown.length)}
      </ul>
    </div>
    ${
      presence.others.length
        ? people.length
          ? nothing
          : html`<p part="hint" class="hint" role="status">${t.noMatch}</p>`
        : presence.everConnected
          ? html`<p part="hint" class="hint">${t.nobodyElse}</p>`
          : // Before the first connection: "Connecting…" while the first try lasts, then the notice says it.
            !presence.retryAt && ['initialized', 'connecting'].includes(presence.connectionState)
            ? html`<p part="hint" class="hint">${t.connecting}</p>`
            : nothing
    }
    ${v.showRecent ? renderRecent(presence.recent, lang, t) : nothing}`;
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
