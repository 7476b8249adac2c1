import type { ReactiveController } from 'lit';
import type { Member } from '../types.js';
import { fold } from './windowed-list.js';
import type { ViewHost } from './view-host.js';

const TYPED_MS = 700;
const PAGE = 10;

/**
 * The list of people for the keyboard: one tab stop (roving tabindex), the arrow keys, Page
 * Up/Down, Home and End between people, type-ahead to a name, Enter or Space on a row (mine:
 * edit my status; another's: show all of their status). Works over the whole list, rendered or
 * not: a row out of a windowed list's view is scrolled to (`reveal`) before it takes focus.
 */
export class ListKeysController implements ReactiveController {
  /** The id of the row that is the tab stop ('' until one is chosen: then me, or the first). */
  active = '';
  private _typed = '';
  private _typedAt = 0;
  private _hadFocus = false;
  private readonly _host: ViewHost;
  private readonly _people: () => readonly Member[];
  private readonly _reveal: (index: number) => void;
  private readonly _activate: (id: string) => void;

  /**
   * `people`: everyone in the list's order (me first); `reveal(i)`: make row `i` rendered;
   * `activate(id)`: what Enter, Space or a click on a row does.
   */
  constructor(
    host: ViewHost,
    people: () => readonly Member[],
    reveal: (index: number) => void,
    activate: (id: string) => void,
  ) {
    this._host = host;
    this._people = people;
    this._reveal = reveal;
    this._activate = activate;
    host.addController(this);
  }

  /** The tab stop among the rows rendered (`me`, then `shown`): the active row if it is one of them, else the first. */
  stop(me: Member | null, shown: readonly Member[]): string {
    const a = this.active;
    return me?.id === a || shown.some((m) => m.id === a) ? a : ((me ?? shown[0])?.id ?? '');
  }

  hostUpdate(): void {
    this._hadFocus = !!this._list()?.contains(this._focused());
  }

  /** A focused row that a render took away (scrolled out of a windowed list, filtered out): focus stays in the list. */
  hostUpdated(): void {
    const list = this._list();
    if (!this._hadFocus || !list || list.contains(this._focused())) return;
    list.querySelector<HTMLElement>('[tabindex="0"]')?.focus({ preventScroll: true });
  }

  readonly onFocusIn = (e: FocusEvent): void => {
    const id = rowOf(e.target)?.dataset['id'];
    if (id && id !== this.active) {
      this.active = id;
      this._host.requestUpdate();
    }
  };

  readonly onClick = (e: MouseEvent): void => {
    const id = rowOf(e.target)?.dataset['id'];
    if (id) this._activate(id);
  };

  readonly onKeyDown = (e: KeyboardEvent): void => {
    const row = rowOf(e.target);
    if (!row || e.altKey || e.ctrlKey || e.metaKey) return;
    const people = this._people();
    const i = Math.max(
      0,
      people.findIndex((m) => m.id === row.dataset['id']),
    );
    const last = people.length - 1;
    const typing = Date.now() - this._typedAt < TYPED_MS && this._typed !== '';
    const step: Record<string, number> = {
      ArrowDown: i + 1,
      ArrowUp: i - 1,
      PageDown: i + PAGE,
      PageUp: i - PAGE,
      Home: 0,
      End: last,
    };
    let to = -1;
    if (e.key in step) to = Math.max(0, Math.min(last, step[e.key]!));
    else if (e.key === 'Enter' || (e.key === ' ' && !typing)) {
      e.preventDefault();
      this._activate(row.dataset['id']!);
      return;
    } else if (e.key.length === 1 || [...e.key].length === 1) to = this._typeAhead(e.key, people, i);
    else return;
    e.preventDefault();
    if (to >= 0) void this.focus(people[to]!.id, to);
  };

  /** Makes `id` (at `index` in the list) the tab stop and focuses it, scrolling it into the rendered rows first. */
  async focus(id: string, index: number): Promise<void> {
    this.active = id;
    this._reveal(index);
    this._host.requestUpdate();
    for (let tries = 0; tries < 3; tries++) {
      await this._host.updateComplete;
      const row = this._list()?.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
      if (row) return row.focus();
    }
  }

  /** The next name starting with what was typed (within TYPED_MS); the same letter again cycles through its names. */
  private _typeAhead(key: string, people: readonly Member[], from: number): number {
    const now = Date.now();
    this._typed = now - this._typedAt < TYPED_MS ? this._typed + key : key;
    this._typedAt = now;
    const typed = fold(this._typed);
    const same = [...typed].every((c) => c === typed[0]);
    const prefix = same ? typed[0]! : typed;
    // A longer prefix may still fit the current row; a repeated letter moves on.
    const start = same ? from + 1 : from;
    for (let k = 0; k < people.length; k++) {
      const j = (start + k) % people.length;
      if (fold(people[j]!.name).startsWith(prefix)) return j;
    }
    return -1;
  }

  private _list(): HTMLElement | null {
    return this._host.renderRoot.querySelector<HTMLElement>('[role="listbox"]');
  }

  private _focused(): Element | null {
    return (this._host.renderRoot as ShadowRoot).activeElement ?? null;
  }
}

function rowOf(target: EventTarget | null): HTMLElement | null {
  return (target as Element | null)?.closest?.<HTMLElement>('[role="option"]') ?? null;
}
