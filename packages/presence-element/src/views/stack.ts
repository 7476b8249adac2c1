import { html, nothing, type TemplateResult } from 'lit';
import type { Member } from '../types.js';
import { renderAvatar } from './avatar.js';
import type { PanelView } from './panel-view.js';

/**
 * `variant="stack"`: overlapping avatars (at most `max-visible`, then "+N") on a button that opens
 * the whole panel (`body`) in a popover under it.
 */
export function renderStack(people: readonly Member[], body: TemplateResult, v: PanelView): TemplateResult {
  const { presence, t } = v;
  const shown = people.slice(0, Math.max(1, Math.floor(v.maxVisible) || 4));
  const extra = people.length - shown.length;
  const signedIn = presence.state === 'signed-in';
  const label = signedIn ? t.showAll(presence.count) : t.membersLabel;
  return html`<button part="stack" class="stack" type="button" popovertarget="people" title=${label}>
      ${shown.map((m) => renderAvatar(m))}${extra > 0 ? html`<span class="more" dir="ltr" aria-hidden="true">+${extra}</span>` : nothing}
      <span class=${signedIn ? 'sr-only' : ''}>${label}</span>
    </button>
    <div part="popover" class="people" id="people" popover @toggle=${v.popover.onToggle}>${body}</div>`;
}
