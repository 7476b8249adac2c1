import type { Member, PresenceInfo } from './member.js';

/** The events the server publishes on a presence channel (never by clients). */
export const EVENTS = Object.freeze({
  /** A member's stored record changed: status, emoji, availability or activity. Data: `Member`. */
  statusUpdated: 'status-updated',
  /** A person signed out (or was removed): their other tabs sign out too. Data: `SignedOutData`. */
  signedOut: 'signed-out',
  /** A message for every open page (`announce()`, the CLI), shown as a toast. Data: `Announcement`. */
  announcement: 'announcement',
  /**
   * Follow channels only (see `FOLLOW_CHANNEL_PREFIX`): someone joined the presence channel being
   * followed. Data: `FollowedMember`, the shape pusher-js gives `pusher:member_added`.
   */
  memberAdded: 'member-added',
  /** Follow channels only: someone left the presence channel being followed. Data: `{ id }`. */
  memberRemoved: 'member-removed',
} as const);

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

export interface SignedOutData {
  id: string;
}

export interface Announcement {
  id: string;
  message: string;
  /** Epoch milliseconds. */
  sentAt: number;
}

/** A member as pusher-js hands `pusher:member_added` over: the id and the presence `user_info`. */
export interface FollowedMember {
  id: string;
  info: PresenceInfo;
}

/** The data each server event carries. */
export interface EventData {
  'status-updated': Member;
  'signed-out': SignedOutData;
  announcement: Announcement;
  'member-added': FollowedMember;
  'member-removed': { id: string };
}
