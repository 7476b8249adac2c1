/** What a person chose. `'auto'` is what clears a choice; a record carries only `dnd` or `invisible`. */
export type Availability = 'auto' | 'dnd' | 'invisible';
/** What the element reports. `'active'` is stored as no `activity` at all. */
export type Activity = 'active' | 'away';
/** How long a status lasts; `today` ends at the person's next local midnight. */
export type ClearAfter = '30m' | '1h' | '4h' | 'today' | 'never';

export const AVAILABILITIES: readonly Availability[] = Object.freeze(['auto', 'dnd', 'invisible']);
export const ACTIVITIES: readonly Activity[] = Object.freeze(['active', 'away']);
export const CLEAR_AFTER: readonly ClearAfter[] = Object.freeze(['30m', '1h', '4h', 'today', 'never']);

/** Milliseconds of the clear-after choices that are a fixed duration. */
export const CLEAR_AFTER_MS: Readonly<Record<'30m' | '1h' | '4h', number>> = Object.freeze({
  '30m': 30 * 60 * 1000,
  '1h': 60 * 60 * 1000,
  '4h': 4 * 60 * 60 * 1000,
});

/**
 * One person as every browser sees them: what `GET /members`, `POST /status`, `/isLoggedIn` and the
 * `status-updated` event carry. Times are epoch milliseconds.
 */
export interface Member {
  id: string;
  name: string;
  /** The status text, `''` for none. */
  status: string;
  /** When the status last changed. */
  updatedAt: number;
  /** An image URL (sites that sign people in themselves). */
  avatar?: string;
  /** One RGI emoji shown before the status. */
  emoji?: string;
  /** When `status` and `emoji` clear by themselves; absent: never. */
  clearAt?: number;
  /** What the person chose; absent: automatic. `invisible` is only ever seen by the person. */
  availability?: 'dnd' | 'invisible';
  /** `away` after a while without input or with every tab hidden; absent: active. */
  activity?: 'away';
  /** When `activity` last changed ("away since 14:05"). */
  activitySince?: number;
  /** When they left every channel (a recently-left record); absent while online. */
  lastSeen?: number;
}

/** A status as a person sets it (`POST /status`, `setStatus()`). */
export interface StatusChange {
  text: string;
  emoji?: string;
  clearAfter?: ClearAfter;
}

/** A one-click status the editor offers (the middleware's `presets` option, `GET /config`). */
export interface StatusPreset {
  text: string;
  emoji?: string;
  clearAfter: ClearAfter;
}

/**
 * The presence `user_info` a member joins with: what every subscriber learns before any HTTP
 * request. Its JSON stays within `LIMITS.userInfoBytes` (the middleware checks the worst case).
 */
export interface PresenceInfo {
  name: string;
  status: string;
  avatar?: string;
  emoji?: string;
  availability?: 'dnd';
  activity?: 'away';
  activitySince?: number;
}

/**
 * Anonymous presence ids (an invisible person's, from servers before follow channels) start with
 * this; hooks and the element skip them. @whatsup/express no longer issues them.
 */
export const HIDDEN_PREFIX = 'hidden-';

/** What `GET /members` answers. */
export interface MembersAnswer {
  success: true;
  error: false;
  /** Newest first; people who left lately have `lastSeen`. */
  members: Member[];
  /** Present when more members than the server's cap were found. */
  truncated?: true;
  total?: number;
  /**
   * Only while the asker is invisible: for each presence channel the answer covers, the follow
   * channel their pages subscribe to instead of it (see `FOLLOW_CHANNEL_PREFIX`).
   */
  follow?: Record<string, string>;
  /**
   * Only when asked (`?channel=…&online=1`) and the realtime server answered: the ids present in
   * the channel there now (invisible people are in no channel others see); absent past the member cap.
   */
  online?: string[];
}
