import { html, nothing, type TemplateResult } from 'lit';
import type { Member } from '../types.js';
import { relativeTime } from '../localize.js';
import type { Messages } from '../messages.js';
import { renderAvatar } from './avatar.js';

/**
 * One row: avatar with its dot, name, the status on the line under it (one line, ellipsis; the
 * whole text is the button's name, its title, and shows when expanded by click or Enter), and the
 * relative time in a trailing slot of its own, so nothing a clock tick or an edit does changes the
 * row's height. Text only through bindings: a name like `<img onerror>` stays text.
 */
export function renderRow(
  m: Member,
  expanded: boolean,
  flash: boolean,
  lang: string,
  t: Messages,
  toggle: (id: string) => void,
  /** In a windowed list: this row's place (1-based) and the list's length, for assistive technology. */
  pos = 0,
  size = 0,
): TemplateResult {
  return html`<li
    part="member"
    class="row${expanded ? ' open' : ''}${flash ? ' flash' : ''}"
    data-id=${m.id}
    aria-posinset=${pos || nothing}
    aria-setsize=${size || nothing}
  >
    ${renderAvatar(m)}
    <span class="who"
      ><span part="name" class="name" dir="auto">${m.name}</span>${
        m.status
          ? html`<button
              part="status"
              class="status"
              dir="auto"
              type="button"
              title=${m.status}
              aria-expanded=${expanded}
              @click=${() => toggle(m.id)}
              .textContent=${m.status}
            ></button>`
          : nothing
      }</span
    >
    ${renderTime(m, lang, t)}
  </li>`;
}

export function renderTime(m: Member, lang: string, t: Messages): TemplateResult | typeof nothing {
  if (!m.updatedAt) return nothing;
  const relative = relativeTime(lang, m.updatedAt);
  return html`<time
    part="time"
    class="time"
    datetime=${new Date(m.updatedAt).toISOString()}
    title=${t.updated(relative)}
    >${relative}</time
  >`;
}
