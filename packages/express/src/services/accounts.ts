// Sign-up, sign-out, renaming and removal: the one place an identity begins and ends. Ending one
// is always the same steps — the signed_out hook, `signed-out` to whoever must hear it, the
// invisible index, every connection closed — whether the person signed out, signed up again
// under another name, or was removed by the server.
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { debuglog } from 'node:util';
import type { Request } from 'express';
import { EVENTS } from '@whatsup/protocol';
import { WhatsupError } from '../errors.js';
import type { SignedOutEvent } from '../hooks.js';
import { regenerate, save, type Identity } from '../identity.js';
import { nameKey } from '../names.js';
import type { Settings } from '../options.js';
import { publicRecord } from '../records.js';
import { withStatus } from '../rich-status.js';
import type { MemberRecord } from '../status-store.js';
import type { Broadcast } from './broadcast.js';
import type { PresenceService } from './presence.js';
import type { StatusService } from './status.js';

const debug = debuglog('whatsup');

/** How often names held by sessions that ended without a sign-out are freed (they are refused no one meanwhile). */
const SWEEP_MS = 10 * 60 * 1000;

export interface AccountsOptions {
  settings: Settings;
  identity: Identity;
  statuses: StatusService;
  presence: PresenceService;
  broadcast: Broadcast;
  /** Ends every connection of a user id (a no-op without `terminateUserConnections`). */
  terminate(id: string): Promise<void>;
}

export class Accounts {
  readonly #o: AccountsOptions;
  readonly #sweeper: NodeJS.Timeout;
  #sweeping: Promise<number> | undefined;

  constructor(options: AccountsOptions) {
    this.#o = options;
    this.#sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.#sweeper.unref();
  }

  /**
   * Signs a guest up. The name (compared by `nameKey()`) must not be held by anyone else whose
   * session lives; signing up again under the same name keeps the identity, under another name
   * ends the old identity everywhere first. The session is regenerated (session fixation).
   */
  async signUp(req: Request, name: string, status: string): Promise<MemberRecord> {
    const { index, store } = this.#o.settings;
    this.#o.identity.sawSessions(req);
    const key = nameKey(name);
    let mine = req.session.whatsup;
    // A session whose name is no longer its own (removed) is nobody: it signs up afresh.
    if (mine && (await index.holderOf(mine.key ?? nameKey(mine.name)))?.id !== mine.id) mine = undefined;
    const sameName = mine !== undefined && (mine.key ?? nameKey(mine.name)) === key;
    const id = sameName ? mine!.id : randomUUID();
    const holder = await index.holderOf(key);
    const taken = () =>
      new WhatsupError(409, 'name.taken', `"${name}" is taken; pick another name.`, { field: 'username' });
    if (holder && holder.id !== id && (await this.#o.identity.alive(holder))) throw taken();
    const now = Date.now();
    if (!(await index.hold(key, { id, sid: req.sessionID, at: now, pending: true }, holder?.id)))
      throw taken();
    if (mine && !sameName) await this.#endRenamed(req, mine.id, mine.key ?? nameKey(mine.name));
    const old = sameName ? await store.get(id) : undefined;
    const record: MemberRecord = old
      ? withStatus({ ...old, name }, { text: status }, now)
      : { id, name, status, updatedAt: now };
    await store.set(record);
    await regenerate(req);
    req.session.whatsup = { id, name, key };
    await save(req);
    // The session id changed: the hold is now the new session's, and alive only while it is.
    if (!(await index.hold(key, { id, sid: req.sessionID, at: now }, id))) throw taken();
    debug('registered %s as %s', id, JSON.stringify(name));
    return record;
  }

  /** POST /logout: ends the identity (a guest's record and name go; a site user's record stays). */
  async signOut(req: Request): Promise<void> {
    const user = await this.#o.identity.current(req);
    const channels = user ? this.#o.identity.channelsOf(req, user) : [];
    if (!this.#o.settings.identify) {
      if (user) await this.#forget(user.id, req.session.whatsup?.key ?? nameKey(user.name));
      await regenerate(req);
    } else {
      delete req.session.whatsup;
    }
    if (user) await this.#end(user, channels, 'logout');
  }

  /** `router.remove()`: as a sign-out by the server. The record stays (with lastSeen); a guest's name is freed. */
  async remove(userId: string): Promise<void> {
    const { store, index } = this.#o.settings;
    const id = String(userId);
    const user = await store.get(id);
    const settings = this.#o.settings;
    const channels = user
      ? this.#o.identity.recordChannels(user)
      : (settings.channels.list ?? [settings.defaultChannel]);
    const time = Date.now();
    if (user) {
      await store.set({ ...user, lastSeen: time });
      // A guest's session holds no name any more, so it signs nobody in (identity.ts).
      await index.release(nameKey(user.name), id);
    }
    await this.#end(user ?? { id }, channels, 'removed', time);
  }

  /**
   * Frees the names of sessions that ended without a sign-out, and drops from the invisible index
   * people who are no longer invisible or no longer stored. Runs every 10 minutes; resolves to how
   * many names it freed.
   */
  sweep(): Promise<number> {
    this.#sweeping ??= this.#sweep().finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  close(): void {
    clearInterval(this.#sweeper);
  }

  async #sweep(): Promise<number> {
    const { index, store } = this.#o.settings;
    let freed = 0;
    let seen = 0;
    try {
      for await (const [key, hold] of index.holds()) {
        if (++seen % 100 === 0) await yieldToIo();
        if (await this.#o.identity.alive(hold)) continue;
        await index.release(key, hold.id);
        freed += 1;
      }
      for await (const channel of index.invisibleChannels()) {
        for (const id of await index.invisibleIn(channel)) {
          if (++seen % 100 === 0) await yieldToIo();
          if ((await store.get(id))?.availability !== 'invisible') await index.removeInvisible(channel, id);
        }
      }
    } catch (err) {
      debug('sweep failed: %o', err);
    }
    return freed;
  }

  /** Signing up under a new name from a signed-in session: the old identity ends everywhere. */
  async #endRenamed(req: Request, oldId: string, oldKey: string): Promise<void> {
    const old = await this.#o.settings.store.get(oldId);
    const channels = old ? this.#o.identity.channelsOf(req, old) : this.#o.identity.sessionChannels(req);
    await this.#forget(oldId, oldKey);
    await this.#end(old ?? { id: oldId }, channels, 'renamed');
  }

  /** A guest's record, name and timers go. */
  async #forget(id: string, key: string): Promise<void> {
    await this.#o.settings.store.delete(id);
    await this.#o.settings.index.release(key, id);
    this.#o.statuses.forget(id);
  }

  /**
   * The hook first, then `signed-out` (the person's other pages return to the form; the others
   * drop the member), then every connection closed: the member_removed that closing causes (a
   * webhook, racing this on soketi) then always comes after the hook, on every backend.
   */
  async #end(
    user: MemberRecord | { id: string },
    channels: string[],
    reason: SignedOutEvent['reason'],
    time = Date.now(),
  ): Promise<void> {
    const record = 'name' in user ? user : undefined;
    this.#o.presence.signedOut({
      userId: user.id,
      user: record && publicRecord(record),
      reason,
      channels,
      time,
    });
    const { broadcast, settings } = this.#o;
    const data = { id: user.id };
    // An invisible person's leaving is told to their own pages only: to everyone else they had left.
    const told =
      record?.availability === 'invisible'
        ? broadcast.toOwnPages(user.id, channels, EVENTS.signedOut, data)
        : broadcast.toChannels(channels, EVENTS.signedOut, data);
    await told.catch((err: unknown) => debug('%o', err));
    for (const channel of channels) await settings.index.removeInvisible(channel, user.id);
    await this.#o.terminate(user.id);
  }
}
