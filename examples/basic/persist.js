// What the demo keeps across a restart when SESSION_SECRET is set: sessions, and the statuses with
// the names they hold, each in a JSON file of its own in a data directory. Small on purpose: one
// process, everything in memory, written (atomically: a temporary file renamed over the old one)
// a moment after each change and at once on shutdown. For several processes use Redis
// (examples/scale-out).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import session from 'express-session';
import { MemoryStatusStore } from '@whatsup/express';

const WRITE_DELAY_MS = 100;

/** Writes `data()` to `file` WRITE_DELAY_MS after the last change (or at once with flush()). */
function writer(file, data) {
  let timer;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    writeFileSync(`${file}.tmp`, JSON.stringify(data()));
    renameSync(`${file}.tmp`, file);
  };
  return {
    flush,
    changed() {
      timer ??= setTimeout(flush, WRITE_DELAY_MS);
    },
  };
}

function readJson(file, fallback) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err.code !== 'ENOENT')
      console.error(`whatsup demo: ${file} could not be read (${err.message}); starting empty`);
    return fallback;
  }
}

/**
 * express-session sessions in `<dir>/sessions.json`. A session ends when its cookie expires
 * (`cookie.maxAge`); ended ones are pruned every `checkPeriod` ms and at start.
 */
export class FileSessionStore extends session.Store {
  #sessions;
  #file;
  #timer;

  constructor({ dir, checkPeriod = 10 * 60 * 1000 }) {
    super();
    mkdirSync(dir, { recursive: true });
    this.#sessions = new Map(Object.entries(readJson(join(dir, 'sessions.json'), {})));
    this.#file = writer(join(dir, 'sessions.json'), () => Object.fromEntries(this.#sessions));
    this.#prune();
    this.#timer = setInterval(() => this.#prune(), checkPeriod);
    this.#timer.unref();
  }

  get(sid, callback) {
    const data = this.#sessions.get(sid);
    if (data && ended(data)) {
      this.destroy(sid);
      return callback(null, null);
    }
    callback(null, data ? structuredClone(data) : null);
  }

  set(sid, data, callback) {
    this.#sessions.set(sid, JSON.parse(JSON.stringify(data)));
    this.#file.changed();
    callback?.(null);
  }

  touch(sid, data, callback) {
    const stored = this.#sessions.get(sid);
    if (stored) {
      stored.cookie = JSON.parse(JSON.stringify(data.cookie));
      this.#file.changed();
    }
    callback?.(null);
  }

  destroy(sid, callback) {
    if (this.#sessions.delete(sid)) this.#file.changed();
    callback?.(null);
  }

  /** Writes now (shutdown). */
  close() {
    clearInterval(this.#timer);
    this.#file.flush();
  }

  #prune() {
    for (const [sid, data] of this.#sessions) if (ended(data)) this.#sessions.delete(sid);
    this.#file.changed();
  }
}

function ended(data) {
  const expires = data.cookie?.expires;
  return expires !== undefined && expires !== null && Date.parse(expires) <= Date.now();
}

/**
 * whatsup's statuses, and its index's name holds and invisible people, in `<dir>/whatsup.json`:
 * a MemoryStatusStore (and its index) restored at start and written after each change.
 */
export async function fileStatusStore({ dir }) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'whatsup.json');
  const store = new MemoryStatusStore();
  const { index } = store;
  const saved = readJson(file, {});
  for (const record of saved.records ?? []) await store.set(record);
  for (const [key, hold] of saved.holds ?? []) await index.hold(key, hold);
  for (const [channel, ids] of saved.invisible ?? [])
    for (const id of ids) await index.addInvisible(channel, id);

  let snapshot = saved;
  const out = writer(file, () => snapshot);
  // Each change takes a snapshot through the store's and the index's own methods, in order.
  let chain = Promise.resolve();
  const changed = () => {
    chain = chain
      .then(async () => {
        const holds = [];
        for await (const entry of index.holds()) holds.push(entry);
        const invisible = [];
        for await (const channel of index.invisibleChannels())
          invisible.push([channel, await index.invisibleIn(channel)]);
        snapshot = { records: await store.list(), holds, invisible };
        out.changed();
      })
      .catch((err) => console.error(`whatsup demo: ${file} could not be written (${err.message})`));
  };
  const then = (promise) => promise.then((result) => (changed(), result));
  return {
    store: {
      index: {
        holderOf: (key) => index.holderOf(key),
        hold: (key, hold, replacing) => then(index.hold(key, hold, replacing)),
        release: (key, id) => then(index.release(key, id)),
        holds: () => index.holds(),
        addInvisible: (channel, id) => then(index.addInvisible(channel, id)),
        removeInvisible: (channel, id) => then(index.removeInvisible(channel, id)),
        invisibleIn: (channel) => index.invisibleIn(channel),
        invisibleChannels: () => index.invisibleChannels(),
        firstTime: (key, ttlMs) => index.firstTime(key, ttlMs),
      },
      leftTtlMs: store.leftTtlMs,
      get: (id) => store.get(id),
      set: (record) => then(store.set(record)),
      delete: (id) => then(store.delete(id)),
      list: () => store.list(),
    },
    /** Writes now (shutdown). */
    async close() {
      await chain;
      out.flush();
    },
  };
}
