/** One person in the channel, as the panel shows them. `updatedAt` is epoch milliseconds. */
export interface Member {
  id: string;
  name: string;
  status: string;
  updatedAt: number;
  avatar?: string;
  /** One emoji shown before the status. */
  emoji?: string;
  /** Epoch ms when the status and emoji clear by themselves. */
  clearAt?: number;
  /** What the person chose; absent = automatic. `invisible` is only ever seen by the person. */
  availability?: 'dnd' | 'invisible';
  /** `away` after a while without input or with every tab hidden; absent = active. */
  activity?: 'away';
  /** Epoch ms of the last activity change ("away since 14:05"). */
  activitySince?: number;
  /** Epoch ms when they left: a recently-left record, or a row in its leave grace ("left just now"). */
  lastSeen?: number;
}

/** `auto` is sent to clear a choice; a member carries only `dnd` or (mine) `invisible`. */
export type Availability = 'auto' | 'dnd' | 'invisible';
/** How long a status lasts: `today` ends at the next local midnight. */
export type ClearAfter = '30m' | '1h' | '4h' | 'today' | 'never';
/** What `setStatus` takes besides plain text. */
export interface StatusChange {
  text: string;
  emoji?: string;
  clearAfter?: ClearAfter;
}

/** What GET /config returns. */
export interface ServerConfig {
  key?: string;
  cluster?: string;
  wsHost?: string;
  wsPort?: number;
  wssPort?: number;
  wsPath?: string;
  forceTLS?: boolean;
  enabledTransports?: string[];
  channel?: string;
  mode?: 'guest' | 'identify';
  limits?: { name?: number; status?: number };
  /** The site's one-click statuses. */
  presets?: { text: string; emoji?: string; clearAfter: ClearAfter }[];
}

export type PanelState = 'loading' | 'signed-out' | 'identify-required' | 'signed-in' | 'error';
