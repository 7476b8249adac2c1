import type { TemplateResult } from 'lit';
import type { Messages } from '../messages.js';
import type { Draft } from '../controllers/status-draft.js';
import type { EditorLit } from './editor-lit.js';

/**
 * The built-in picker: one row per group (`editorGroups` names them), eight a row so the arrow
 * keys move by row and column. Single code points only (no variation selectors or joiners), so
 * every one is what the server's emoji check accepts and renders alike everywhere.
 */
const GROUPS = '📅💬💻📞🎧📝🔍📚|🚌🏠🛫🍕☕🌴😴🏃|😀🎉👍🙏🤔😎🔥💡|🤒🤧🤕🌙⛔⏳🔕✅'
  .split('|')
  .map((g) => [...g]);
const COLUMNS = 8;

/** What renders the picker: `current` is the chosen emoji; `set` changes the draft. */
export type RenderPicker = (
  current: string,
  t: Messages,
  set: (patch: Partial<Draft>) => void,
) => TemplateResult;

/**
 * A listbox of groups: one option is in the tab order (the chosen emoji, else the first), the
 * arrow keys move by column and row (mirrored right to left), Home/End to the ends, Enter or
 * Space picks, Escape closes; both give focus back to the picker button. Made with the panel's
 * lit (`pickerView(lit)`): the picker is part of the editor's chunk.
 */
export const pickerView =
  ({ html }: EditorLit): RenderPicker =>
  (current, t, set) => {
    const all = GROUPS.flat();
    const focusable = all.includes(current) ? current : all[0];
    const close = (patch: Partial<Draft>, e: Event) => {
      set({ ...patch, picker: false });
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
  };
