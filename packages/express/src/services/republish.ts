// A change stored while the realtime service was unreachable is published again until it goes,
// so people on a node that was down (or on the other nodes, which hear it through that node) get
// it once the node is back. One entry per person, the latest (a person's newest record is all
// anyone needs); bounded, the oldest going first; retried with backoff, all at once, because they
// all wait for the same service.
import { debuglog } from 'node:util';

const debug = debuglog('whatsup');

export interface RepublishOptions {
  /** Publishes the latest of person `id` (reading it again), to `channels` at least. Rejects while the service is down. */
  publish(id: string, channels: string[]): Promise<void>;
  /** At most this many people waiting; the oldest are dropped past it. Default 10,000. */
  max?: number;
  /** First retry after this many ms, doubling up to `maxDelayMs`. Default 250. */
  firstDelayMs?: number;
  /** Default 4000. */
  maxDelayMs?: number;
}

export class Republish {
  readonly #o: Required<RepublishOptions>;
  /** Person id → the channels their change must reach; insertion order is age. */
  readonly #waiting = new Map<string, string[]>();
  #delay: number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #closed = false;

  constructor(options: RepublishOptions) {
    this.#o = { max: 10_000, firstDelayMs: 250, maxDelayMs: 4000, ...options };
    this.#delay = this.#o.firstDelayMs;
  }

  /** How many people's changes wait. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Queues person `id`'s latest record for `channels` (with any channels already waiting). */
  add(id: string, channels: string[]): void {
    if (this.#closed) return;
    const before = this.#waiting.get(id) ?? [];
    this.#waiting.delete(id);
    this.#waiting.set(id, [...new Set([...before, ...channels])]);
    while (this.#waiting.size > this.#o.max) {
      const oldest = this.#waiting.keys().next().value as string;
      this.#waiting.delete(oldest);
      debug('republish queue full: the change of %s is dropped', oldest);
    }
    this.#schedule();
  }

  /** Stops retrying (what waits is dropped). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting.clear();
  }

  #schedule(): void {
    if (this.#timer || this.#running || this.#closed) return;
    // Jitter, so instances that lost the same node do not all come back in step.
    const delay = this.#delay * (0.75 + Math.random() * 0.5);
    this.#timer = setTimeout(() => void this.#run(), delay);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    this.#timer = undefined;
    this.#running = true;
    try {
      for (const [id, channels] of [...this.#waiting]) {
        if (this.#closed) return;
        try {
          await this.#o.publish(id, channels);
        } catch (err) {
          // Still down: everyone waits for the next try.
          debug('republish of %s failed (%d waiting): %o', id, this.#waiting.size, err);
          this.#delay = Math.min(this.#delay * 2, this.#o.maxDelayMs);
          return;
        }
        // A newer change queued meanwhile stays (its record was read before or after: try again).
        if (this.#waiting.get(id) === channels) this.#waiting.delete(id);
        debug('republished the change of %s', id);
      }
      this.#delay = this.#o.firstDelayMs;
    } finally {
      this.#running = false;
      if (this.#waiting.size > 0) this.#schedule();
    }
  }
}
