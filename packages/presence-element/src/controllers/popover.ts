import type { ReactiveController } from 'lit';
import type { ViewHost } from './view-host.js';

/** Whether this browser has the Popover API (Firefox ESR before 125 and older Safaris do not). */
export const POPOVER = typeof HTMLElement !== 'undefined' && 'popover' in HTMLElement.prototype;

/** Whether a popover is open; without the API, whether it is shown at all. */
export function isOpen(box: HTMLElement): boolean {
  return POPOVER ? box.matches(':popover-open') : !box.hidden;
}

/**
 * A top-layer box under (or, `over`, on top of) its anchor, kept inside the viewport, from the
 * anchor's start edge (left or right for LTR or RTL).
 */
export function place(box: HTMLElement, anchor: Element, over = false): void {
  const a = anchor.getBoundingClientRect();
  const width = Math.min(box.offsetWidth, innerWidth - 16);
  const start = getComputedStyle(box).direction === 'rtl' ? a.right - width : a.left;
  box.style.top = `${over ? Math.max(8, a.top - 4) : a.bottom + 6}px`;
  box.style.left = `${Math.max(8, Math.min(start, innerWidth - width - 8))}px`;
}

/**
 * The panel's anchored popovers: the status editor (`.pop`) opens over my row as soon as it is
 * rendered; the stack's list opens under the stack (`onToggle` is its `toggle` listener). Where
 * the Popover API is missing, the stack's button shows and hides its list itself (`toggle`).
 */
export class PopoverController implements ReactiveController {
  readonly supported = POPOVER;
  /** Without the Popover API: whether the stack's list is shown. */
  open = false;
  private readonly _host: ViewHost;

  constructor(host: ViewHost) {
    this._host = host;
    host.addController(this);
  }

  hostUpdated(): void {
    const editor = this._host.renderRoot.querySelector<HTMLElement>('.pop');
    // Not when the panel left the page while this update was queued: showPopover() would throw.
    if (!editor?.isConnected) return;
    if (POPOVER && !editor.matches(':popover-open')) editor.showPopover();
    if (!editor.dataset['placed']) {
      editor.dataset['placed'] = '1';
      place(editor, this._host.renderRoot.querySelector('[part~="me"]') ?? editor.parentElement!, true);
    }
    const people = this._host.renderRoot.querySelector<HTMLElement>('.people');
    if (!POPOVER && people && this.open) place(people, this._host.renderRoot.querySelector('.stack')!);
  }

  readonly onToggle = (e: Event): void => {
    if ((e as ToggleEvent).newState === 'open')
      place(e.target as HTMLElement, this._host.renderRoot.querySelector('.stack')!);
  };

  /** Without the Popover API: the stack's button opens and closes its list. */
  readonly toggle = (): void => {
    this.open = !this.open;
    this._host.requestUpdate();
  };
}
