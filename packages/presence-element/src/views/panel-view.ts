import type { PresenceController } from '../presence-controller.js';
import type { Messages } from '../messages.js';
import type { Availability } from '../types.js';
import type { FlashController } from '../controllers/flashes.js';
import type { PopoverController } from '../controllers/popover.js';
import type { StatusDraftController } from '../controllers/status-draft.js';
import type { WindowedListController } from '../controllers/windowed-list.js';

/** What the panel's views read: the element's state and words, and its view controllers. */
export interface PanelView {
  presence: PresenceController;
  t: Messages;
  /** The panel's language (the nearest `lang`). */
  lang: string;
  flashes: FlashController;
  list: WindowedListController;
  draft: StatusDraftController;
  popover: PopoverController;
  /** The rows whose long status is expanded, and how to expand or collapse one. */
  expanded: ReadonlySet<string>;
  toggle: (id: string) => void;
  /** The element's attributes the views follow. */
  maxVisible: number;
  logoutUrl: string;
  showRecent: boolean;
  signOut(): void;
  setAvailability(availability: Availability): void;
}
