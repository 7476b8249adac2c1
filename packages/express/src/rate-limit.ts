/** A fixed-window counter per key; old windows are dropped as they expire. */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #windowMs: number;
  readonly #max: number;

  constructor(windowMs: number, max: number) {
    if (!(windowMs > 0) || !(max > 0))
      throw new TypeError('rateLimit.windowMs and rateLimit.max must be positive');
    this.#windowMs = windowMs;
    this.#max = max;
  }

  /** Counts one hit; returns 0 when allowed, or the milliseconds until the key may try again. */
  hit(key: string): number {
    const now = Date.now();
    if (this.#windows.size > 10_000) {
      for (const [k, w] of this.#windows) if (now - w.start >= this.#windowMs) this.#windows.delete(k);
    }
    const window = this.#windows.get(key);
    if (!window || now - window.start >= this.#windowMs) {
      this.#windows.set(key, { start: now, count: 1 });
      return 0;
    }
    window.count += 1;
    return window.count > this.#max ? this.#windowMs - (now - window.start) : 0;
  }
}
