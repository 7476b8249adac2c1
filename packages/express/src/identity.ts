// Who is asking: a guest's session (`req.session.whatsup`) or the site's own `identify(req)`, and
// their record. A person is their record; a guest's display name is held for them in the index
// while their session lives, so a guest whose hold is gone (signed out elsewhere, removed) is
// signed out here too.
import type { Request } from 'express';
import type session from 'express-session';
import { WhatsupError } from './errors.js';
import { storeUnavailable } from './store-errors.js';
import type { NameHold } from './indexes.js';
import { nameKey } from './names.js';
import type { Settings } from './options.js';
import type { StatusService } from './services/status.js';
import type { MemberRecord } from './status-store.js';
import { cleanText } from './text.js';

/** What a guest's session holds. */
export interface WhatsupSession {
  id: string;
  name: string;
  /** nameKey(name), so that a request does not compute it again. */
  key?: string;
  channels?: string[];
}

declare module 'express-session' {
  interface SessionData {
    whatsup?: WhatsupSession;
  }
}

/** A hold made by a sign-up still saving its session counts as alive this long. */
const PENDING_MS = 10_000;
const MAX_SESSION_CHANNELS = 10;

export class Identity {
  readonly #s: Settings;
  readonly #statuses: StatusService;
  /** express-session's store, as the last request carried it (`req.sessionStore`), or the `session` option's. */
  #sessionStore: session.Store | undefined;

  constructor(settings: Settings, statuses: StatusService, sessionStore: session.Store | undefined) {
    this.#s = settings;
    this.#statuses = statuses;
    this.#sessionStore = sessionStore;
  }

  /**
   * The signed-in member (latest stored record), or null. `persist: false` for reads (GET):
   * a new or renamed site user is returned as they are but stored only by a state change.
   */
  async current(req: Request, persist = true): Promise<MemberRecord | null> {
    this.sawSessions(req);
    const identify = this.#s.identify;
    if (identify) return this.#siteUser(req, persist);
    const mine = req.session.whatsup;
    if (!mine) return null;
    const key = mine.key ?? nameKey(mine.name);
    let hold = await this.#s.index.holderOf(key);
    if (hold === undefined && mine.key === undefined) {
      // A session from before names were held (an upgrade): it holds its name from now on.
      const claim = { id: mine.id, sid: req.sessionID, at: Date.now() };
      if (await this.#s.index.hold(key, claim)) {
        hold = claim;
        req.session.whatsup = { ...mine, key };
      }
    }
    if (hold?.id !== mine.id) {
      // Removed, or signed out from another request: this session no longer is anyone.
      delete req.session.whatsup;
      return null;
    }
    const stored = await this.#statuses.load(mine.id, persist);
    if (stored) return stored;
    // The record expired while the session lived on: start again from what the session knows.
    const record: MemberRecord = {
      id: mine.id,
      name: mine.name,
      status: '',
      updatedAt: Date.now(),
      ...(mine.channels ? { channels: mine.channels } : {}),
    };
    if (persist) await this.#s.store.set(record);
    return record;
  }

  /** Keeps the session store express-session hands every request, to ask it later whether a session lives. */
  sawSessions(req: Request): void {
    if (req.sessionStore) this.#sessionStore = req.sessionStore;
  }

  async require(req: Request, persist = true): Promise<MemberRecord> {
    const user = await this.current(req, persist);
    if (!user)
      throw new WhatsupError(401, 'auth.signed_out', 'You are signed out: sign up (or sign in) first.');
    return user;
  }

  /**
   * Whether a name's holder still holds it: their express-session session still exists and is
   * still theirs (it expired, was destroyed or signed up again otherwise). Without a session store
   * to ask, while their record exists.
   */
  async alive(hold: NameHold): Promise<boolean> {
    if (hold.pending && Date.now() - hold.at < PENDING_MS) return true;
    const store = this.#sessionStore;
    if (!store) return (await this.#s.store.get(hold.id)) !== undefined;
    const data = await new Promise<session.SessionData | null | undefined>((resolve, reject) =>
      store.get(hold.sid, (err, value) => (err ? reject(storeUnavailable(err)) : resolve(value))),
    );
    return data?.whatsup?.id === hold.id;
  }

  /** The channels a record's owner was authorized for (older records: the default channel). */
  recordChannels(record: MemberRecord): string[] {
    return record.channels && record.channels.length > 0 ? record.channels : [this.#s.defaultChannel];
  }

  sessionChannels(req: Request): string[] {
    const channels = req.session.whatsup?.channels;
    return channels && channels.length > 0 ? channels : [this.#s.defaultChannel];
  }

  /** Every channel that may concern the person: their session's and their record's. */
  channelsOf(req: Request, user: MemberRecord): string[] {
    return [...new Set([...this.sessionChannels(req), ...this.recordChannels(user)])];
  }

  /** Remembers in the session and the record that the person was authorized for `channel`. */
  async joined(req: Request, user: MemberRecord, channel: string): Promise<void> {
    if (req.session.whatsup || this.#s.identify) {
      const mine = req.session.whatsup ?? { id: user.id, name: user.name };
      const channels = mine.channels ?? [];
      if (!channels.includes(channel) && channels.length < MAX_SESSION_CHANNELS) {
        req.session.whatsup = { ...mine, channels: [...channels, channel] };
      }
    }
    // GET /members shows a record only to people allowed in one of its channels.
    const joined = user.channels ?? [];
    let next = user;
    if (user.lastSeen !== undefined && user.availability === 'invisible') {
      const { lastSeen: _here, ...rest } = user;
      next = rest;
    }
    if (!joined.includes(channel) && joined.length < MAX_SESSION_CHANNELS)
      next = { ...next, channels: [...joined, channel] };
    if (next !== user) await this.#s.store.set(next);
  }

  async #siteUser(req: Request, persist: boolean): Promise<MemberRecord | null> {
    const who = await this.#s.identify!(req);
    if (!who) return null;
    const id = String(who.id);
    const name = this.#fitName(cleanText(String(who.name ?? ''), 'username', 200, true));
    const stored = await this.#statuses.load(id, persist);
    if (stored && stored.name === name && stored.avatar === who.avatar) return stored;
    const record: MemberRecord = {
      ...stored,
      id,
      name,
      status: stored?.status ?? '',
      updatedAt: stored?.updatedAt ?? Date.now(),
      ...(who.avatar ? { avatar: String(who.avatar) } : {}),
    };
    if (!who.avatar) delete record.avatar;
    if (persist) await this.#s.store.set(record);
    return record;
  }

  /** A site's own name may be longer than ours: presence gets the first limits.name characters. */
  #fitName(name: string): string {
    const chars = [...name];
    const max = this.#s.limits.name;
    return chars.length <= max ? name : `${chars.slice(0, max - 1).join('')}…`;
  }
}

export function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.regenerate((err) => (err ? reject(storeUnavailable(err)) : resolve())),
  );
}

export function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.save((err) => (err ? reject(storeUnavailable(err)) : resolve())),
  );
}
