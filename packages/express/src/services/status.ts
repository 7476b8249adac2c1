// What a person shows besides their name: status text, emoji and its expiry, availability and
// activity. The routes and the server API both go through here, so every change is stored,
// hooked and published (or, for invisible people, not published) the same way.
import { debuglog } from 'node:util';
import { ActivityWindows } from './activity.js';
import { ExpiryTimers } from './expiry.js';
import { jsonBytes, type Limits } from './limits.js';
import type { PresenceService } from './presence.js';
import {
  activityOf,
  availabilityOf,
  clearAtFor,
  cleanEmoji,
  parseClearAfter,
  withStatus,
  withoutExpired,
  type Activity,
  type Availability,
  type ClearAfter,
} from './rich-status.js';
import type { MemberRecord, StatusStore } from './status-store.js';
import { cleanText } from './text.js';

const debug = debuglog('whatsup');

export interface StatusServiceOptions {
  store: StatusStore;
  presence: PresenceService;
  limits: Limits;
  activityMs: number;
  /** Publishes an event; rejects with `publish.failed` when the realtime service is unreachable. */
  publish(channels: string[], event: string, data: unknown): Promise<void>;
  /** Ends every connection of these user ids (a no-op without `terminateUserConnections`). */
  terminate(ids: string[]): Promise<void>;
  /** The channels a record's owner joined, where its changes are published. */
  channelsOf(record: MemberRecord): string[];
}

/** A status as validated, before it is stored. */
export interface CleanStatus {
  text: string;
  emoji: string | undefined;
  clearAfter: ClearAfter;
}

export class StatusService {
  readonly #o: StatusServiceOptions;
  readonly #expiry: ExpiryTimers;
  readonly #activity: ActivityWindows;

  constructor(options: StatusServiceOptions) {
    this.#o = options;
    this.#expiry = new ExpiryTimers(async (id) => void (await this.clearExpired(id)));
    this.#activity = new ActivityWindows(options.activityMs, async (id, value) => {
      await this.applyActivity(id, value);
    });
  }

  /**
   * A stored record as it reads now. An expired status is cleared: stored, published and hooked
   * first when the caller changes state (`persist`), only left out of the answer for reads.
   */
  async load(id: string, persist: boolean): Promise<MemberRecord | undefined> {
    const stored = await this.#o.store.get(id);
    if (!stored || stored.clearAt === undefined || stored.clearAt > Date.now()) return stored;
    return persist ? this.clearExpired(id) : withoutExpired(stored, Date.now());
  }

  /** Validates a status (text, emoji, clearAfter) without storing anything. */
  clean(input: { text: unknown; emoji?: unknown; clearAfter?: unknown }): CleanStatus {
    const { limits } = this.#o;
    return {
      text: cleanText(input.text, 'status', limits.status, false, limits.statusBytes),
      emoji: cleanEmoji(input.emoji),
      clearAfter: parseClearAfter(input.clearAfter),
    };
  }

  /** Stores a new status, arms its expiry, fires status_changed and publishes it (unless invisible). */
  async setStatus(
    user: MemberRecord,
    status: CleanStatus,
    utcOffset: number | undefined,
    by: 'user' | 'server',
    channels: string[],
  ): Promise<MemberRecord> {
    const now = Date.now();
    const clearAt = clearAtFor(status.clearAfter, now, utcOffset);
    const record = withStatus(user, { text: status.text, emoji: status.emoji, clearAt }, now);
    await this.#o.store.set(record);
    this.#expiry.watch(record.id, record.clearAt);
    this.#o.presence.statusChanged({
      userId: record.id,
      user: publicRecord(record),
      previous: user.status,
      by,
      channels,
      time: now,
    });
    // While invisible the change is kept and goes out with the record when they are visible again.
    if (record.availability !== 'invisible')
      await this.#o.publish(channels, 'status-updated', publicRecord(record));
    return record;
  }

  /** Clears the status of `id` if its clearAt has come (reading the store again: it may have changed). */
  async clearExpired(id: string): Promise<MemberRecord | undefined> {
    const record = await this.#o.store.get(id);
    if (!record || record.clearAt === undefined) return record;
    const now = Date.now();
    if (record.clearAt > now) {
      this.#expiry.watch(id, record.clearAt);
      return record;
    }
    const cleared: MemberRecord = { ...withoutExpired(record, now), updatedAt: now };
    await this.#o.store.set(cleared);
    this.#expiry.cancel(id);
    const channels = this.#o.channelsOf(cleared);
    debug('status of %s expired', id);
    this.#o.presence.statusChanged({
      userId: id,
      user: publicRecord(cleared),
      previous: record.status,
      by: 'expiry',
      channels,
      time: now,
    });
    if (cleared.availability !== 'invisible') {
      await this.#o
        .publish(channels, 'status-updated', publicRecord(cleared))
        .catch((err: unknown) => debug('%o', err));
    }
    return cleared;
  }

  /** Clears what has expired and arms timers for the rest; how many it cleared. */
  async expireStatuses(): Promise<number> {
    let cleared = 0;
    const now = Date.now();
    for (const record of await this.#o.store.list()) {
      if (record.clearAt === undefined) continue;
      if (record.clearAt > now) this.#expiry.watch(record.id, record.clearAt);
      else {
        const after = await this.clearExpired(record.id);
        if (after && after.clearAt === undefined) cleared += 1;
      }
    }
    return cleared;
  }

  /** The person signed out or was removed: their timer goes. */
  forget(id: string): void {
    this.#expiry.cancel(id);
  }

  /**
   * Stores a new availability and tells who must know: going invisible ends the person's
   * connections under their own id (the others see them leave; their pages join again,
   * anonymous); anything else publishes the record.
   */
  async setAvailability(
    user: MemberRecord,
    availability: Availability,
    channels: string[],
  ): Promise<MemberRecord> {
    const previous = availabilityOf(user);
    if (previous === availability) return user;
    const now = Date.now();
    const { availability: _old, ...rest } = user;
    const record: MemberRecord = {
      ...rest,
      ...(availability === 'auto' ? {} : { availability }),
      updatedAt: now,
    };
    await this.#o.store.set(record);
    this.#o.presence.availabilityChanged({
      userId: record.id,
      user: publicRecord(record),
      previous: { availability: previous, activity: activityOf(user) },
      availability,
      activity: activityOf(record),
      time: now,
    });
    if (availability === 'invisible') await this.#o.terminate([record.id]);
    else await this.#o.publish(channels, 'status-updated', publicRecord(record));
    return record;
  }

  /**
   * An activity report: applied now (`'now'`, with the record), already so (`'same'`), or
   * deferred to the end of the person's `activityMs` window (`'deferred'`).
   */
  async reportActivity(
    user: MemberRecord,
    value: Activity,
  ): Promise<{ outcome: 'now' | 'same' | 'deferred'; user: MemberRecord }> {
    const outcome = this.#activity.report(user.id, value, activityOf(user));
    if (outcome !== 'now') return { outcome, user };
    return { outcome, user: (await this.applyActivity(user.id, value)) ?? user };
  }

  /** Stores an activity change (now, or at the end of a coalescing window) and publishes it. */
  async applyActivity(id: string, value: Activity): Promise<MemberRecord | undefined> {
    const user = await this.load(id, true);
    if (!user || activityOf(user) === value) return user;
    const now = Date.now();
    const { activity: _old, activitySince: _since, ...rest } = user;
    const record: MemberRecord = {
      ...rest,
      ...(value === 'away' ? { activity: 'away' as const } : {}),
      activitySince: now,
      updatedAt: now,
    };
    await this.#o.store.set(record);
    this.#o.presence.availabilityChanged({
      userId: id,
      user: publicRecord(record),
      previous: { availability: availabilityOf(user), activity: activityOf(user) },
      availability: availabilityOf(record),
      activity: value,
      time: now,
    });
    if (record.availability !== 'invisible')
      await this.#o.publish(this.#o.channelsOf(record), 'status-updated', publicRecord(record));
    return record;
  }

  /** Stops the timers and applies deferred activity reports. */
  async close(): Promise<void> {
    this.#expiry.close();
    await this.#activity.close();
  }
}

/**
 * A record as browsers see it: which channels its owner joined, and the anonymous ids they used
 * while invisible, are nobody else's business.
 */
export function publicRecord(record: MemberRecord): MemberRecord {
  const { channels: _channels, hidden: _hidden, ...rest } = record;
  return rest;
}

/** The presence user_info: always within USER_INFO_BYTES (limits.ts checks the worst case). */
export function presenceInfo(user: MemberRecord, limits: Limits): Record<string, string | number> {
  // Built in place (it is signed on every subscription); the keys keep this order in the JSON.
  const info: Record<string, string | number> = { name: user.name, status: user.status };
  if (user.avatar && jsonBytes(user.avatar) <= limits.avatarBytes) info.avatar = user.avatar;
  if (user.emoji) info.emoji = user.emoji;
  if (user.availability === 'dnd') info.availability = 'dnd';
  if (user.activity === 'away') info.activity = 'away';
  if (user.activitySince !== undefined) info.activitySince = user.activitySince;
  return info;
}
