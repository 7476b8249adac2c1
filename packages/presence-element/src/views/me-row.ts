import { html, nothing, type TemplateResult } from 'lit';
import type { Member } from '../types.js';
import { statusText } from '../members.js';
import { renderAvatar } from './avatar.js';
import { presenceOf, renderPresence, renderTime } from './member-row.js';
import { renderStatusEditor } from './status-editor.js';
import type { PanelView } from './panel-view.js';

/**
 * My row, first in the list: my status is a button that opens the editor (a dialog over the row);
 * a refusal shows under it. My availability, when I chose one, stands beside my name.
 */
export function renderMe(me: Member, v: PanelView): TemplateResult {
  const { t, lang, presence, draft } = v;
  const error = presence.statusError;
  const text = statusText(me);
  const availability = me.availability ?? 'auto';
  return html`<li part="member me" class="row mine ${presenceOf(me)}" data-id=${me.id}>
    ${renderAvatar(me)}
    <span class="who">
      <span class="line"
        ><span part="name" class="name" dir="auto">${me.name}</span> <span class="you">${t.you}</span>${
          availability === 'auto'
            ? renderPresence(me, lang, t)
            : // Short on the row (the name keeps the room); the whole hint is its title.
              html`<span
                part="presence availability-label"
                class="you avail"
                title=${availability === 'dnd' ? t.editorAvails[1]! : t.editorInvisible}
                >${t.editorAvails[availability === 'dnd' ? 1 : 2]}</span
              >`
        }</span
      >
      <button
        part="status"
        type="button"
        dir="auto"
        class=${text ? 'status mine' : 'status mine empty'}
        title=${t.editStatusHint}
        aria-label=${`${t.statusLabel}: ${text || t.emptyStatus}. ${t.editStatusHint}`}
        aria-describedby=${error ? 'status-error' : nothing}
        aria-haspopup="dialog"
        @click=${() => void draft.start()}
        @keydown=${draft.onStatusKey}
        .textContent=${text || t.emptyStatus}
      ></button>
    </span>
    ${renderTime(me, lang, t)}
    ${error && !draft.editing ? html`<span id="status-error" class="field-error" role="alert">${error}</span>` : nothing}
    ${
      draft.editing
        ? renderStatusEditor(
            {
              ...draft.draft,
              availability,
              max: presence.limits.status,
              presets: presence.presets,
              error,
              field: draft.field,
            },
            t,
            {
              set: (patch) => draft.set(patch),
              availability: (value) => v.setAvailability(value),
              done: (save) => void draft.finish(save, true),
              leave: draft.onFocusOut,
            },
          )
        : nothing
    }
  </li>`;
}
