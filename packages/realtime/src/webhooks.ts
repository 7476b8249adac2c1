import { createHmac } from 'node:crypto';
import { debug } from './debug.js';

/** The event names Pusher Channels sends in webhooks. */
export type WebhookEventName =
  | 'channel_occupied'
  | 'channel_vacated'
  | 'member_added'
  | 'member_removed'
  | 'client_event'
  | 'subscription_count';

export const WEBHOOK_EVENT_NAMES: readonly WebhookEventName[] = Object.freeze([
  'channel_occupied',
  'channel_vacated',
  'member_added',
  'member_removed',
  'client_event',
  'subscription_count',
]);

/** One event of a webhook body, field for field as Pusher documents it. */
export interface WebhookEvent {
  name: WebhookEventName;
  channel: string;
  /** member_added, member_removed, and client_event on presence channels. Always a string, as on Pusher. */
  user_id?: string;
  /** client_event: the event name (`client-…`). */
  event?: string;
  /** client_event: the event data as the client sent it, JSON-encoded (a string, as on Pusher). */
  data?: string;
  /** client_event: the sender's socket id. */
  socket_id?: string;
  /** subscription_count: the channel's subscriptions now. */
  subscription_count?: number;
}

/** The exact body Pusher POSTs: `time_ms` is when the batch was made. */
export interface WebhookBody {
  time_ms: number;
  events: WebhookEvent[];
}

/** One receiver: where to POST, and which events it wants. */
export interface WebhookTarget {
  /** http(s) URL the body is POSTed to. */
  url: string;
  /** Event names this URL gets. Default: all but `subscription_count` (Pusher sends that only when enabled). */
  events?: WebhookEventName[];
  /** Only events on channels whose name starts with this (soketi's `channel_name_starts_with`). */
  channelPrefix?: string;
  /** Extra request headers (`X-Pusher-Key`, `X-Pusher-Signature` and `Content-Type` cannot be overridden). */
  headers?: Record<string, string>;
}

export interface WebhookOptions {
  /** Receivers. Default none: the server still emits `'webhook'` in-process. */
  targets?: WebhookTarget[];
  /** Milliseconds member_removed and channel_vacated are held back; a rejoin within it cancels both events. Default 3000 (Pusher's figure). */
  graceMs?: number;
  /** Milliseconds events are gathered into one body. Default 50. */
  batchMs?: number;
  /** Most bodies waiting per URL; past it the oldest is dropped (and counted). Default 1000. */
  queueSize?: number;
  /** Milliseconds one POST may take before it counts as failed. Default 5000. */
  timeoutMs?: number;
  /** First retry delay in milliseconds, doubled each time up to `retryMaxMs`. Default 1000. */
  retryMinMs?: number;
  /** Longest retry delay in milliseconds. Default 30000. */
  retryMaxMs?: number;
  /** A body still failing this many milliseconds after its first attempt is given up (Pusher: 5 minutes). Default 300000. */
  retryForMs?: number;
}

export interface ResolvedWebhookTarget {
  url: string;
  events: ReadonlySet<WebhookEventName>;
  channelPrefix: string;
  headers: Record<string, string>;
}

export interface ResolvedWebhookOptions {
  targets: ResolvedWebhookTarget[];
  graceMs: number;
  batchMs: number;
  queueSize: number;
  timeoutMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  retryForMs: number;
}

/** Counters per URL, from `server.webhookStats()`. */
export interface WebhookStats {
  url: string;
  /** Bodies waiting (including one being sent). */
  queued: number;
  /** Bodies delivered with a 2xx answer. */
  sent: number;
  /** Failed attempts (network error, timeout, non-2xx). */
  failures: number;
  /** Bodies dropped: the oldest when the queue was full, or given up after `retryForMs`. */
  dropped: number;
  /** Events in the dropped bodies. */
  droppedEvents: number;
}

const DEFAULT_EVENTS: readonly WebhookEventName[] = WEBHOOK_EVENT_NAMES.filter(
  (name) => name !== 'subscription_count',
);
const PROTECTED_HEADERS = new Set(['content-type', 'x-pusher-key', 'x-pusher-signature', 'content-length']);

/** Validates the `webhooks` option; every message quotes the bad value and says what is expected. */
export function resolveWebhookOptions(value: unknown): ResolvedWebhookOptions {
  if (value === undefined) value = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(
      `webhooks option must be an object like { targets: [{ url: 'http://…/webhooks' }] }, got ${describe(value)}`,
    );
  }
  const options = value as Record<string, unknown>;
  const known = [
    'targets',
    'graceMs',
    'batchMs',
    'queueSize',
    'timeoutMs',
    'retryMinMs',
    'retryMaxMs',
    'retryForMs',
  ];
  for (const name of Object.keys(options)) {
    if (!known.includes(name))
      throw new TypeError(`webhooks.${name} is not a known option; known: ${known.join(', ')}`);
  }
  const rawTargets = options.targets ?? [];
  if (!Array.isArray(rawTargets)) {
    throw new TypeError(
      `webhooks.targets must be an array of { url, events?, channelPrefix?, headers? }, got ${describe(rawTargets)}`,
    );
  }
  const targets = rawTargets.map((target: unknown, index) => resolveTarget(target, index));
  const retryMinMs = number('retryMinMs', options.retryMinMs, 1000, 1);
  const retryMaxMs = number('retryMaxMs', options.retryMaxMs, 30_000, 1);
  if (retryMaxMs < retryMinMs)
    throw new TypeError(`webhooks.retryMaxMs (${retryMaxMs}) must be at least retryMinMs (${retryMinMs})`);
  return {
    targets,
    graceMs: number('graceMs', options.graceMs, 3000, 0),
    batchMs: number('batchMs', options.batchMs, 50, 0),
    queueSize: integer('queueSize', options.queueSize, 1000),
    timeoutMs: number('timeoutMs', options.timeoutMs, 5000, 1),
    retryMinMs,
    retryMaxMs,
    retryForMs: number('retryForMs', options.retryForMs, 300_000, 0),
  };
}

function resolveTarget(value: unknown, index: number): ResolvedWebhookTarget {
  const where = `webhooks.targets[${index}]`;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new TypeError(`${where} must be an object { url, events? }, got ${describe(value)}`);
  const target = value as Record<string, unknown>;
  for (const name of Object.keys(target)) {
    if (!['url', 'events', 'channelPrefix', 'headers'].includes(name))
      throw new TypeError(`${where}.${name} is not known; use url, events, channelPrefix, headers`);
  }
  let url: URL | undefined;
  try {
    url = typeof target.url === 'string' ? new URL(target.url) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new TypeError(`${where}.url must be an http:// or https:// URL, got ${describe(target.url)}`);
  const events = target.events ?? DEFAULT_EVENTS;
  if (!Array.isArray(events) || events.length === 0)
    throw new TypeError(
      `${where}.events must be a non-empty array of ${WEBHOOK_EVENT_NAMES.join(', ')}, got ${describe(events)}`,
    );
  for (const name of events) {
    if (!WEBHOOK_EVENT_NAMES.includes(name as WebhookEventName))
      throw new TypeError(
        `${where}.events has an unknown event ${describe(name)}; known: ${WEBHOOK_EVENT_NAMES.join(', ')}`,
      );
  }
  const channelPrefix = target.channelPrefix ?? '';
  if (typeof channelPrefix !== 'string')
    throw new TypeError(`${where}.channelPrefix must be a string, got ${describe(channelPrefix)}`);
  const headers: Record<string, string> = {};
  if (target.headers !== undefined) {
    if (target.headers === null || typeof target.headers !== 'object' || Array.isArray(target.headers))
      throw new TypeError(`${where}.headers must be an object of strings, got ${describe(target.headers)}`);
    for (const [name, header] of Object.entries(target.headers)) {
      if (typeof header !== 'string' || /[\r\n]/.test(header))
        throw new TypeError(`${where}.headers.${name} must be a one-line string, got ${describe(header)}`);
      if (PROTECTED_HEADERS.has(name.toLowerCase()))
        throw new TypeError(`${where}.headers.${name} is set by the server and cannot be overridden`);
      headers[name] = header;
    }
  }
  return { url: url.href, events: new Set(events as WebhookEventName[]), channelPrefix, headers };
}

function number(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(
      `webhooks.${name} must be a finite number ≥ ${min} (milliseconds), got ${describe(value)}`,
    );
  }
  return value;
}

function integer(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new TypeError(`webhooks.${name} must be a positive integer, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}

/** `X-Pusher-Signature`: HMAC-SHA256 hex of the raw body with the app secret. */
export function webhookSignature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

interface Pending {
  event: WebhookEvent;
  timer: NodeJS.Timeout;
}

interface Delivery {
  body: string;
  events: number;
  firstTry: number;
}

/**
 * Turns the hub's events into Pusher webhooks: holds member_removed / channel_vacated for the grace
 * (a rejoin inside it cancels the pair, as Pusher does), batches, emits each body in-process, and
 * hands it to one sender per URL. Nothing here is awaited by the frame path.
 */
export class Webhooks {
  readonly #options: ResolvedWebhookOptions;
  readonly #emit: (body: WebhookBody) => void;
  readonly #senders: WebhookSender[];
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
    this.#senders = options.targets.map((target) => new WebhookSender(target, options, key, secret));
  }

  /** Whether some URL wants subscription_count (it is not made otherwise: every subscribe would be one). */
  get wantsSubscriptionCount(): boolean {
    return this.#options.targets.some((target) => target.events.has('subscription_count'));
  }

  /** Records an event as it happens; cheap and synchronous. */
  record(event: WebhookEvent): void {
    if (this.#closed) return;
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

  /**
   * Translates one of the hub's events (`RealtimeEvents`) into webhook events. `count` is the channel's
   * subscriptions now. `#server-to-user-` channels are internal to user sign-in; Pusher sends no webhooks for them.
   */
  observe(name: string, payload: unknown, count: (channel: string) => number): void {
    if (this.#closed || payload === null || typeof payload !== 'object') return;
    const p = payload as {
      channel?: string;
      userId?: string;
      event?: string;
      data?: string;
      socketId?: string;
    };
    const channel = p.channel;
    if (typeof channel !== 'string' || channel.startsWith('#')) return;
    const presence = channel.startsWith('presence-');
    switch (name) {
      case 'subscribed': {
        const now = count(channel);
        if (now === 1) this.record({ name: 'channel_occupied', channel });
        if (!presence && this.wantsSubscriptionCount) this.recordCount(channel, now);
        return;
      }
      case 'unsubscribed': {
        // after the member_removed that the same leave() emits next, so the pair reads removed-then-vacated
        queueMicrotask(() => {
          const now = count(channel);
          if (now === 0) this.record({ name: 'channel_vacated', channel });
          if (!presence && this.wantsSubscriptionCount) this.recordCount(channel, now);
        });
        return;
      }
      case 'member_added':
      case 'member_removed':
        this.record({ name, channel, user_id: String(p.userId) });
        return;
      case 'client_event': {
        const event: WebhookEvent = {
          name: 'client_event',
          channel,
          event: p.event,
          data: p.data,
          socket_id: p.socketId,
        };
        if (p.userId !== undefined) event.user_id = p.userId;
        this.record(event);
        return;
      }
    }
  }

  /** subscription_count, coalesced: one event per channel per batch, with the latest count. */
  recordCount(channel: string, count: number): void {
    if (this.#closed) return;
    const known = this.#counts.has(channel);
    this.#counts.set(channel, count);
    if (!known) this.#release({ name: 'subscription_count', channel, subscription_count: count });
  }

  stats(): WebhookStats[] {
    return this.#senders.map((sender) => sender.stats());
  }

  /** Stops timers and in-flight requests; held and queued events are dropped. */
  close(): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
    clearTimeout(this.#batchTimer);
    for (const sender of this.#senders) sender.close();
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
    for (const sender of this.#senders) {
      const wanted = events.filter(
        (event) =>
          sender.target.events.has(event.name) && event.channel.startsWith(sender.target.channelPrefix),
      );
      if (wanted.length > 0) sender.enqueue(JSON.stringify({ time_ms, events: wanted }), wanted.length);
    }
  }
}

function pendingKey(name: string, channel: string, userId: string | undefined): string {
  return `${name}\0${channel}\0${userId ?? ''}`;
}

/** One URL: a bounded FIFO sent one body at a time (order kept), retried with exponential backoff. */
class WebhookSender {
  readonly target: ResolvedWebhookTarget;
  readonly #options: ResolvedWebhookOptions;
  readonly #key: string;
  readonly #secret: string;
  readonly #queue: Delivery[] = [];
  #busy = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #abort: AbortController | undefined;
  #closed = false;
  #sent = 0;
  #failures = 0;
  #dropped = 0;
  #droppedEvents = 0;

  constructor(target: ResolvedWebhookTarget, options: ResolvedWebhookOptions, key: string, secret: string) {
    this.target = target;
    this.#options = options;
    this.#key = key;
    this.#secret = secret;
  }

  enqueue(body: string, events: number): void {
    if (this.#closed) return;
    this.#queue.push({ body, events, firstTry: 0 });
    // the oldest goes, even the one being retried: the sender loop sees its head changed and moves on
    while (this.#queue.length > this.#options.queueSize) {
      this.#drop(this.#queue.shift() as Delivery, 'queue full');
    }
    if (!this.#busy) void this.#next();
  }

  stats(): WebhookStats {
    return {
      url: this.target.url,
      queued: this.#queue.length,
      sent: this.#sent,
      failures: this.#failures,
      dropped: this.#dropped,
      droppedEvents: this.#droppedEvents,
    };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#abort?.abort();
    this.#queue.length = 0;
  }

  #drop(delivery: Delivery, why: string): void {
    this.#dropped += 1;
    this.#droppedEvents += delivery.events;
    debug(
      'webhooks: dropped a body of %d event(s) for %s (%s); %d body(ies) with %d event(s) dropped so far',
      delivery.events,
      this.target.url,
      why,
      this.#dropped,
      this.#droppedEvents,
    );
  }

  async #next(): Promise<void> {
    this.#busy = true;
    let attempt = 0;
    while (!this.#closed) {
      const delivery = this.#queue[0];
      if (delivery === undefined) break;
      if (delivery.firstTry === 0) delivery.firstTry = Date.now();
      const ok = await this.#post(delivery.body);
      if (this.#closed) break;
      if (this.#queue[0] !== delivery) {
        attempt = 0;
        continue;
      }
      if (ok) {
        this.#queue.shift();
        this.#sent += 1;
        attempt = 0;
        continue;
      }
      this.#failures += 1;
      if (Date.now() - delivery.firstTry >= this.#options.retryForMs) {
        this.#queue.shift();
        this.#drop(delivery, `still failing after ${this.#options.retryForMs} ms`);
        attempt = 0;
        continue;
      }
      const wait = Math.min(this.#options.retryMinMs * 2 ** attempt, this.#options.retryMaxMs);
      attempt += 1;
      // jitter, so receivers coming back are not hit by every server at the same instant
      await new Promise<void>((resolve) => {
        this.#retryTimer = setTimeout(resolve, wait * (0.75 + Math.random() * 0.5));
        this.#retryTimer.unref();
      });
    }
    this.#busy = false;
  }

  async #post(body: string): Promise<boolean> {
    this.#abort = new AbortController();
    const timer = setTimeout(() => this.#abort?.abort(), this.#options.timeoutMs);
    timer.unref();
    try {
      const response = await fetch(this.target.url, {
        method: 'POST',
        headers: {
          ...this.target.headers,
          'Content-Type': 'application/json',
          'X-Pusher-Key': this.#key,
          'X-Pusher-Signature': webhookSignature(this.#secret, body),
        },
        body,
        signal: this.#abort.signal,
      });
      // the body is not needed; reading it frees the connection for reuse
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return true;
      debug('webhooks: %s answered %d', this.target.url, response.status);
      return false;
    } catch (error) {
      debug('webhooks: POST %s failed: %s', this.target.url, (error as Error)?.message ?? String(error));
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
