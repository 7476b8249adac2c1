import { html, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { hue, initials } from './avatar.js';
import type { Member } from './types.js';

/** Only URLs that can be nothing but a picture: no `javascript:`, no other schemes. */
const SAFE_AVATAR = /^(https?:|\/|data:image\/(png|jpeg|gif|webp|avif);)/i;

/**
 * A member's picture, or initials on a colour of their own. Decorative either way: the name is
 * always right beside it, so screen readers skip it (empty alt, aria-hidden).
 */
export function renderAvatar(m: Member): TemplateResult {
  if (m.avatar && SAFE_AVATAR.test(m.avatar)) {
    return html`<img part="avatar" class="avatar" src=${m.avatar} alt="" loading="lazy" />`;
  }
  return html`<span
    part="avatar"
    class="avatar"
    aria-hidden="true"
    style=${styleMap({ '--hue': String(hue(m.id)) })}
    >${initials(m.name)}</span
  >`;
}

/** One row of the list. Text only through bindings: a name like `<img onerror>` stays text. */
export function renderMemberRow(
  m: Member,
  flashed: boolean,
  format: Intl.RelativeTimeFormat,
  updated: (relative: string) => string,
): TemplateResult {
  return html`
    <li part="member" class=${flashed ? 'member flash' : 'member'} data-id=${m.id}>
      ${renderAvatar(m)}
      <div class="who">
        <span part="name" class="name">${m.name}</span>
        <span part="status" class="status">${m.status}</span>
        ${
          m.updatedAt > 0
            ? html`<time part="time" class="time" datetime=${new Date(m.updatedAt).toISOString()}
                >${updated(relativeTime(format, m.updatedAt))}</time
              >`
            : ''
        }
      </div>
    </li>
  `;
}

/** "now", "3 minutes ago", "yesterday"… in the panel's language. */
export function relativeTime(format: Intl.RelativeTimeFormat, at: number, now = Date.now()): string {
  const seconds = Math.round((at - now) / 1000);
  if (Math.abs(seconds) < 45) return format.format(0, 'second');
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return format.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return format.format(hours, 'hour');
  return format.format(Math.round(hours / 24), 'day');
}
