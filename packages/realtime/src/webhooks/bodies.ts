import type { WebhookBody, WebhookEvent } from '@whatsup/protocol';
import { debug } from '../debug.js';
import type { ResolvedWebhookOptions } from './options.js';
import { WebhookQueue, type WebhookStats } from './queue.js';

interface Pending {
  event: WebhookEvent;
  timer: NodeJS.Timeout;
}

/**
 * Makes the webhook bodies from the events the server records (`presence.ts`: members and channels;
 * `client-events.ts`): holds member_removed / channel_vacated for the grace (a rejoin inside it
 * cancels the pair, as Pusher does), batches, emits each body in-process, and hands it to one queue
 * per URL. Nothing here is awaited by the frame path. `#server-to-user-` channels are internal to
 * user sign-in: Pusher sends no webhooks for them.
 */
export class Webhooks {
  readonly #options: ResolvedWebhookOptions;
  readonly #emit: (body: WebhookBody) => void;
  readonly #queues: WebhookQueue[];
  /** Held removals by `name\0channel\0user`. */
  readonly #pending = new Map<string, Pending>();
  /** subscription_count: the latest count per channel in the current batch. */
  readonly #counts = new Map<string, number>();
  #batch: WebhookEvent[] = [];
  #batchTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    options: ResolvedWebhookOptions,
    key: string,
    secret: string,
    emit: (body: WebhookBody) => void,
  ) {
    this.#options = options;
    this.#emit = emit;
    this.#queues = options.targets.map((target) => new WebhookQueue(target, options, key, secret));
    this.wantsSubscriptionCount = options.targets.some((target) => target.events.has('subscription_count'));
  }

  /** Whether some URL wants subscription_count (it is not made otherwise: every subscribe would be one). */
  readonly wantsSubscriptionCount: boolean;

  /** Records an event as it happens; cheap and synchronous. */
  record(event: WebhookEvent): void {
    if (this.#closed || event.channel.startsWith('#')) return;
    const { graceMs } = this.#options;
    if (event.name === 'member_removed' || event.name === 'channel_vacated') {
      const key = pendingKey(event.name, event.channel, event.user_id);
      if (graceMs === 0) {
        this.#release(event);
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        this.#release(event);
      }, graceMs);
      timer.unref();
      const previous = this.#pending.get(key);
      if (previous !== undefined) clearTimeout(previous.timer);
      this.#pending.set(key, { event, timer });
      return;
    }
    if (event.name === 'member_added' || event.name === 'channel_occupied') {
      const undo = event.name === 'member_added' ? 'member_removed' : 'channel_vacated';
      const key = pendingKey(undo, event.channel, event.user_id);
      const pending = this.#pending.get(key);
      if (pending !== undefined) {
        // back within the grace: neither the removal nor this addition happened, as far as anyone outside knows
        clearTimeout(pending.timer);
        this.#pending.delete(key);
        debug(
          'webhooks: %s on %s within the grace; %s and %s not sent',
          event.name,
          event.channel,
          undo,
          event.name,
        );
        return;
      }
    }
    this.#release(event);
  }

  /** subscription_count, coalesced: one event per channel per batch, with the latest count. */
  recordCount(channel: string, count: number): void {
    if (this.#closed || channel.startsWith('#') || !this.wantsSubscriptionCount) return;
    const known = this.#counts.has(channel);
    this.#counts.set(channel, count);
    if (!known) this.#release({ name: 'subscription_count', channel, subscription_count: count });
  }

  stats(): WebhookStats[] {
    return this.#queues.map((queue) => queue.stats());
  }

  /** Stops timers and in-flight requests; held and queued events are dropped. */
  close(): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
    clearTimeout(this.#batchTimer);
    for (const queue of this.#queues) queue.close();
  }

  #release(event: WebhookEvent): void {
    this.#batch.push(event);
    if (this.#batchTimer !== undefined) return;
    this.#batchTimer = setTimeout(() => this.#flush(), this.#options.batchMs);
    this.#batchTimer.unref();
  }

  #flush(): void {
    this.#batchTimer = undefined;
    const events = this.#batch.map((event) =>
      event.name === 'subscription_count'
        ? { ...event, subscription_count: this.#counts.get(event.channel) ?? event.subscription_count }
        : event,
    );
    this.#batch = [];
    this.#counts.clear();
    if (events.length === 0) return;
    const time_ms = Date.now();
    try {
      this.#emit({ time_ms, events: events.map((event) => ({ ...event })) });
    } catch (error) {
      // a throwing 'webhook' listener must not take the server down nor stop delivery
      debug('webhooks: a webhook listener threw: %s', (error as Error)?.message ?? String(error));
    }
    for (const queue of this.#queues) {
      const wanted = events.filter(
        (event) =>
          queue.target.events.has(event.name) && event.channel.startsWith(queue.target.channelPrefix),
      );
      if (wanted.length > 0) queue.enqueue(JSON.stringify({ time_ms, events: wanted }), wanted.length);
    }
  }
}

function pendingKey(name: string, channel: string, userId: string | undefined): string {
  return `${name}\0${channel}\0${userId ?? ''}`;
}
