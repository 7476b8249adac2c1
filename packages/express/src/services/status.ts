// What a person shows besides their name: status text, emoji and its expiry, availability and
// activity. The routes and the server API both go through here, so every change is stored,
// hooked and published (or, for invisible people, not published) the same way.
import { debuglog } from 'node:util';
import { EVENTS } from '@whatsup/protocol';
import { ActivityWindows } from './activity.js';
import type { Broadcast } from './broadcast.js';
import { ExpiryTimers } from './expiry.js';
import { Republish } from './republish.js';
import { WhatsupError } from '../errors.js';
import type { WhatsupIndex } from '../indexes.js';
import type { Limits } from '../limits.js';
import { publicRecord } from '../records.js';
import type { PresenceService } from './presence.js';
import {
  activityOf,
  availabilityOf,
  clearAtFor,
  cleanEmoji,
  onlyFields,
  parseAvailability,
  parseClearAfter,
  withStatus,
  withoutExpired,
  type Activity,
  type Availability,
  type ClearAfter,
  type StatusInput,
} from '../rich-status.js';
import type { MemberRecord, StatusStore } from '../status-store.js';
import { cleanText } from '../text.js';
import { sinceStoreFailure } from '../store-errors.js';

const debug = debuglog('whatsup');
/** A change saved this soon after a storage outage is published a second time, this much later. */
const AFTER_OUTAGE_MS = 10_000;
const AGAIN_AFTER_MS = 2000;

export interface StatusServiceOptions {
  store: StatusStore;
  index: WhatsupIndex;
  presence: PresenceService;
  limits: Limits;
  activityMs: number;
  /** Where changes go; its sends reject with `publish.failed` when the realtime service is unreachable (then retried). */
  broadcast: Broadcast;
  /** Ends every connection of a user id (a no-op without `terminateUserConnections`). */
  terminate(id: string): Promise<void>;
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
  readonly #republish: Republish;

  constructor(options: StatusServiceOptions) {
    this.#o = options;
    this.#republish = new Republish({
      publish: async (id, channels) => {
        const record = await this.#o.store.get(id);
        if (record)
          await this.#publishNow(record, [...new Set([...channels, ...this.#o.channelsOf(record)])]);
      },
    });
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
    // While invisible only the person's own pages hear it; the others get it when they are visible again.
    await this.publishRecord(record, channels);
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
    await this.publishRecord(cleared, channels).catch((err: unknown) => debug('%o', err));
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
   * Stores a new availability and tells who must know. Going invisible: to everyone else the
   * person leaves, as if they closed their tabs — their record is shown as it was, with `lastSeen`
   * now (`leftAs`), their connections under their own id end (the others see them leave) and from
   * then on their pages follow each channel through a follow channel of their own. Coming back
   * publishes the record, including what changed meanwhile.
   */
  async setAvailability(
    user: MemberRecord,
    availability: Availability,
    channels: string[],
  ): Promise<MemberRecord> {
    const previous = availabilityOf(user);
    if (previous === availability) return user;
    const now = Date.now();
    const { availability: _old, leftAs: _left, ...rest } = user;
    const record: MemberRecord = {
      ...rest,
      ...(availability === 'auto' ? {} : { availability }),
      ...(availability === 'invisible'
        ? { leftAs: { ...publicRecord(user), lastSeen: user.lastSeen ?? now } }
        : {}),
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
    const { index } = this.#o;
    if (availability === 'invisible') {
      for (const channel of channels) await index.addInvisible(channel, record.id);
      await this.#o.terminate(record.id);
    } else {
      // Still in the index while this goes out, so their own follow channels hear it too.
      await this.publishRecord(record, channels);
      if (previous === 'invisible') {
        for (const channel of channels) await index.removeInvisible(channel, record.id);
      }
    }
    return record;
  }

  /** `router.setStatus()`: as POST /status, by the server. */
  async setStatusOf(userId: string, input: string | StatusInput): Promise<MemberRecord> {
    const user = await this.#known(userId);
    let status: CleanStatus;
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
      onlyFields(input as unknown as Record<string, unknown>, ['text', 'emoji', 'clearAfter'], 'setStatus()');
      status = this.clean(input);
    } else status = this.clean({ text: input });
    return publicRecord(await this.setStatus(user, status, undefined, 'server', this.#o.channelsOf(user)));
  }

  /** `router.setAvailability()`: as POST /availability, by the server. */
  async setAvailabilityOf(userId: string, availability: unknown): Promise<MemberRecord> {
    const user = await this.#known(userId);
    const record = await this.setAvailability(
      user,
      parseAvailability(availability),
      this.#o.channelsOf(user),
    );
    return publicRecord(record);
  }

  /**
   * Publishes a record: to its channels (and their followers), or only to its owner's pages while
   * invisible. When the realtime service cannot be reached the record is stored already: its
   * owner's latest record is published again, with backoff, until it goes.
   */
  async publishRecord(record: MemberRecord, channels: string[]): Promise<void> {
    try {
      await this.#publishNow(record, channels);
    } catch (err) {
      if (!(err instanceof WhatsupError && err.code === 'publish.failed')) throw err;
      this.#republish.add(record.id, channels);
      return;
    }
    // Just after a storage outage the realtime side may still be reconnecting to the same Redis
    // (soketi's adapter): the node that took the publish told only its own sockets. Once more, later.
    if (sinceStoreFailure() < AFTER_OUTAGE_MS)
      setTimeout(() => this.#republish.add(record.id, channels), AGAIN_AFTER_MS).unref();
  }

  /** How many people's changes wait for the realtime service. */
  get unpublished(): number {
    return this.#republish.size;
  }

  async #publishNow(record: MemberRecord, channels: string[]): Promise<void> {
    const { broadcast } = this.#o;
    if (record.availability === 'invisible')
      await broadcast.toOwnPages(record.id, channels, EVENTS.statusUpdated, publicRecord(record));
    else await broadcast.toChannels(channels, EVENTS.statusUpdated, publicRecord(record));
  }

  async #known(userId: string): Promise<MemberRecord> {
    const user = await this.load(String(userId), true);
    if (!user)
      throw new WhatsupError(404, 'member.unknown', `No member with id '${String(userId).slice(0, 64)}'.`);
    return user;
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
    await this.publishRecord(record, this.#o.channelsOf(record));
    return record;
  }

  /** Stops the timers and applies deferred activity reports. */
  async close(): Promise<void> {
    this.#expiry.close();
    this.#republish.close();
    await this.#activity.close();
  }
}
