import type { PresenceController } from '../presence-controller.js';
import type { Messages } from '../messages.js';
import type { Availability } from '../types.js';
import type { FlashController } from '../controllers/flashes.js';
import type { PopoverController } from '../controllers/popover.js';
import type { StatusDraftController } from '../controllers/status-draft.js';
import type { WindowedListController } from '../controllers/windowed-list.js';
import type { ListKeysController } from '../controllers/list-keys.js';
import type { ConnectionNoticeController } from '../controllers/connection-notice.js';

/** What the panel's views read: the element's state and words, and its view controllers. */
export interface PanelView {
  presence: PresenceController;
  t: Messages;
  /** The panel's language (the nearest `lang`). */
  lang: string;
  flashes: FlashController;
  list: WindowedListController;
  keys: ListKeysController;
  notice: ConnectionNoticeController;
  draft: StatusDraftController;
  popover: PopoverController;
  /** The rows whose long status is expanded. */
  expanded: ReadonlySet<string>;
  /** The element's attributes the views follow. */
  maxVisible: number;
  logoutUrl: string;
  showRecent: boolean;
  signOut(): void;
  setAvailability(availability: Availability): void;
}
