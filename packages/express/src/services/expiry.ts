import { debuglog } from 'node:util';

const debug = debuglog('whatsup');

/** setTimeout fires at once for delays over 2^31 - 1 ms (about 24.8 days): longer waits go in steps. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * One timer per record whose status clears by itself. Timers are unref'd (they never keep a
 * process alive) and only say "look now": `clear(id)` reads the store again and decides, so a
 * status changed meanwhile (here or by another instance) is never cleared by an old timer.
 */
export class ExpiryTimers {
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #clear: (id: string) => Promise<void>;
  #closed = false;

  constructor(clear: (id: string) => Promise<void>) {
    this.#clear = clear;
  }

  /** Arms (or re-arms) the timer for `id` at `clearAt`; undefined cancels it. */
  watch(id: string, clearAt: number | undefined): void {
    const current = this.#timers.get(id);
    if (current && current.at === clearAt) return;
    this.cancel(id);
    if (clearAt === undefined || this.#closed) return;
    const delay = Math.min(MAX_DELAY, Math.max(0, clearAt - Date.now()));
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      if (Date.now() < clearAt) return this.watch(id, clearAt);
      this.#clear(id).catch((err: unknown) => debug('clearing the status of %s failed: %o', id, err));
    }, delay);
    timer.unref();
    this.#timers.set(id, { at: clearAt, timer });
  }

  cancel(id: string): void {
    const current = this.#timers.get(id);
    if (!current) return;
    clearTimeout(current.timer);
    this.#timers.delete(id);
  }

  /** How many timers are armed. */
  get size(): number {
    return this.#timers.size;
  }

  close(): void {
    this.#closed = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
