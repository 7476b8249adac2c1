import type { WhatsupIndex } from './indexes.js';
import { RedisIndex, type RedisIndexCommands } from './redis-index.js';
import type { MemberRecord, StatusStore } from './status-store.js';

/**
 * The Redis commands the store uses, as ioredis spells them. Pass an `ioredis` client
 * (`new Redis(process.env.REDIS_URL)`); @whatsup/express itself depends on no Redis client.
 * node-redis spells them differently (`zAdd(key, { score, value })`, `set(key, v, { EX })`…):
 * wrap it in an object with these methods (docs/production.md shows one).
 */
export interface RedisLikeClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  del(...keys: string[]): Promise<unknown>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  zadd(key: string, score: number, member: string): Promise<unknown>;
  zrem(key: string, member: string): Promise<unknown>;
  zrangebyscore(key: string, min: number | string, max: number | string): Promise<string[]>;
  zremrangebyscore(key: string, min: number | string, max: number | string): Promise<unknown>;
  expire(key: string, seconds: number): Promise<unknown>;
  // The index's commands (names, invisible sets, webhook replays): every ioredis client has them.
  hget?: RedisIndexCommands['hget'];
  hscan?: RedisIndexCommands['hscan'];
  sadd?: RedisIndexCommands['sadd'];
  srem?: RedisIndexCommands['srem'];
  smembers?: RedisIndexCommands['smembers'];
  scan?: RedisIndexCommands['scan'];
  eval?: RedisIndexCommands['eval'];
}

export interface RedisStatusStoreOptions {
  client: RedisLikeClient;
  /** Key prefix, so several apps share one Redis. Default `'whatsup:'`. */
  prefix?: string;
  /** Members not updated for this long are forgotten. Default one day. */
  ttlSeconds?: number;
  /** Records of people who left (`lastSeen` set) are kept this long after they left. Default one hour. */
  leftTtlSeconds?: number;
}

/**
 * Statuses in Redis: they survive a restart and every app instance sees the same ones.
 * One key per member (`<prefix>member:<id>`, expiring) and a sorted set of ids by last update
 * (`<prefix>members`, pruned on every list and expiring with its newest member) for listing.
 */
export class RedisStatusStore implements StatusStore {
  /** Shared by every instance on this Redis; undefined for a client without the index's commands. */
  readonly index: WhatsupIndex | undefined;
  readonly #client: RedisLikeClient;
  readonly #prefix: string;
  readonly #ttl: number;
  readonly #leftTtl: number;

  constructor(options: RedisStatusStoreOptions) {
    if (!options?.client || typeof options.client.zadd !== 'function') {
      throw new TypeError(
        'RedisStatusStore needs client: an ioredis client, e.g. new Redis(process.env.REDIS_URL)',
      );
    }
    const ttl = options.ttlSeconds ?? 24 * 60 * 60;
    if (!Number.isInteger(ttl) || ttl <= 0)
      throw new TypeError(`ttlSeconds must be a positive integer, got ${ttl}`);
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'whatsup:';
    const leftTtl = options.leftTtlSeconds ?? 60 * 60;
    if (!Number.isInteger(leftTtl) || leftTtl <= 0)
      throw new TypeError(`leftTtlSeconds must be a positive integer, got ${leftTtl}`);
    this.#ttl = ttl;
    this.#leftTtl = leftTtl;
    const commands = ['hget', 'hscan', 'sadd', 'srem', 'smembers', 'scan', 'eval'] as const;
    this.index = commands.every((name) => typeof options.client[name] === 'function')
      ? new RedisIndex(options.client as unknown as RedisIndexCommands, this.#prefix)
      : undefined;
  }

  get leftTtlMs(): number {
    return this.#leftTtl * 1000;
  }

  async get(id: string): Promise<MemberRecord | undefined> {
    return parse(await this.#client.get(this.#key(id)));
  }

  async set(record: MemberRecord): Promise<void> {
    // Someone who left expires leftTtl after leaving (or sooner, with the general TTL).
    const seconds =
      record.lastSeen === undefined
        ? this.#ttl
        : Math.max(1, Math.min(this.#ttl, Math.ceil((record.lastSeen - Date.now()) / 1000) + this.#leftTtl));
    const value = JSON.stringify(record);
    // One script, so a Redis that goes away mid-change leaves the record and the list as they were
    // or both changed: never a status stored that the list does not show.
    if (this.#client.eval) {
      await this.#client.eval(
        SET,
        2,
        this.#key(record.id),
        this.#index,
        value,
        String(seconds),
        String(record.updatedAt),
        record.id,
        String(this.#ttl),
      );
      return;
    }
    await this.#client.set(this.#key(record.id), value, 'EX', seconds);
    await this.#client.zadd(this.#index, record.updatedAt, record.id);
    // The index lives as long as its newest member, so an app that is gone leaves nothing behind.
    await this.#client.expire(this.#index, this.#ttl);
  }

  async delete(id: string): Promise<void> {
    await this.#client.del(this.#key(id));
    await this.#client.zrem(this.#index, id);
  }

  async list(): Promise<MemberRecord[]> {
    const oldest = Date.now() - this.#ttl * 1000;
    await this.#client.zremrangebyscore(this.#index, '-inf', `(${oldest}`);
    const ids = await this.#client.zrangebyscore(this.#index, oldest, '+inf');
    if (ids.length === 0) return [];
    const values = await this.#client.mget(...ids.map((id) => this.#key(id)));
    return values.map(parse).filter((r): r is MemberRecord => r !== undefined);
  }

  get #index(): string {
    return `${this.#prefix}members`;
  }

  #key(id: string): string {
    return `${this.#prefix}member:${id}`;
  }
}

// KEYS: the record, the list. ARGV: the record's JSON, its TTL, its score (updatedAt), its id, the list's TTL.
const SET = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
`;

function parse(value: string | null | undefined): MemberRecord | undefined {
  if (!value) return undefined;
  try {
    const record = JSON.parse(value) as MemberRecord;
    return typeof record?.id === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}
