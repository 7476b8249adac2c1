import { EVENTS, type EventName } from '@whatsup/protocol';
import * as api from './api.js';
import { toApiError } from './http.js';
import { fromRecord } from './members.js';
import { Activity } from './activity.js';
import type { Roster } from './roster.js';
import type { Messages } from './messages.js';
import { seconds, type PresenceOptions } from './presence-options.js';
import type { Connection, PresenceMember } from './connection/connection.js';
import { openPusher } from './connection/pusher.js';
import { pusherSettings } from './connection/settings.js';
import type { Member, ServerConfig } from './types.js';
import { WhatsupAnnouncementEvent } from './events.js';

const REFRESH_AFTER_JOIN_MS = 300;
/** The server ended this connection (`router.remove()`, going invisible): Pusher's 4009. */
const CLOSED_BY_SERVER = 4009;

/** What the live channel needs from the controller that opened it. */
export interface LiveChannelOwner {
  readonly roster: Roster;
  /** Where the middleware's routes live (`/whatsup`). */
  base(): string;
  messages(): Messages;
  emit(event: Event): void;
  /** The connection's state changed. */
  state(current: string): void;
  /** The next attempt to connect is `seconds` away. */
  retrying(seconds: number): void;
  /** Refused (the connection or the channel): show `message`, fire `whatsup-error` (with `detail`), settle `ready`. */
  failed(code: string, message: string, detail?: string): void;
  /** Subscribed (again): any error shown goes. */
  subscribed(): void;
  /** Everyone's current status is here: settle `ready`. */
  settle(): void;
  /** The server says I am signed out: a refused authorization, or `signed-out` for me. */
  signedOut(reason: 'other-tab' | 'expired'): void;
  /** The server closed the connection (4009): the owner looks whether I am still signed in. */
  ended(): void;
}

/**
 * The presence channel while I am signed in: one connection, my activity reports, and what the
 * channel says, each through its own handler into the roster. `stop()` ends all of it.
 */
export class LiveChannel {
  /** True once connected: a later drop is "reconnecting". */
  everConnected = false;
  private readonly _owner: LiveChannelOwner;
  private readonly _connection: Connection;
  private readonly _activity: Activity;
  private readonly _abort = new AbortController();
  private _refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private _stopped = false;

  constructor(me: Member, o: PresenceOptions, config: ServerConfig, owner: LiveChannelOwner) {
    this._owner = owner;
    this._activity = new Activity(
      me.id,
      () => seconds(o.idleAfter, 300) || 300_000,
      (away) => void this._report(away),
      me.activity === 'away',
    );
    const { key, options } = pusherSettings(o, config);
    this._connection = openPusher(key, options, {
      state: (current) => this._onState(current),
      error: (code, message) => this._onError(code, message),
      retrying: (seconds) => owner.retrying(seconds),
    });
    this._connection.subscribe(o.channel, {
      subscribed: (members) => this._onSubscribed(members),
      refused: (status) => this._onRefused(status),
      added: (member) => this._onMemberAdded(member),
      removed: (id) => owner.roster.removed(id),
      event: (name, data) => this._onServerEvent(name, data),
    });
  }

  /** This browser's activity verdict (every tab of mine idle or hidden: true). */
  get away(): boolean {
    return this._activity.away;
  }

  /** The options read live changed (`idle-after`): the idle timer follows at once. */
  optionsChanged(): void {
    this._activity.recheck();
  }

  stop(): void {
    this._stopped = true;
    clearTimeout(this._refreshTimer);
    this._activity.stop();
    this._abort.abort();
    this._connection.disconnect();
  }

  /** Asks GET /members once a burst of changes has settled. */
  queueRefresh(): void {
    this._refreshTimer ??= setTimeout(() => {
      this._refreshTimer = undefined;
      void this._refresh();
    }, REFRESH_AFTER_JOIN_MS);
  }

  private _onState(current: string): void {
    if (current === 'connected') this.everConnected = true;
    this._owner.state(current);
  }

  private _onError(code: number, message: string): void {
    if (code === CLOSED_BY_SERVER) return this._owner.ended();
    // 4000–4099: the server refuses for good (wrong key, app disabled…); pusher-js gives up.
    if (code >= 4000 && code < 4100) {
      this._owner.failed(
        'connection.refused',
        this._owner.messages().connectionRefused(`${message || 'refused'} (${code})`),
      );
    }
  }

  private _onSubscribed(members: PresenceMember[]): void {
    this._owner.roster.subscribed(members);
    this._owner.subscribed();
    void this._refresh().then(() => this._owner.settle());
  }

  private _onRefused(status: number | undefined): void {
    if (status === 401) return this._owner.signedOut('expired');
    this._owner.failed(
      'subscription.failed',
      this._owner.messages().subscriptionFailed,
      `(${status ?? '?'})`,
    );
  }

  private _onMemberAdded(member: PresenceMember): void {
    // Presence info carries no time: ask GET /members once a burst of joins has settled.
    if (this._owner.roster.added(member)) this.queueRefresh();
  }

  private _onServerEvent(name: EventName, data: unknown): void {
    if (name === EVENTS.statusUpdated) this._owner.roster.updated(data);
    else if (name === EVENTS.signedOut) this._onSignedOut(data as { id?: unknown } | null);
    else this._onAnnouncement(data as { message?: unknown; sentAt?: unknown } | null);
  }

  private _onSignedOut(data: { id?: unknown } | null): void {
    if (typeof data?.id !== 'string') return;
    if (data.id === this._owner.roster.me?.id) this._owner.signedOut('other-tab');
    // Signed out for good: no grace (their connections close next).
    else this._owner.roster.gone(data.id);
  }

  private _onAnnouncement(data: { message?: unknown; sentAt?: unknown } | null): void {
    if (typeof data?.message !== 'string') return;
    const sentAt = typeof data.sentAt === 'number' ? data.sentAt : Date.now();
    this._owner.emit(new WhatsupAnnouncementEvent(data.message, sentAt));
  }

  /** My activity verdict changed: tell the server. */
  private async _report(away: boolean): Promise<void> {
    try {
      const me = fromRecord((await api.postActivity(this._owner.base(), away)).user);
      if (me && me.id === this._owner.roster.me?.id) this._owner.roster.setMe(me);
    } catch {
      // Not saved (offline, rate limited): the next change reports the state as it is then.
    }
  }

  /** Presence info is from authorization time; GET /members has the statuses as they are now. */
  private async _refresh(): Promise<void> {
    try {
      const { members } = await api.getMembers(this._owner.base(), this._abort.signal);
      if (!this._stopped && Array.isArray(members)) this._owner.roster.refreshed(members);
    } catch (err) {
      if (!this._stopped && toApiError(err).status === 401) this._owner.signedOut('expired');
    }
  }
}
