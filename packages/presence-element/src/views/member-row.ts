import { html, nothing, type TemplateResult } from 'lit';
import type { Member } from '../types.js';
import { statusText } from '../members.js';
import { clockTime, relativeTime } from '../localize.js';
import type { Messages } from '../messages.js';
import { renderAvatar } from './avatar.js';

/** Where a row is and how it behaves in the list (a listbox): its place, and whether it is the tab stop. */
export interface RowPlace {
  /** In a windowed list: this row's place (1-based) and the list's length, for assistive technology. */
  pos: number;
  size: number;
  /** The list's one tab stop (roving tabindex); -1: an option that is not; undefined: not an option. */
  tabIndex?: 0 | -1;
}

const NOT_AN_OPTION: RowPlace = { pos: 0, size: 0 };

/**
 * One row: avatar with its dot, the name on the first line, the state in words (away, do not
 * disturb, left…) then the status (emoji and text, one line, ellipsis; click or Enter shows all
 * of it) on the second, and a trailing slot for the expiry or the status's age, only when there
 * is one worth saying. Each row is an option of the list's listbox, named by its content in that
 * order: who, their state, their status, the time. Text only through bindings: a name like
 * `<img onerror>` stays text.
 */
export function renderRow(
  m: Member,
  expanded: boolean,
  flash: boolean,
  lang: string,
  t: Messages,
  place: RowPlace = NOT_AN_OPTION,
  mine = false,
): TemplateResult {
  const state = stateWords(m, lang, t, mine);
  const status = statusText(m);
  const time = timeWords(m, lang, t);
  const option = place.tabIndex !== undefined;
  return html`<li
    part=${mine ? 'member me' : 'member'}
    class="row${mine ? ' mine' : ''}${expanded ? ' open' : ''}${flash ? ' flash' : ''} ${presenceOf(m, mine)}"
    data-id=${m.id}
    role=${option ? 'option' : nothing}
    tabindex=${option ? place.tabIndex! : nothing}
    aria-selected=${option ? String(place.tabIndex === 0) : nothing}
    aria-posinset=${place.pos || nothing}
    aria-setsize=${place.size || nothing}
    aria-describedby=${mine ? 'edit-hint' : nothing}
  >
    ${renderAvatar(m)}
    <span class="who"
      ><span class="line"
        ><span part="name" class="name" dir="auto" title=${m.name}>${m.name}</span>${
          mine ? html`<span class="you">${t.you}</span>` : nothing
        }</span
      ><span class="sline"
        >${
          state
            ? html`<span
                part=${mine && m.availability ? 'presence availability-label' : 'presence'}
                class=${status || mine ? 'presence sep' : 'presence'}
                title=${mine && m.availability === 'invisible' ? t.editorInvisible : nothing}
                >${state}</span
              >`
            : nothing
        }${
          status || mine
            ? html`<span
                part="status"
                class=${status ? 'status' : 'status empty'}
                dir="auto"
                title=${status ? (time ? `${status} · ${time.text}` : status) : t.editStatusHint}
                >${status || t.emptyStatus}</span
              >`
            : nothing
        }</span
      ></span
    >
    ${
      time
        ? html`<time part="time" class="time" datetime=${new Date(time.at).toISOString()} title=${time.title}
            >${time.text}</time
          >`
        : nothing
    }
  </li>`;
}

/** The row's presence class (the dot's shape): `left`, `dnd`, `away`, `invisible`, or '' (active). I never left. */
export function presenceOf(m: Member, mine = false): string {
  return m.lastSeen && !mine ? 'left' : m.availability || m.activity || '';
}

/** The state in words, so it never rests on the dot alone: "Away since 14:05", "Do not disturb"… or ''. */
export function stateWords(m: Member, lang: string, t: Messages, mine = false): string {
  const state = presenceOf(m, mine);
  return state === 'left'
    ? Date.now() - m.lastSeen! < 45_000
      ? t.presenceLeftNow
      : t.presenceLeft(relativeTime(lang, m.lastSeen!))
    : state === 'dnd'
      ? t.presenceDnd
      : state === 'invisible'
        ? t.presenceInvisible
        : state && m.activitySince
          ? t.presenceAwaySince(clockTime(lang, m.activitySince))
          : state && t.presenceAway;
}

/**
 * What the trailing slot says, if anything: when the status clears ("until 15:30", "until
 * midnight"), else how old it is once that is a minute or more ("5 min ago"). Nothing for no
 * status, nor for one just set: the row's flash says "now".
 */
export function timeWords(
  m: Member,
  lang: string,
  t: Messages,
  now = Date.now(),
): { text: string; title: string; at: number } | null {
  if (!m.status && !m.emoji) return null;
  const updated = t.updated(relativeTime(lang, m.updatedAt, now));
  if (m.clearAt && m.clearAt > now) {
    const midnight = new Date(m.clearAt);
    const text =
      midnight.getHours() + midnight.getMinutes() + midnight.getSeconds() === 0
        ? t.untilMidnight
        : t.until(clockTime(lang, m.clearAt));
    return { text, title: `${text} · ${updated}`, at: m.clearAt };
  }
  if (!m.updatedAt || now - m.updatedAt < 60_000) return null;
  const text = relativeTime(lang, m.updatedAt, now);
  return { text, title: updated, at: m.updatedAt };
}
