import type { ReactiveController } from 'lit';
import type { ViewHost } from './view-host.js';

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
 * rendered; the stack's list opens under the stack (`onToggle` is its `toggle` listener).
 */
export class PopoverController implements ReactiveController {
  private readonly _host: ViewHost;

  constructor(host: ViewHost) {
    this._host = host;
    host.addController(this);
  }

  hostUpdated(): void {
    const editor = this._host.renderRoot.querySelector<HTMLElement>('.pop');
    // Not when the panel left the page while this update was queued: showPopover() would throw.
    if (editor?.isConnected && !editor.matches(':popover-open')) {
      editor.showPopover();
      place(editor, editor.closest('li')!, true);
    }
  }

  readonly onToggle = (e: ToggleEvent): void => {
    if (e.newState === 'open') place(e.target as HTMLElement, this._host.renderRoot.querySelector('.stack')!);
  };
}
