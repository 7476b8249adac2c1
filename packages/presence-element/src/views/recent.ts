import { html, nothing, type TemplateResult } from 'lit';
import type { Member } from '../types.js';
import type { Messages } from '../messages.js';
import { renderRow } from './member-row.js';

/** "Recently here (N)": people who left lately, collapsed until opened, "left 5 min ago" on each. */
export function renderRecent(
  people: readonly Member[],
  lang: string,
  t: Messages,
): TemplateResult | typeof nothing {
  return people.length
    ? html`<details part="recent" class="recent">
        <summary>${t.presenceRecent(people.length)}</summary>
        <ul class="list">
          ${people.map((m) => renderRow(m, false, false, lang, t))}
        </ul>
      </details>`
    : nothing;
}
