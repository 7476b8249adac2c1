import { debug } from '../debug.js';
import type { ResolvedWebhookOptions, ResolvedWebhookTarget } from './options.js';
import { postWebhook } from './sender.js';

interface Delivery {
  body: string;
  events: number;
  firstTry: number;
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

/** One URL: a bounded FIFO sent one body at a time (order kept), retried with exponential backoff and jitter. */
export class WebhookQueue {
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
    return postWebhook(body, {
      target: this.target,
      key: this.#key,
      secret: this.#secret,
      timeoutMs: this.#options.timeoutMs,
      abort: this.#abort,
    });
  }
}
