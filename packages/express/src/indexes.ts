// What the router looks up by key rather than by walking every record: who holds a display name,
// who is invisible in a channel, and which webhook bodies were already accepted. The stores carry
// one (`statusStore.index`); a store without one gets a memory index of this process.

/** Who holds a display name: the record's id, the express-session id that signed it up, and when. */
export interface NameHold {
  id: string;
  sid: string;
  /** Epoch ms of the claim. */
  at: number;
  /** Claimed by a sign-up still saving its session (whose id changes): alive for a few seconds regardless. */
  pending?: boolean;
}

/** The lookups of one router, kept beside its records (memory or Redis). */
export interface WhatsupIndex {
  /** The hold on a name key (see `nameKey()`), if any. */
  holderOf(key: string): Promise<NameHold | undefined>;
  /**
   * Puts `hold` on `key` if nobody holds it or the holder's id is `replacing`; false when someone
   * else got it first (two sign-ups of one name at once: one of them wins).
   */
  hold(key: string, hold: NameHold, replacing?: string): Promise<boolean>;
  /** Frees `key` if `id` holds it. */
  release(key: string, id: string): Promise<void>;
  /** Every hold, for the sweep that frees the names of sessions that ended without a sign-out. */
  holds(): AsyncIterable<[string, NameHold]>;
  addInvisible(channel: string, id: string): Promise<void>;
  removeInvisible(channel: string, id: string): Promise<void>;
  /** The ids of the invisible people allowed in a channel (they follow it through their follow channels). */
  invisibleIn(channel: string): Promise<string[]>;
  /** Channels with invisible people, for the sweep. */
  invisibleChannels(): AsyncIterable<string>;
  /** True the first time `key` is seen within `ttlMs`, false when it was seen already (a replay). */
  firstTime(key: string, ttlMs: number): Promise<boolean>;
}

export interface MemoryIndexOptions {
  /** How many keys `firstTime` remembers at most; the oldest go first. Default 100,000. */
  maxRemembered?: number;
}

/** The index of one process: Maps. */
export class MemoryIndex implements WhatsupIndex {
  readonly #names = new Map<string, NameHold>();
  readonly #invisible = new Map<string, Set<string>>();
  /** Keys seen, with when they may be forgotten; insertion order is time order (one ttl per router). */
  readonly #seen = new Map<string, number>();
  readonly #maxRemembered: number;

  constructor(options: MemoryIndexOptions = {}) {
    this.#maxRemembered = options.maxRemembered ?? 100_000;
  }

  async holderOf(key: string): Promise<NameHold | undefined> {
    return this.#names.get(key);
  }

  async hold(key: string, hold: NameHold, replacing?: string): Promise<boolean> {
    const current = this.#names.get(key);
    if (current && current.id !== replacing && current.id !== hold.id) return false;
    this.#names.set(key, { ...hold });
    return true;
  }

  async release(key: string, id: string): Promise<void> {
    if (this.#names.get(key)?.id === id) this.#names.delete(key);
  }

  async *holds(): AsyncIterable<[string, NameHold]> {
    // A copy: the sweep releases entries while it walks.
    for (const entry of [...this.#names]) yield entry;
  }

  async addInvisible(channel: string, id: string): Promise<void> {
    let ids = this.#invisible.get(channel);
    if (!ids) this.#invisible.set(channel, (ids = new Set()));
    ids.add(id);
  }

  async removeInvisible(channel: string, id: string): Promise<void> {
    const ids = this.#invisible.get(channel);
    if (!ids) return;
    ids.delete(id);
    if (ids.size === 0) this.#invisible.delete(channel);
  }

  async invisibleIn(channel: string): Promise<string[]> {
    const ids = this.#invisible.get(channel);
    return ids ? [...ids] : [];
  }

  async *invisibleChannels(): AsyncIterable<string> {
    for (const channel of [...this.#invisible.keys()]) yield channel;
  }

  async firstTime(key: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    for (const [old, until] of this.#seen) {
      if (until > now && this.#seen.size < this.#maxRemembered) break;
      this.#seen.delete(old);
    }
    const until = this.#seen.get(key);
    if (until !== undefined && until > now) return false;
    this.#seen.delete(key);
    this.#seen.set(key, now + ttlMs);
    return true;
  }
}
