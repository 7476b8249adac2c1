import type { CSSResult, TemplateResult } from 'lit';
import { AVAILABILITIES, CLEAR_AFTER } from '@whatsup/protocol';
import type { Messages } from '../messages.js';
import type { Availability, ClearAfter, StatusPreset } from '../types.js';
import type { Draft } from '../controllers/status-draft.js';
import { statusText } from '../members.js';
import { pickerView, type RenderPicker } from './emoji-picker.js';
import { editorStyles } from './status-editor.styles.js';
import type { EditorLit } from './editor-lit.js';

// The editor, its emoji picker, the presets and their styles: a chunk of their own, loaded on
// first use (load-editor.ts); the element imports only types from here.

/** What the editor shows: the draft, and what the panel knows (limits, presets, the last refusal). */
export interface EditorState extends Draft {
  availability: Availability;
  max: number;
  presets: readonly StatusPreset[];
  /** The refusal to show, and the field it is about (`status`, `emoji`, `clearAfter`, `availability`). */
  error: string;
  field: string;
  /** `error` is no refusal but "retrying" (a storage outage): said politely, no field marked. */
  pending?: boolean;
}

export interface EditorActions {
  /** Changes the draft (and opens or closes the picker). */
  set(patch: Partial<Draft>): void;
  availability(value: Availability): void;
  /** Enter and Save save, Escape and Cancel do not; focus goes back to my status either way. */
  done(save: boolean): void;
  /** Focus left the editor (focusout): it saves, leaving focus where it went. */
  leave(e: FocusEvent): void;
}

/** The editor as the panel uses it, made with the panel's lit. */
export interface StatusEditor {
  render(s: EditorState, t: Messages, on: EditorActions): TemplateResult;
  /** Its styles (and the picker's and presets'), for the panel's shadow root. */
  styles: CSSResult;
}

/** The chunk's one export: the editor, made with the lit exports the panel hands it. */
export default function statusEditor(lit: EditorLit): StatusEditor {
  return { render: editorView(lit, pickerView(lit)), styles: editorStyles(lit) };
}

/**
 * My status in a small dialog over my row: emoji (typed, or from the picker), text with its
 * counter, the site's presets as chips, "Clear after", and availability (applied at once). Each
 * refusal shows under the field it is about, linked to it.
 */
const editorView =
  ({ html, nothing }: EditorLit, renderPicker: RenderPicker) =>
  (s: EditorState, t: Messages, on: EditorActions): TemplateResult => {
    const length = [...s.text].length;
    // A refusal about no field of its own (rate limit, network…) shows under the text.
    const bad = !s.error
      ? ''
      : ['emoji', 'clearAfter', 'availability'].includes(s.field)
        ? s.field
        : 'status';
    const error = (field: string) =>
      bad !== field
        ? nothing
        : s.pending
          ? html`<p id="editor-error" class="field-error pending" role="status">${s.error}</p>`
          : html`<p id="editor-error" class="field-error" role="alert">${s.error}</p>`;
    const invalid = (field: string) => String(bad === field && !s.pending);
    const described = (field: string, other = '') =>
      bad === field ? `editor-error ${other}`.trim() : other || nothing;
    const keys = (e: KeyboardEvent) => {
      if (e.isComposing || (e.key !== 'Enter' && e.key !== 'Escape')) return;
      // Enter on a button or in the picker is that control's own action.
      if (e.key === 'Enter' && !(e.target as Element).matches('input')) return;
      e.preventDefault();
      e.stopPropagation();
      on.done(e.key === 'Enter');
    };
    const field = (field: string) => (e: Event) => on.set({ [field]: (e.target as HTMLInputElement).value });
    /** A labelled `<select>` of `values` (shown as `labels`), `current` selected. */
    const choice = (
      name: string,
      partName: string,
      label: string,
      values: readonly string[],
      labels: readonly string[],
      current: string,
      change: (value: string) => void,
    ) =>
      html`<label
        >${label}
        <select
          part=${partName}
          name=${name}
          aria-invalid=${invalid(name)}
          aria-describedby=${described(name)}
          @change=${(e: Event) => change((e.target as HTMLSelectElement).value)}
        >
          ${values.map((v, i) => html`<option value=${v} ?selected=${v === current}>${labels[i]}</option>`)}
        </select></label
      >`;
    return html`<div
      part="status-panel"
      class="pop"
      popover="manual"
      role="dialog"
      aria-label=${t.editorTitle}
      tabindex="-1"
      @keydown=${keys}
      @focusout=${on.leave}
    >
      <div class="erow">
        <input
          part="emoji"
          class="emo"
          name="emoji"
          aria-label=${t.editorEmoji}
          placeholder="🙂"
          autocomplete="off"
          .value=${s.emoji}
          aria-invalid=${invalid('emoji')}
          aria-describedby=${described('emoji')}
          @input=${field('emoji')}
        /><button
          part="emoji-button"
          class="icon pick"
          type="button"
          aria-label=${t.editorPick}
          aria-expanded=${s.picker}
          aria-controls="picker"
          @click=${() => on.set({ picker: !s.picker })}
        >
          ▾</button
        ><input
          part="status-editor"
          class="text"
          dir="auto"
          name="status"
          aria-label=${t.statusLabel}
          aria-describedby=${described('status', 'counter editor-hint')}
          aria-invalid=${invalid('status')}
          maxlength=${s.max}
          .value=${s.text}
          @input=${field('text')}
        /><span part="counter" id="counter" class=${length > s.max ? 'counter over' : 'counter'}
          >${t.counter(length, s.max)}</span
        ><span id="editor-hint" class="sr-only">${t.editorHint}</span>
      </div>
      ${error('emoji')}${error('status')}${s.picker ? renderPicker(s.emoji, t, on.set) : nothing}
      ${
        s.presets.length
          ? html`<div class="chips" role="group" aria-label=${t.editorPresets}>
              ${s.presets.map(
                (p) =>
                  html`<button
                    part="preset"
                    class="chip"
                    type="button"
                    dir="auto"
                    aria-pressed=${p.text === s.text && (p.emoji ?? '') === s.emoji && p.clearAfter === s.clear}
                    @click=${() => on.set({ text: p.text, emoji: p.emoji ?? '', clear: p.clearAfter })}
                  >
                    ${statusText({ status: p.text, emoji: p.emoji })}
                  </button>`,
              )}
            </div>`
          : nothing
      }
      <div class="erow">
        ${choice('clearAfter', 'clear-after', t.editorClearAfter, CLEAR_AFTER, t.editorClears, s.clear, (v) =>
          on.set({ clear: v as ClearAfter }),
        )}${choice(
          'availability',
          'availability',
          t.editorAvailability,
          AVAILABILITIES,
          t.editorAvails,
          s.availability,
          (v) => on.availability(v as Availability),
        )}
      </div>
      ${error('clearAfter')}${error('availability')}
      ${s.availability === 'invisible' ? html`<p class="hint">${t.editorInvisible}</p>` : nothing}
      <div class="erow end">
        <button type="button" class="link" @click=${() => on.done(false)}>${t.editorCancel}</button
        ><button type="button" class="primary" @click=${() => on.done(true)}>${t.editorSave}</button>
      </div>
    </div>`;
  };
