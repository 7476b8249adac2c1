import type { ReactiveController } from 'lit';
import type { Member } from '../types.js';
import type { ViewHost } from './view-host.js';

/** Above this many others the list renders only the rows in view (plus OVERSCAN each side). */
const WINDOW_AT = 100;
const OVERSCAN = 10;
/** From this many others on, a filter box finds a person by name. */
export const FILTER_AT = 20;

/** The part of the list to render. */
export interface ListWindow {
  /** Whether only the rows in view are rendered (a large room). */
  windowed: boolean;
  /** Whether the filter box shows (a room of FILTER_AT others or more). */
  filtering: boolean;
  /** The others whose name matches the filter (all of them in a small room). */
  people: readonly Member[];
  /** The rows to render: `people` from index `from`. */
  shown: readonly Member[];
  from: number;
  /** One row's height in px, for the spacers standing in for the rows out of view. */
  rowHeight: number;
}

/**
 * The list's scrolling box: whether it is cut above or below (a fade says so), and in a large
 * room only the rows in view are rendered (the same `<ul>`, with spacers for the rest). From
 * FILTER_AT people a filter box finds a person by name. Scrolling is looked at once per frame,
 * and the list re-renders only when the window moves or a cut appears or goes.
 */
export class WindowedListController implements ReactiveController {
  /** What the filter box holds. */
  filter = '';
  private _found: { others: readonly Member[]; filter: string; list: readonly Member[] } | null = null;
  // The scroll offset past my row, the list's visible height and one row's height (measured once
  // rendered), and the frame a scroll waits for.
  private _top = 0;
  private _view = 0;
  private _rowH = 44;
  private _frame = 0;
  /** `cut-top`, `cut-bottom`, both or '': where the scrolling box hides rows. */
  cut = '';
  private readonly _host: ViewHost;

  constructor(host: ViewHost) {
    this._host = host;
    host.addController(this);
  }

  /** What to render of `others`. */
  window(others: readonly Member[]): ListWindow {
    const windowed = others.length > WINDOW_AT;
    const filtering = others.length >= FILTER_AT;
    const people = filtering ? this._matching(others) : others;
    const rowHeight = this._rowH;
    if (!windowed) return { windowed, filtering, people, shown: people, from: 0, rowHeight };
    const rows = Math.ceil((this._view || 400) / this._rowH) + 2 * OVERSCAN;
    const from = Math.max(0, Math.min(Math.floor(this._top / this._rowH) - OVERSCAN, people.length - rows));
    return { windowed, filtering, people, shown: people.slice(from, from + rows), from, rowHeight };
  }

  readonly onFilter = (e: Event): void => {
    this.filter = (e.target as HTMLInputElement).value;
    const box = this._box();
    if (box) box.scrollTop = 0;
    this._top = 0;
    this._host.requestUpdate();
  };

  /** Scrolls so that row `index` of the whole list (me first) is among the rendered rows. */
  reveal(index: number): void {
    const box = this._box();
    const list = box?.querySelector<HTMLElement>('.list');
    if (!box || !list?.classList.contains('windowed')) return;
    const me = list.querySelector<HTMLElement>('[part~="me"]');
    const mine = me ? 1 : 0;
    if (index < mine) return;
    const top = list.offsetTop + (me?.offsetHeight ?? 0) + (index - mine) * this._rowH;
    if (top < box.scrollTop || top + this._rowH > box.scrollTop + box.clientHeight)
      box.scrollTop = top - (box.clientHeight - this._rowH) / 2;
    this._measure();
  }

  /** One look per frame however fast the scroll. */
  readonly onScroll = (): void => {
    this._frame ||= requestAnimationFrame(() => {
      this._frame = 0;
      this._measure();
      this._host.requestUpdate();
    });
  };

  hostUpdated(): void {
    this._measure();
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this._frame);
    this._frame = 0;
  }

  /** The others whose name holds what the filter box says (case and accents aside), kept while neither changes. */
  private _matching(others: readonly Member[]): readonly Member[] {
    const f = this._found;
    if (f?.others === others && f.filter === this.filter) return f.list;
    const key = fold(this.filter.trim());
    const list = key ? others.filter((m) => fold(m.name).includes(key)) : others;
    this._found = { others, filter: this.filter, list };
    return list;
  }

  private _box(): HTMLElement | null {
    return this._host.renderRoot.querySelector<HTMLElement>('.scroller');
  }

  /** Where the list is cut, and (windowed) where it is scrolled to, how tall it is, and how tall a row is. */
  private _measure(): void {
    const box = this._box();
    const list = box?.querySelector<HTMLElement>('.list');
    if (!box || !list) return;
    const { scrollTop, clientHeight, scrollHeight } = box;
    const cut = `${scrollTop > 1 ? 'cut-top ' : ''}${scrollTop + clientHeight < scrollHeight - 1 ? 'cut-bottom' : ''}`;
    let changed = cut !== this.cut;
    this.cut = cut;
    if (list.classList.contains('windowed')) {
      const me = list.querySelector<HTMLElement>('[part~="me"]');
      const row = list.querySelector<HTMLElement>('.row:not(.mine):not(.open)');
      const h = row?.offsetHeight;
      const top = Math.max(0, scrollTop - list.offsetTop - (me?.offsetHeight ?? 0));
      if ((h && h !== this._rowH) || clientHeight !== this._view || top !== this._top) {
        if (h) this._rowH = h;
        this._view = clientHeight;
        this._top = top;
        changed = true;
      }
    }
    if (changed) this._host.requestUpdate();
  }
}

/** Lower case without accents, so "ele" finds "Élé". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
