import type { Member } from '@whatsup/protocol';
import { MemoryIndex, type WhatsupIndex } from './indexes.js';

/**
 * What the server knows about one member: the `Member` every browser sees (`@whatsup/protocol`)
 * and what only the server may know.
 */
export interface MemberRecord extends Member {
  /** The channels its owner was authorized for: GET /members shows it to people allowed in one of them. */
  channels?: string[];
  /**
   * While its owner is invisible: the record as others see it — as it was when they turned
   * invisible, with `lastSeen` then — so that to everyone else they left, like anyone who closes
   * their tabs. Never sent to the owner's own pages as their record.
   */
  leftAs?: Member;
  /** @deprecated Anonymous ids of an older server's invisible members; no longer written. */
  hidden?: string[];
}

/**
 * Where statuses live. The memory store is the default for one process; use a shared
 * store (e.g. `RedisStatusStore`) when several app instances serve the same channel.
 */
export interface StatusStore {
  get(id: string): Promise<MemberRecord | undefined>;
  set(record: MemberRecord): Promise<void>;
  delete(id: string): Promise<void>;
  /** Every record not yet expired. */
  list(): Promise<MemberRecord[]>;
  /**
   * Names held, invisible people per channel, webhook bodies seen: kept beside the records so
   * every instance sharing the store shares them. Without one the router keeps a memory index of
   * its own process.
   */
  readonly index?: WhatsupIndex;
  /** How long a record whose owner left is kept (ms); the router shows an invisible person as left that long. */
  readonly leftTtlMs?: number;
}

export interface MemoryStatusStoreOptions {
  /** Records not updated for this long are forgotten (members long gone). Default 24 hours. */
  ttlMs?: number;
  /** Records of people who left (`lastSeen` set) are kept this long after they left. Default 1 hour. */
  leftTtlMs?: number;
}

export class MemoryStatusStore implements StatusStore {
  readonly index: WhatsupIndex = new MemoryIndex();
  readonly #records = new Map<string, MemberRecord>();
  readonly #ttlMs: number;
  readonly #leftTtlMs: number;

  constructor(options: MemoryStatusStoreOptions = {}) {
    const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    if (!Number.isFinite(ttlMs) || ttlMs <= 0)
      throw new TypeError(`ttlMs must be a positive number, got ${ttlMs}`);
    const leftTtlMs = options.leftTtlMs ?? 60 * 60 * 1000;
    if (!Number.isFinite(leftTtlMs) || leftTtlMs <= 0)
      throw new TypeError(`leftTtlMs must be a positive number, got ${leftTtlMs}`);
    this.#ttlMs = ttlMs;
    this.#leftTtlMs = leftTtlMs;
  }

  get leftTtlMs(): number {
    return this.#leftTtlMs;
  }

  async get(id: string): Promise<MemberRecord | undefined> {
    const record = this.#records.get(id);
    if (record && this.#expired(record)) {
      this.#records.delete(id);
      return undefined;
    }
    return record ? { ...record } : undefined;
  }

  async set(record: MemberRecord): Promise<void> {
    // Re-inserted, so /members lists members in the order they last changed.
    this.#records.delete(record.id);
    this.#records.set(record.id, { ...record });
  }

  async delete(id: string): Promise<void> {
    this.#records.delete(id);
  }

  async list(): Promise<MemberRecord[]> {
    // Every record is looked at anyway to copy it out, so expired ones go on the way: a record may
    // be set with an older updatedAt than its neighbours (imports, other stores), so order proves nothing.
    const alive: MemberRecord[] = [];
    for (const [id, record] of this.#records) {
      if (this.#expired(record)) this.#records.delete(id);
      else alive.push({ ...record });
    }
    return alive;
  }

  #expired(record: MemberRecord): boolean {
    const now = Date.now();
    if (record.lastSeen !== undefined && now - record.lastSeen > this.#leftTtlMs) return true;
    return now - record.updatedAt > this.#ttlMs;
  }
}
