import type { EventName } from '@whatsup/protocol';
import type { PresenceMember } from './connection.js';

/**
 * What the leader tab tells the others over the scope's BroadcastChannel. Every message names its
 * sender (`from`); a follower listens to the tab that claimed the lock last. `to`: one tab only.
 */
export type FromLeader = { from: string; to?: string } & (
  | /** I hold the lock now: tell me what you need (`want`). */ { k: 'claim' }
    /** About once a second: I am alive, and the connection's state. */
  | { k: 'beat'; state: string }
  /** I have been hidden a while and you are visible (`to`): take the lock. */
  | { k: 'yield' }
  | { k: 'state'; state: string }
  | { k: 'error'; code: number; message: string }
  | { k: 'retrying'; seconds: number }
  /** Subscribed (again), or, with `to`, already subscribed when that tab asked: everyone now. */
  | { k: 'sub'; ch: string; members: PresenceMember[] }
  | { k: 'add'; ch: string; member: PresenceMember }
  | { k: 'rem'; ch: string; id: string }
  | { k: 'refused'; ch: string; status: number | undefined }
  | { k: 'event'; ch: string; name: EventName; data: unknown }
);

/** What a follower tab tells the leader. */
export type ToLeader = { from: string } &
  /**
   * Everything this tab needs now (sent on every change and in answer to each beat): its channels,
   * whether it is visible, and how many subscriptions it has asked for so far (`n`).
   */
  (
    | { k: 'want'; chs: string[]; visible: boolean; n: number }
    /** This tab is going (closed, navigated, into the back-forward cache). */
    | { k: 'bye' }
    /** The server answers HTTP again: try to connect now (`Connection.reconnect()`). */
    | { k: 'reconnect' }
  );

export type RelayMessage = FromLeader | ToLeader;
