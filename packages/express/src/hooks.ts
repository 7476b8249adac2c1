// The hooks the host app listens to (`router.on(…)`), with their payloads.
import type { Activity, Availability } from '@whatsup/protocol';
import type { MemberRecord } from './status-store.js';

/** A member joined a presence channel (`member_added`: the first connection of that user). */
export interface MemberAddedEvent {
  userId: string;
  channel: string;
  /** The stored record (name, status, avatar), if the store still has one. */
  user: MemberRecord | undefined;
  /** When it happened, epoch milliseconds (the webhook's `time_ms`). */
  time: number;
}

/** A member left a presence channel (their last connection closed, after the server's grace). */
export interface MemberRemovedEvent {
  userId: string;
  channel: string;
  /** The stored record, with `lastSeen` when they are online in no other channel. */
  user: MemberRecord | undefined;
  time: number;
}

export interface StatusChangedEvent {
  userId: string;
  /** The record as stored and published. */
  user: MemberRecord;
  /** The status text before. */
  previous: string;
  /** `'user'`: POST /status (or sign-up); `'server'`: router.setStatus(); `'expiry'`: its clearAt came. */
  by: 'user' | 'server' | 'expiry';
  channels: string[];
  time: number;
}

export interface SignedOutEvent {
  userId: string;
  user: MemberRecord | undefined;
  /**
   * `'logout'`: POST/GET /logout; `'removed'`: router.remove(); `'renamed'`: the same session
   * signed up again under another name (the old identity ends everywhere first).
   */
  reason: 'logout' | 'removed' | 'renamed';
  channels: string[];
  time: number;
}

/** A member's availability (POST /availability, router.setAvailability) or activity (POST /activity) changed. */
export interface AvailabilityChangedEvent {
  userId: string;
  /** The record as stored (`availability: 'invisible'` included: the host app may know). */
  user: MemberRecord;
  /** What it was before. */
  previous: { availability: Availability; activity: Activity };
  availability: Availability;
  activity: Activity;
  time: number;
}

/** The hooks `router.on(…)` takes, with their payloads. */
export interface WhatsupHooks {
  member_added: [MemberAddedEvent];
  member_removed: [MemberRemovedEvent];
  status_changed: [StatusChangedEvent];
  availability_changed: [AvailabilityChangedEvent];
  signed_out: [SignedOutEvent];
}
