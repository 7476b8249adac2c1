import type { ErrorCode } from '@whatsup/protocol';
import * as api from './api.js';
import { toApiError } from './http.js';
import type { Messages } from './messages.js';
import type { Roster } from './roster.js';
import type { Availability, Member, StatusChange } from './types.js';
import { WhatsupErrorEvent, WhatsupStatusChangedEvent } from './events.js';

const STORE_UNAVAILABLE: ErrorCode = 'store.unavailable';
/** How long a change refused by a storage outage is tried again before it is given up. */
const RETRY_FOR_MS = 120_000;

/** What my status changes need from the controller that owns them. */
export interface MyStatusOwner {
  readonly roster: Roster;
  /** Where the middleware's routes live (`/whatsup`). */
  base(): string;
  messages(): Messages;
  /** Me now (null when signed out, or someone else by now). */
  me(): Member | null;
  emit(event: Event): void;
  changed(): void;
  /** The server answered 401: the session ended. */
  expired(): void;
  /** A change was saved: any error the panel shows goes. */
  saved(): void;
}

/**
 * My status and availability as I change them (POST /status, POST /availability): shown at once,
 * rolled back if refused, sent again while the server's storage is down. `error` and `pending`
 * are what the editor shows.
 */
export class MyStatus {
  /** The last refusal, or "Can't save right now — retrying…" while pending. */
  error = '';
  /** A change is waiting for the server's storage to come back. */
  pending = false;
  /** Counts my status changes: a retried one gives up once a newer one is made. */
  private _attempts = 0;
  private readonly _owner: MyStatusOwner;

  constructor(owner: MyStatusOwner) {
    this._owner = owner;
  }

  /** Forgets the error and the pending state (a new start, a sign-out). */
  reset(): void {
    this.error = '';
    this.pending = false;
  }

  /** See `PresenceController.setStatus()`; `me` is my record before the change. */
  async setStatus(me: Member, change: string | StatusChange): Promise<boolean> {
    const { text, emoji, clearAfter } = typeof change === 'object' && change ? change : { text: change };
    const status = String(text ?? '');
    // The server replaces text, emoji and expiry together: no emoji given means none.
    const optimistic: Member = { ...me, status, updatedAt: Date.now() };
    delete optimistic.emoji;
    if (emoji) optimistic.emoji = emoji;
    const roster = this._owner.roster;
    roster.setMe(optimistic);
    const attempt = ++this._attempts;
    const started = Date.now();
    const current = () => attempt === this._attempts && this._owner.me()?.id === me.id;
    for (let wait = 1000; ; wait = Math.min(wait * 2, 16_000)) {
      try {
        const { user } = await api.postStatus(this._owner.base(), status, emoji, clearAfter);
        if (!this._saved(me, user)) return false;
        if (user.status !== me.status) this._owner.emit(new WhatsupStatusChangedEvent(user, me.status));
        return true;
      } catch (err) {
        if (this._owner.me()?.id !== me.id) return false;
        // The server's storage is down for a moment: nothing was changed there, so the change is
        // shown as pending and sent again, until a newer change, a sign-out or two minutes.
        if (await this._retrying(err, wait, started, current)) continue;
        if (attempt !== this._attempts) return false;
        // Roll back only my optimistic change; a newer status from the server stays.
        if (this._owner.me() === optimistic) roster.setMe(me);
        return this._refused(err, this._owner.messages().statusRefused);
      }
    }
  }

  /**
   * See `PresenceController.setAvailability()`. Into or out of invisible the channel's
   * authorization changes: `leave()` runs before the request, `rejoin()` after it, whatever the
   * answer.
   */
  async setAvailability(
    me: Member,
    availability: Availability,
    around: { leave(): void; rejoin(): void },
  ): Promise<boolean> {
    const resubscribe = (me.availability === 'invisible') !== (availability === 'invisible');
    if (resubscribe) around.leave();
    try {
      return this._saved(me, (await api.postAvailability(this._owner.base(), availability)).user);
    } catch (err) {
      return this._owner.me()?.id === me.id && this._refused(err, this._owner.messages().editorNotSaved);
    } finally {
      if (resubscribe) around.rejoin();
    }
  }

  /**
   * A 503 `store.unavailable` within `RETRY_FOR_MS` of `started`: says "Can't save right now —
   * retrying", waits (`Retry-After`, at least `wait`) and resolves true if `current()` still holds.
   */
  private async _retrying(
    err: unknown,
    wait: number,
    started: number,
    current: () => boolean,
  ): Promise<boolean> {
    const e = toApiError(err);
    if (e.code !== STORE_UNAVAILABLE || Date.now() - started > RETRY_FOR_MS || !current()) return false;
    this.error = this._owner.messages().cantSaveRetrying;
    this.pending = true;
    this._owner.changed();
    await new Promise((resolve) => setTimeout(resolve, Math.max(wait, e.retryAfter * 1000)));
    return current();
  }

  /** The server's record of me after a change, unless I am someone else by now. */
  private _saved(me: Member, user: Member): boolean {
    if (this._owner.me()?.id !== me.id) return false;
    this.reset();
    this._owner.saved();
    this._owner.roster.setMe(user);
    return true;
  }

  /** A refused change: signed out on 401, else `error` and a `whatsup-error` event. */
  private _refused(err: unknown, prefix: string): false {
    const e = toApiError(err);
    this.pending = false;
    if (e.status === 401) this._owner.expired();
    else {
      this.error = `${prefix} ${e.message}`;
      this._owner.emit(new WhatsupErrorEvent(e.code, e.message));
      this._owner.changed();
    }
    return false;
  }
}
