// A record as others see it: in GET /members, the events and the presence user_info.
import type { PresenceInfo } from '@whatsup/protocol';
import { jsonBytes, type Limits } from './limits.js';
import { withoutExpired } from './rich-status.js';
import type { MemberRecord } from './status-store.js';

/**
 * A record as browsers see it: which channels its owner joined and how others see them while
 * they are invisible are nobody else's business.
 */
export function publicRecord(record: MemberRecord): MemberRecord {
  const { channels: _channels, hidden: _hidden, leftAs: _leftAs, ...rest } = record;
  return rest;
}

/** The presence user_info: always within USER_INFO_BYTES (limits.ts checks the worst case). */
export function presenceInfo(user: MemberRecord, limits: Limits): PresenceInfo {
  // Built in place (it is signed on every subscription); the keys keep this order in the JSON.
  const info: PresenceInfo = { name: user.name, status: user.status };
  if (user.avatar && jsonBytes(user.avatar) <= limits.avatarBytes) info.avatar = user.avatar;
  if (user.emoji) info.emoji = user.emoji;
  if (user.availability === 'dnd') info.availability = 'dnd';
  if (user.activity === 'away') info.activity = 'away';
  if (user.activitySince !== undefined) info.activitySince = user.activitySince;
  return info;
}

/**
 * The record as someone else sees it at `now`: an invisible person as they were when they left
 * (`leftAs`, for as long as a left record is kept: `leftTtlMs`), or not at all.
 */
export function seenByOthers(record: MemberRecord, now: number, leftTtlMs: number): MemberRecord | undefined {
  if (record.availability !== 'invisible') return publicRecord(withoutExpired(record, now));
  const left = record.leftAs;
  if (!left || left.lastSeen === undefined || now - left.lastSeen > leftTtlMs) return undefined;
  return withoutExpired(left, now);
}
