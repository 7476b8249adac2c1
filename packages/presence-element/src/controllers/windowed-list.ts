import type { ReactiveController } from 'lit';
import type { Member } from '../types.js';
import type { ViewHost } from './view-host.js';

/** Above this many others the list renders only the rows in view (plus OVERSCAN each side) and offers a filter. */
const WINDOW_AT = 100;
const OVERSCAN = 10;

/** The part of the list to render. */
export interface ListWindow {
  /** Whether only the rows in view are rendered (a large room). */
  windowed: boolean;
  /** The others whose name matches the filter (all of them in a small room). */
  people: readonly Member[];
  /** The rows to render: `people` from index `from`. */
  shown: readonly Member[];
  from: number;
  /** One row's height in px, for the spacers standing in for the rows out of view. */
  rowHeight: number;
}

/**
 * The list of a large room: only the rows in view are rendered (the same `<ul>`, with spacers for
 * the rest), and a filter box finds a person by name. Scrolling is looked at once per frame, and
 * the list re-renders only when the window moves.
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
  private readonly _host: ViewHost;

  constructor(host: ViewHost) {
    this._host = host;
    host.addController(this);
  }

  /** What to render of `others`. */
  window(others: readonly Member[]): ListWindow {
    const windowed = others.length > WINDOW_AT;
    const people = windowed ? this._matching(others) : others;
    if (!windowed) return { windowed, people, shown: people, from: 0, rowHeight: this._rowH };
    const rows = Math.ceil((this._view || 400) / this._rowH) + 2 * OVERSCAN;
    const from = Math.max(0, Math.min(Math.floor(this._top / this._rowH) - OVERSCAN, people.length - rows));
    return { windowed, people, shown: people.slice(from, from + rows), from, rowHeight: this._rowH };
  }

  readonly onFilter = (e: Event): void => {
    this.filter = (e.target as HTMLInputElement).value;
    const list = this._host.renderRoot.querySelector('.list');
    if (list) list.scrollTop = 0;
    this._top = 0;
    this._host.requestUpdate();
  };

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

  /** Where the windowed list is scrolled to, how tall it is, and how tall a row is. */
  private _measure(): void {
    const list = this._host.renderRoot.querySelector<HTMLElement>('.windowed');
    if (!list) return;
    const me = list.querySelector<HTMLElement>('[part~="me"]');
    const row = list.querySelector<HTMLElement>('.row:not(.mine):not(.open)');
    const h = row?.offsetHeight;
    const view = list.clientHeight;
    const top = Math.max(0, list.scrollTop - (me?.offsetHeight ?? 0));
    if ((h && h !== this._rowH) || view !== this._view || top !== this._top) {
      if (h) this._rowH = h;
      this._view = view;
      this._top = top;
      this._host.requestUpdate();
    }
  }
}

/** Lower case without accents, so "ele" finds "Élé". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
