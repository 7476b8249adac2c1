import { html, nothing, type TemplateResult } from 'lit';
import type { Messages } from '../messages.js';
import type { Availability, ClearAfter, Member, ServerConfig } from '../types.js';

/**
 * The built-in picker: one row per group (`editorGroups` names them), eight a row so the arrow
 * keys move by row and column. Single code points only (no variation selectors or joiners), so
 * every one is what the server's emoji check accepts and renders alike everywhere.
 */
const GROUPS = '📅💬💻📞🎧📝🔍📚|🚌🏠🛫🍕☕🌴😴🏃|😀🎉👍🙏🤔😎🔥💡|🤒🤧🤕🌙⛔⏳🔕✅'
  .split('|')
  .map((g) => [...g]);
const COLUMNS = 8;
export const CLEARS: readonly ClearAfter[] = ['30m', '1h', '4h', 'today', 'never'];
export const AVAILABILITIES: readonly Availability[] = ['auto', 'dnd', 'invisible'];

/** A status as one line: the emoji, then the text (for a row's text, title and announcements). */
export function statusText(m: Pick<Member, 'status' | 'emoji'>): string {
  return m.emoji ? `${m.emoji} ${m.status}`.trim() : m.status;
}

/** What the editor shows: the draft, and what the panel knows (limits, presets, the last refusal). */
export interface EditorState {
  text: string;
  emoji: string;
  clear: ClearAfter;
  picker: boolean;
  availability: Availability;
  max: number;
  presets: NonNullable<ServerConfig['presets']>;
  /** The refusal to show, and the field it is about (`status`, `emoji`, `clearAfter`, `availability`). */
  error: string;
  field: string;
}

export interface EditorActions {
  /** Changes the draft (and opens or closes the picker). */
  set(patch: Partial<EditorState>): void;
  availability(value: Availability): void;
  /** Enter and Save save, Escape and Cancel do not; focus goes back to my status either way. */
  done(save: boolean): void;
  /** Focus left the editor (focusout): it saves, leaving focus where it went. */
  leave(e: FocusEvent): void;
}

/**
 * My status in a small dialog over my row: emoji (typed, or from the picker), text with its
 * counter, the site's presets as chips, "Clear after", and availability (applied at once). Each
 * refusal shows under the field it is about, linked to it.
 */
export function renderStatusEditor(s: EditorState, t: Messages, on: EditorActions): TemplateResult {
  const length = [...s.text].length;
  // A refusal about no field of its own (rate limit, network…) shows under the text.
  const bad = !s.error ? '' : ['emoji', 'clearAfter', 'availability'].includes(s.field) ? s.field : 'status';
  const error = (field: string) =>
    bad === field ? html`<p id="editor-error" class="field-error" role="alert">${s.error}</p>` : nothing;
  const invalid = (field: string) => String(bad === field);
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
    ${error('emoji')}${error('status')}${s.picker ? renderPicker(s.emoji, t, on) : nothing}
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
      <label
        >${t.editorClearAfter}
        <select
          part="clear-after"
          name="clearAfter"
          aria-invalid=${invalid('clearAfter')}
          aria-describedby=${described('clearAfter')}
          @change=${field('clear')}
        >
          ${CLEARS.map((v, i) => html`<option value=${v} ?selected=${v === s.clear}>${t.editorClears[i]}</option>`)}
        </select></label
      ><label
        >${t.editorAvailability}
        <select
          part="availability"
          name="availability"
          aria-invalid=${invalid('availability')}
          aria-describedby=${described('availability')}
          @change=${(e: Event) => on.availability((e.target as HTMLSelectElement).value as Availability)}
        >
          ${AVAILABILITIES.map(
            (v, i) =>
              html`<option value=${v} ?selected=${v === s.availability}>${t.editorAvails[i]}</option>`,
          )}
        </select></label
      >
    </div>
    ${error('clearAfter')}${error('availability')}
    ${s.availability === 'invisible' ? html`<p class="hint">${t.editorInvisible}</p>` : nothing}
    <div class="erow end">
      <button type="button" class="link" @click=${() => on.done(false)}>${t.editorCancel}</button
      ><button type="button" class="primary" @click=${() => on.done(true)}>${t.editorSave}</button>
    </div>
  </div>`;
}

/**
 * A listbox of groups: one option is in the tab order (the chosen emoji, else the first), the
 * arrow keys move by column and row (mirrored right to left), Home/End to the ends, Enter or
 * Space picks, Escape closes; both give focus back to the picker button.
 */
function renderPicker(current: string, t: Messages, on: EditorActions): TemplateResult {
  const all = GROUPS.flat();
  const focusable = all.includes(current) ? current : all[0];
  const close = (patch: Partial<EditorState>, e: Event) => {
    on.set({ ...patch, picker: false });
    ((e.target as Element).closest('.pop')!.querySelector('.pick') as HTMLElement).focus();
  };
  // Keys and clicks are the listbox's (one handler each for every option).
  const pick = (e: Event) => {
    const option = (e.target as Element).closest('[role=option]');
    if (option) close({ emoji: option.textContent! }, e);
  };
  const key = (e: KeyboardEvent) => {
    const options = [...(e.currentTarget as Element).querySelectorAll<HTMLElement>('[role=option]')];
    const i = options.indexOf(e.target as HTMLElement);
    const rtl = getComputedStyle(e.currentTarget as Element).direction === 'rtl';
    const step: Record<string, number> = {
      ArrowRight: rtl ? -1 : 1,
      ArrowLeft: rtl ? 1 : -1,
      ArrowDown: COLUMNS,
      ArrowUp: -COLUMNS,
      Home: -i,
      End: options.length - 1 - i,
    };
    if (e.key in step) {
      options[Math.max(0, Math.min(options.length - 1, i + step[e.key]!))]!.focus();
    } else if (e.key === 'Enter' || e.key === ' ') {
      close({ emoji: options[i]!.textContent! }, e);
    } else if (e.key === 'Escape') {
      close({}, e);
    } else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return html`<div
    id="picker"
    part="picker"
    class="picker"
    role="listbox"
    aria-label=${t.editorPick}
    @keydown=${key}
    @click=${pick}
  >
    ${GROUPS.map(
      (group, g) =>
        html`<div role="group" aria-label=${t.editorGroups[g]!}>
          ${group.map(
            (emoji) =>
              html`<span
                role="option"
                tabindex=${emoji === focusable ? 0 : -1}
                aria-selected=${emoji === current}
                >${emoji}</span
              >`,
          )}
        </div>`,
    )}
  </div>`;
}
