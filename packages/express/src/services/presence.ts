import { EventEmitter } from 'node:events';
import { debuglog } from 'node:util';
import type { MemberRecord, StatusStore } from './status-store.js';
import type { Publisher } from './publisher.js';
import { HIDDEN_PREFIX, type Activity, type Availability } from './rich-status.js';

const debug = debuglog('whatsup');

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
  /** `'logout'`: POST/GET /logout; `'removed'`: router.remove(). */
  reason: 'logout' | 'removed';
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

/** One event of a Pusher webhook body (what Pusher, soketi and @whatsup/realtime post). */
export interface WebhookEvent {
  name: string;
  channel: string;
  user_id?: string;
  event?: string;
  data?: string;
  socket_id?: string;
  subscription_count?: number;
}

/** A Pusher webhook body: `{ time_ms, events }`. */
export interface WebhookBody {
  time_ms: number;
  events: WebhookEvent[];
}

/**
 * Who is online and what happens to them: turns webhook events (HTTP or in-process) into
 * hooks and keeps `lastSeen` in the status store. The router's routes and its server API
 * report here too, so every hook fires from one place.
 */
export class PresenceService extends EventEmitter<WhatsupHooks> {
  readonly #store: StatusStore;
  readonly #publisher: Publisher;
  readonly #leaveGraceMs: number;
  /** member_removed events held for the grace, by channel and user: a member_added cancels one. */
  readonly #leaving = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(store: StatusStore, publisher: Publisher, options: { leaveGraceMs?: number } = {}) {
    super();
    this.#store = store;
    this.#publisher = publisher;
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
      // The anonymous members of invisible people (see POST /availability): nobody to report.
      if (userId.startsWith(HIDDEN_PREFIX)) continue;
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
    if (userId.startsWith(HIDDEN_PREFIX)) return;
    let user = await this.#store.get(userId);
    if (user?.lastSeen !== undefined) {
      const { lastSeen: _gone, ...back } = user;
      user = back;
      await this.#store.set(user);
    }
    this.#emit('member_added', { userId, channel, user, time });
  }

  async memberRemoved(userId: string, channel: string, time: number): Promise<void> {
    if (userId.startsWith(HIDDEN_PREFIX)) return;
    let user = await this.#store.get(userId);
    // Someone who went invisible is still here (anonymously): no "last seen", which would also
    // make the store forget them leftTtl later and with them their choice.
    if (user && user.availability !== 'invisible' && !(await this.#presentElsewhere(user, channel))) {
      user = { ...user, lastSeen: time };
      await this.#store.set(user);
    }
    this.#emit('member_removed', { userId, channel, user, time });
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

  /** Whether the user is in another channel they joined (then leaving one is not "last seen"). */
  async #presentElsewhere(user: MemberRecord, left: string): Promise<boolean> {
    const others = (user.channels ?? []).filter((c) => c !== left);
    if (others.length === 0 || !this.#publisher.channelUsers) return false;
    try {
      for (const channel of others) {
        if ((await this.#publisher.channelUsers(channel)).includes(user.id)) return true;
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

/** Checks a parsed webhook body has Pusher's shape; says what is wrong otherwise. */
export function webhookBodyProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object';
  const { time_ms: time, events } = body as Record<string, unknown>;
  if (typeof time !== 'number' || !Number.isFinite(time)) return 'time_ms must be a number';
  if (!Array.isArray(events)) return 'events must be an array';
  if (events.length > 1000) return 'at most 1000 events per body';
  for (const event of events) {
    if (typeof event !== 'object' || event === null) return 'every event must be an object';
    const e = event as Record<string, unknown>;
    if (typeof e.name !== 'string' || typeof e.channel !== 'string')
      return 'every event needs a name and a channel';
    if (e.user_id !== undefined && typeof e.user_id !== 'string' && typeof e.user_id !== 'number')
      return 'user_id must be a string';
  }
  return undefined;
}
