import { debuglog } from 'node:util';
import type { Activity } from '../rich-status.js';

const debug = debuglog('whatsup');

/**
 * Coalesces bursts of activity reports per person: at most one change is applied per window;
 * reports inside it are deferred and the last one is applied when the window ends, so a flapping
 * client costs one publish per window and its final state is never lost.
 */
export class ActivityWindows {
  readonly #windowMs: number;
  readonly #apply: (userId: string, activity: Activity) => Promise<void>;
  /** When each person's last change was applied, oldest first. */
  readonly #last = new Map<string, number>();
  readonly #pending = new Map<string, { activity: Activity; timer: NodeJS.Timeout }>();

  constructor(windowMs: number, apply: (userId: string, activity: Activity) => Promise<void>) {
    this.#windowMs = windowMs;
    this.#apply = apply;
  }

  /**
   * `'same'`: nothing to do; `'now'`: the caller applies it at once; `'deferred'`: it will be
   * applied (if still a change) when the person's window ends.
   */
  report(userId: string, activity: Activity, stored: Activity): 'same' | 'now' | 'deferred' {
    const pending = this.#pending.get(userId);
    if (pending) {
      pending.activity = activity;
      return 'deferred';
    }
    if (activity === stored) return 'same';
    const now = Date.now();
    const last = this.#last.get(userId);
    if (last !== undefined && now - last < this.#windowMs) {
      const timer = setTimeout(() => void this.#flush(userId), last + this.#windowMs - now);
      timer.unref();
      this.#pending.set(userId, { activity, timer });
      return 'deferred';
    }
    this.#applied(userId, now);
    return 'now';
  }

  /** Applies every deferred report now (the router is closing). */
  async close(): Promise<void> {
    await Promise.all([...this.#pending.keys()].map((id) => this.#flush(id)));
  }

  async #flush(userId: string): Promise<void> {
    const pending = this.#pending.get(userId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(userId);
    this.#applied(userId, Date.now());
    await this.#apply(userId, pending.activity).catch((err: unknown) =>
      debug('applying the activity of %s failed: %o', userId, err),
    );
  }

  #applied(userId: string, time: number): void {
    this.#last.delete(userId);
    this.#last.set(userId, time);
    // Entries older than a window decide nothing any more: drop them, oldest first.
    for (const [id, at] of this.#last) {
      if (time - at < this.#windowMs) break;
      this.#last.delete(id);
    }
  }
}
