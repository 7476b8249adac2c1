import { EventEmitter } from 'node:events';
import { debuglog } from 'node:util';
import { EVENTS, HIDDEN_PREFIX, isFollowChannel, type WebhookBody } from '@whatsup/protocol';
import type { StatusChangedEvent, AvailabilityChangedEvent, SignedOutEvent, WhatsupHooks } from '../hooks.js';
import type { Limits } from '../limits.js';
import type { Publisher } from '../publisher.js';
import { presenceInfo, publicRecord } from '../records.js';
import { withoutExpired } from '../rich-status.js';
import type { MemberRecord, StatusStore } from '../status-store.js';
import type { Broadcast } from './broadcast.js';

const debug = debuglog('whatsup');

export interface PresenceServiceOptions {
  store: StatusStore;
  publisher: Publisher;
  broadcast: Broadcast;
  limits: Limits;
  /** The channels a record's owner joined (older records: the default channel). */
  channelsOf(record: MemberRecord): string[];
  /** Where to look for someone the store does not know (the listed channels, or the default one). */
  anyChannels: string[];
  leaveGraceMs?: number | undefined;
}

/**
 * Who is online and what happens to them: turns webhook events (HTTP or in-process) into hooks,
 * keeps `lastSeen` in the status store and tells the invisible people following a channel who
 * joined and left it. The routes and the server API report here too, so every hook fires from
 * one place, and the server API's questions (`isOnline`, `online`, `lastSeen`) are answered here.
 */
export class PresenceService extends EventEmitter<WhatsupHooks> {
  readonly #o: PresenceServiceOptions;
  readonly #leaveGraceMs: number;
  /** member_removed events held for the grace, by channel and user: a member_added cancels one. */
  readonly #leaving = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(options: PresenceServiceOptions) {
    super();
    this.#o = options;
    const grace = options.leaveGraceMs ?? 0;
    if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0 || grace > 60_000)
      throw new TypeError(
        `webhooks.leaveGraceMs must be a number of ms from 0 to 60000, got ${String(grace)}`,
      );
    this.#leaveGraceMs = grace;
  }

  /** Applies one webhook body, event by event in order; a failing hook never stops the others. */
  async applyWebhook(body: WebhookBody): Promise<void> {
    for (const event of body.events) {
      if (typeof event.user_id !== 'string' && typeof event.user_id !== 'number') continue;
      const userId = String(event.user_id);
      // Follow channels are the router's own plumbing; `hidden-` ids are an older server's invisible members.
      if (userId.startsWith(HIDDEN_PREFIX) || isFollowChannel(event.channel)) continue;
      const key = `${event.channel}\n${userId}`;
      if (event.name === 'member_added') {
        const held = this.#leaving.get(key);
        // Back within the grace (a reload): neither the leave nor this join happened for the app.
        if (held) {
          clearTimeout(held);
          this.#leaving.delete(key);
        } else await this.memberAdded(userId, event.channel, body.time_ms);
      } else if (event.name === 'member_removed') {
        if (this.#leaveGraceMs > 0) this.#holdLeave(key, userId, event.channel, body.time_ms);
        else await this.memberRemoved(userId, event.channel, body.time_ms);
      }
    }
  }

  /**
   * A sender without a grace of its own (soketi) reports a reload as removed-then-added; held
   * here for `leaveGraceMs`, the pair cancels out as it does on Pusher Channels and the embedded server.
   */
  #holdLeave(key: string, userId: string, channel: string, time: number): void {
    clearTimeout(this.#leaving.get(key));
    const timer = setTimeout(() => {
      this.#leaving.delete(key);
      this.memberRemoved(userId, channel, time).catch((err: unknown) =>
        debug('member_removed after the grace failed: %o', err),
      );
    }, this.#leaveGraceMs);
    timer.unref?.();
    this.#leaving.set(key, timer);
  }

  async memberAdded(userId: string, channel: string, time: number): Promise<void> {
    let user = await this.#o.store.get(userId);
    if (user?.lastSeen !== undefined) {
      const { lastSeen: _gone, ...back } = user;
      user = back;
      await this.#o.store.set(user);
    }
    this.#emit('member_added', { userId, channel, user, time });
    // A join told late (webhooks) by someone invisible since is no longer news to anyone.
    if (user && user.availability !== 'invisible')
      await this.#relay(channel, EVENTS.memberAdded, {
        id: userId,
        info: presenceInfo(user, this.#o.limits),
      });
  }

  async memberRemoved(userId: string, channel: string, time: number): Promise<void> {
    let user = await this.#o.store.get(userId);
    // Someone who went invisible keeps no lastSeen of their own (others see `leftAs`): a lastSeen
    // would make the store forget them leftTtl later, and with them their choice.
    if (user && user.availability !== 'invisible' && !(await this.#presentElsewhere(user, channel))) {
      user = { ...user, lastSeen: time };
      await this.#o.store.set(user);
    }
    this.#emit('member_removed', { userId, channel, user, time });
    await this.#relay(channel, EVENTS.memberRemoved, { id: userId });
  }

  statusChanged(event: StatusChangedEvent): void {
    this.#emit('status_changed', event);
  }

  availabilityChanged(event: AvailabilityChangedEvent): void {
    this.#emit('availability_changed', event);
  }

  signedOut(event: SignedOutEvent): void {
    this.#emit('signed_out', event);
  }

  /** Whether the user is present in any channel they joined (invisible people: never, for anyone). */
  async isOnline(userId: string): Promise<boolean> {
    const record = await this.#o.store.get(String(userId));
    if (record?.availability === 'invisible') return false;
    const channels = record ? this.#o.channelsOf(record) : this.#o.anyChannels;
    for (const channel of channels) {
      const present = await this.#presentIn(channel);
      // Without a way to ask, the record tells: it has lastSeen once they left.
      if (present === undefined) return record !== undefined && record.lastSeen === undefined;
      if (present.has(String(userId))) return true;
    }
    return false;
  }

  /** The stored records of the members present in `channel`, invisible people left out. */
  async online(channel: string): Promise<MemberRecord[]> {
    const present = await this.#presentIn(channel);
    const records = await this.#o.store.list();
    const now = Date.now();
    return records
      .filter((r) =>
        r.availability === 'invisible'
          ? false
          : present
            ? present.has(r.id)
            : r.lastSeen === undefined && this.#o.channelsOf(r).includes(channel),
      )
      .map((r) => publicRecord(withoutExpired(r, now)));
  }

  /** Now while online, `lastSeen` after they left, undefined if unknown. */
  async lastSeen(userId: string): Promise<number | undefined> {
    if (await this.isOnline(userId)) return Date.now();
    const record = await this.#o.store.get(String(userId));
    return record?.availability === 'invisible' ? record.leftAs?.lastSeen : record?.lastSeen;
  }

  async #presentIn(channel: string): Promise<Set<string> | undefined> {
    const { publisher } = this.#o;
    if (!publisher.channelUsers) return undefined;
    return new Set(await publisher.channelUsers(channel));
  }

  /** The invisible people following `channel` learn of a join or a leave (they are in no presence channel). */
  async #relay(channel: string, event: string, data: unknown): Promise<void> {
    await this.#o.broadcast
      .toFollowers([channel], event, data)
      .catch((err: unknown) => debug('relaying %s on %s failed: %o', event, channel, err));
  }

  /** Whether the user is in another channel they joined (then leaving one is not "last seen"). */
  async #presentElsewhere(user: MemberRecord, left: string): Promise<boolean> {
    const others = (user.channels ?? []).filter((c) => c !== left);
    if (others.length === 0 || !this.#o.publisher.channelUsers) return false;
    try {
      for (const channel of others) {
        if ((await this.#o.publisher.channelUsers(channel)).includes(user.id)) return true;
      }
    } catch (err) {
      debug('channelUsers failed while recording last seen: %o', err);
    }
    return false;
  }

  /** A hook that throws is the host app's bug: logged, never turned into a failed request. */
  #emit<K extends keyof WhatsupHooks>(name: K, ...args: WhatsupHooks[K]): void {
    for (const listener of this.listeners(name) as ((...a: WhatsupHooks[K]) => unknown)[]) {
      try {
        const result = listener(...args);
        if (result instanceof Promise) result.catch((err: unknown) => debug('%s hook failed: %o', name, err));
      } catch (err) {
        debug('%s hook failed: %o', name, err);
      }
    }
  }
}
