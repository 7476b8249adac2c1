import type { NameHold, WhatsupIndex } from './indexes.js';

/**
 * The Redis commands the index uses, as ioredis spells them (every ioredis client has them).
 * Optional in `RedisLikeClient`: a wrapper without them gets a memory index per instance.
 */
export interface RedisIndexCommands {
  hget(key: string, field: string): Promise<string | null>;
  hscan(key: string, cursor: string, countToken: 'COUNT', count: number): Promise<[string, string[]]>;
  sadd(key: string, ...members: string[]): Promise<unknown>;
  srem(key: string, ...members: string[]): Promise<unknown>;
  smembers(key: string): Promise<string[]>;
  scan(
    cursor: string,
    matchToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[string, string[]]>;
  eval(script: string, keys: number, ...args: string[]): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<unknown>;
}

// Compare-and-set in one step, so two instances signing up one name at once cannot both win.
const HOLD = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local id = cjson.decode(current).id
  if id ~= ARGV[3] and id ~= ARGV[4] then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;
const RELEASE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and cjson.decode(current).id == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

/**
 * The index in Redis, shared by every instance: names in the hash `<prefix>names` (name key →
 * JSON hold), invisible people per channel in the sets `<prefix>invisible:<channel>`, webhook
 * signatures seen as `<prefix>seen:<signature>` keys that expire with the accepted window.
 */
export class RedisIndex implements WhatsupIndex {
  readonly #client: RedisIndexCommands;
  readonly #prefix: string;

  constructor(client: RedisIndexCommands, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  async holderOf(key: string): Promise<NameHold | undefined> {
    return parseHold(await this.#client.hget(this.#names, key));
  }

  async hold(key: string, hold: NameHold, replacing = ''): Promise<boolean> {
    const done = await this.#client.eval(HOLD, 1, this.#names, key, JSON.stringify(hold), hold.id, replacing);
    return Number(done) === 1;
  }

  async release(key: string, id: string): Promise<void> {
    await this.#client.eval(RELEASE, 1, this.#names, key, id);
  }

  async *holds(): AsyncIterable<[string, NameHold]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.#client.hscan(this.#names, cursor, 'COUNT', 500);
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const hold = parseHold(flat[i + 1]);
        if (hold) yield [flat[i]!, hold];
      }
    } while (cursor !== '0');
  }

  async addInvisible(channel: string, id: string): Promise<void> {
    await this.#client.sadd(this.#invisible(channel), id);
  }

  async removeInvisible(channel: string, id: string): Promise<void> {
    await this.#client.srem(this.#invisible(channel), id);
  }

  async invisibleIn(channel: string): Promise<string[]> {
    return this.#client.smembers(this.#invisible(channel));
  }

  async *invisibleChannels(): AsyncIterable<string> {
    const start = this.#invisible('');
    let cursor = '0';
    do {
      const [next, keys] = await this.#client.scan(cursor, 'MATCH', `${start}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) yield key.slice(start.length);
    } while (cursor !== '0');
  }

  async firstTime(key: string, ttlMs: number): Promise<boolean> {
    const set = await this.#client.set(`${this.#prefix}seen:${key}`, '1', 'PX', Math.max(1, ttlMs), 'NX');
    return set !== null;
  }

  get #names(): string {
    return `${this.#prefix}names`;
  }

  #invisible(channel: string): string {
    return `${this.#prefix}invisible:${channel}`;
  }
}

function parseHold(value: string | null | undefined): NameHold | undefined {
  if (!value) return undefined;
  try {
    const hold = JSON.parse(value) as NameHold;
    return typeof hold?.id === 'string' && typeof hold.sid === 'string' ? hold : undefined;
  } catch {
    return undefined;
  }
}
