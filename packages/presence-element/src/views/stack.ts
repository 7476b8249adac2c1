import { html, nothing, type TemplateResult } from 'lit';
import type { Member } from '../types.js';
import { renderAvatar } from './avatar.js';
import { presenceOf } from './member-row.js';
import type { PanelView } from './panel-view.js';

/**
 * `variant="stack"`: overlapping avatars, each ringed in the panel's colour and with its presence
 * dot (at most `max-visible` of the people online, me first), then "+N" for the people online
 * not shown, on a button that opens the whole panel (`body`) in a popover under it.
 */
export function renderStack(people: readonly Member[], body: TemplateResult, v: PanelView): TemplateResult {
  const { presence, t, popover } = v;
  const me = presence.me?.id;
  // Those in their leave grace are listed (greyed) in the popover, not in the stack or its count.
  const online = people.filter((m) => !m.lastSeen || m.id === me);
  const shown = online.slice(0, Math.max(1, Math.floor(v.maxVisible) || 4));
  const signedIn = presence.state === 'signed-in';
  const extra = signedIn ? presence.count - shown.length : 0;
  const label = signedIn ? t.showAll(presence.count) : t.membersLabel;
  return html`<button
      part="stack"
      class="stack"
      type="button"
      popovertarget="people"
      aria-expanded=${popover.supported ? nothing : String(popover.open)}
      title=${label}
      @click=${popover.supported ? nothing : popover.toggle}
    >
      ${shown.map(
        // Earlier avatars lie on later ones: each presence dot (at the end edge) stays in sight.
        (m, i) =>
          html`<span class="in-stack ${presenceOf(m, m.id === me)}" style="z-index:${shown.length - i}"
            >${renderAvatar(m)}</span
          >`,
      )}${extra > 0 ? html`<span class="more" dir="ltr" aria-hidden="true">+${extra}</span>` : nothing}
      <span class=${signedIn ? 'sr-only' : ''}>${label}</span>
    </button>
    <div
      part="popover"
      class="people"
      id="people"
      popover
      ?hidden=${!popover.supported && !popover.open}
      @toggle=${popover.onToggle}
    >
      ${body}
    </div>`;
}
