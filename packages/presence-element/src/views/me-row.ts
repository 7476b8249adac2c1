import { html, nothing, type TemplateResult } from 'lit';
import type { Member } from '../types.js';
import type { PanelView } from './panel-view.js';

/**
 * What goes with my row, outside the list (whose options hold text only): why my last change was
 * refused, and the status editor, a dialog in the top layer placed over my row. My row itself is
 * the list's first option (`renderRow(…, mine)`): Enter, Space or a click opens the editor. The
 * editor is a chunk of its own: opened before it is here, "Loading…" says so; if it could not
 * load, an error does (the next open tries again).
 */
export function renderMine(me: Member, v: PanelView): TemplateResult {
  const { t, presence, draft } = v;
  const error = presence.statusError;
  const editor = draft.editing ? draft.editor : null;
  return html`<span id="edit-hint" class="sr-only">${t.editStatusHint}</span> ${
      draft.loading
        ? html`<p class="loading" role="status">${t.loading}</p>`
        : draft.loadFailed
          ? html`<p id="status-error" class="field-error" role="alert">${t.genericError}</p>`
          : !error || editor
            ? nothing
            : presence.statusPending
              ? html`<p id="status-error" class="field-error pending" role="status">${error}</p>`
              : html`<p id="status-error" class="field-error" role="alert">${error}</p>`
    }
    ${
      editor
        ? editor.render(
            {
              ...draft.draft,
              availability: me.availability ?? 'auto',
              max: presence.limits.status,
              presets: presence.presets,
              error,
              field: draft.field,
              pending: presence.statusPending,
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
    }`;
}
