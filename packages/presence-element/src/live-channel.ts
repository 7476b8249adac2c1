import { EVENTS, ROUTES, isFollowChannel, type EventName } from '@whatsup/protocol';
import * as api from './api.js';
import { toApiError } from './http.js';
import { fromRecord } from './members.js';
import { Activity } from './activity.js';
import type { Roster } from './roster.js';
import type { Messages } from './messages.js';
import { seconds, sharedConnection, type PresenceOptions } from './presence-options.js';
import type { Connection, PresenceMember } from './connection/connection.js';
import { openPusher } from './connection/pusher.js';
import { openShared } from './connection/shared.js';
import { pusherSettings } from './connection/settings.js';
import { ReconnectProbe } from './connection/probe.js';
import type { Member, ServerConfig } from './types.js';
import type { Snapshot } from './bootstrap.js';
import { WhatsupAnnouncementEvent } from './events.js';

const REFRESH_AFTER_JOIN_MS = 300;
/**
 * While invisible, how often GET /members is asked again: joins and leaves reach a follow channel
 * only when the realtime server tells the middleware (in-process, or webhooks); without webhooks
 * this is how the list stays true.
 */
const FOLLOW_REFRESH_MS = 15_000;
/**
 * In the channel, how often the list is checked against the realtime server's own (GET /members
 * `online`), and on coming back to a hidden page: a member a rejoin list missed is not lost.
 */
const CHECK_MS = 120_000;
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
  /**
   * Look again who I am and connect accordingly: the server closed the connection (4009), my
   * record moved into or out of invisible, or the channel refused me for it (409, 403).
   */
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
  /** After a drop: the server's HTTP side coming back makes the connection try at once. */
  private readonly _probe: ReconnectProbe;
  private readonly _activity: Activity;
  private readonly _abort = new AbortController();
  private readonly _channel: string;
  /** Invisible: following the channel through my follow channel, not in it. */
  private readonly _following: boolean;
  private _refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private _followTimer: ReturnType<typeof setInterval> | undefined;
  private _checkTimer: ReturnType<typeof setInterval> | undefined;
  private _checkedAt = 0;
  private readonly _onVisible = () => {
    if (document.visibilityState === 'visible' && Date.now() - this._checkedAt > CHECK_MS / 4)
      void this._refresh(true);
  };
  private _stopped = false;

  /**
   * `snapshot`: GET /bootstrap's members, already shown; while I am invisible its `follow` names my
   * follow channel, so my page follows at once instead of asking GET /members first.
   */
  constructor(
    me: Member,
    o: PresenceOptions,
    config: ServerConfig,
    owner: LiveChannelOwner,
    snapshot?: Snapshot,
  ) {
    this._owner = owner;
    this._channel = o.channel;
    this._following = me.availability === 'invisible';
    this._activity = new Activity(
      me.id,
      () => seconds(o.idleAfter, 300) || 300_000,
      (away) => void this._report(away),
      me.activity === 'away',
    );
    this._probe = new ReconnectProbe(owner.base() + ROUTES.config, () => this._connection.reconnect());
    const { key, options } = pusherSettings(o, config);
    const on = {
      state: (current: string) => this._onState(current),
      error: (code: number, message: string) => this._onError(code, message),
      retrying: (seconds: number) => owner.retrying(seconds),
    };
    // One connection per browser (a leader tab's), unless turned off: then this tab's own.
    this._connection = sharedConnection(o)
      ? openShared(key, options, on, me.id)
      : openPusher(key, options, on);
    if (this._following) void this._follow(snapshot);
    else this._join(o.channel);
  }

  /** In the presence channel, as everyone else sees me; its list checked now and then. */
  private _join(channel: string): void {
    this._checkTimer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void this._refresh(true);
    }, CHECK_MS);
    document.addEventListener('visibilitychange', this._onVisible);
    this._connection.subscribe(channel, {
      subscribed: (members) => this._onSubscribed(members),
      refused: (status) => this._onRefused(status),
      added: (member) => this._onMemberAdded(member),
      removed: (id) => this._owner.roster.removed(id),
      event: (name, data) => this._onServerEvent(name, data),
    });
  }

  /**
   * Invisible: GET /members names my follow channel and says who is here; the follow channel then
   * brings the channel's joins, leaves and events (its own members are my pages: nothing to show).
   */
  private async _follow(snapshot?: Snapshot): Promise<void> {
    const given = (snapshot?.follow as Record<string, unknown> | undefined)?.[this._channel];
    let follow: string | undefined;
    if (snapshot && isFollowChannel(given)) {
      this._owner.roster.followed(snapshot.members, snapshot.online);
      follow = given;
    } else follow = await this._members();
    if (this._stopped || follow === undefined) return;
    if (!follow) return this._owner.ended(); // not invisible any more (another tab, the server)
    this._connection.subscribe(follow, {
      // Read again once subscribed: what changed before the subscription took (my record visible
      // again, someone joining) was published where this page did not listen yet.
      subscribed: () => {
        this._owner.subscribed();
        void this._refollow().then(() => this._owner.settle());
      },
      refused: (status) => this._onRefused(status),
      added: () => {},
      removed: () => {},
      event: (name, data) => this._onServerEvent(name, data),
    });
    this._followTimer = setInterval(() => void this._refollow(), FOLLOW_REFRESH_MS);
  }

  /** While following: who is here again, and whether I am still invisible (else: join). */
  private async _refollow(): Promise<void> {
    if ((await this._members()) === '' && !this._stopped) this._owner.ended();
  }

  /**
   * While invisible: who is here (GET /members) into the roster. Resolves to my follow channel's
   * name, '' when the server names none (I am not invisible), undefined when it could not ask.
   */
  private async _members(): Promise<string | undefined> {
    try {
      const answer = await api.getMembers(this._owner.base(), this._abort.signal, this._channel, true);
      if (this._stopped) return undefined;
      const online = Array.isArray(answer.online) ? answer.online.map(String) : undefined;
      if (Array.isArray(answer.members)) this._owner.roster.followed(answer.members, online);
      const follow = (answer.follow as Record<string, unknown> | undefined)?.[this._channel];
      return isFollowChannel(follow) ? follow : '';
    } catch (err) {
      if (this._stopped) return undefined;
      const e = toApiError(err);
      if (e.status === 401) this._owner.signedOut('expired');
      else if (!this._followTimer)
        this._owner.failed(
          'subscription.failed',
          this._owner.messages().subscriptionFailed,
          `(${e.status || e.message})`,
        );
      return undefined;
    }
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
    clearInterval(this._followTimer);
    clearInterval(this._checkTimer);
    document.removeEventListener('visibilitychange', this._onVisible);
    this._activity.stop();
    this._probe.stop();
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
    if (current === 'connecting' || current === 'unavailable') {
      if (this.everConnected) this._probe.start();
    } else this._probe.stop();
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
    // Checked against the realtime server's own list: a member the rejoin list missed stays.
    void this._refresh(true).then(() => this._owner.settle());
  }

  private _onRefused(status: number | undefined): void {
    if (status === 401) return this._owner.signedOut('expired');
    // 409 member.invisible: I turned invisible (in another tab); 403 on my follow channel: visible again.
    if (status === 409 || (this._following && status === 403)) return this._owner.ended();
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
    if (name === EVENTS.statusUpdated) this._onStatusUpdated(data);
    else if (name === EVENTS.signedOut) this._onSignedOut(data as { id?: unknown } | null);
    else if (name === EVENTS.announcement)
      this._onAnnouncement(data as { message?: unknown; sentAt?: unknown } | null);
    else if (!this._following)
      return; // follow-channel events only
    else if (name === EVENTS.memberAdded) {
      const m = data as { id?: unknown; info?: unknown } | null;
      if (typeof m?.id === 'string') this._onMemberAdded({ id: m.id, info: m.info });
    } else if (name === EVENTS.memberRemoved) {
      const id = (data as { id?: unknown } | null)?.id;
      if (typeof id === 'string') this._owner.roster.removed(id);
    }
  }

  private _onStatusUpdated(data: unknown): void {
    const roster = this._owner.roster;
    roster.updated(data);
    // My own record moved into or out of invisible (another tab, the server): join or follow.
    const mine = fromRecord(data);
    if (mine && mine.id === roster.me?.id && (mine.availability === 'invisible') !== this._following)
      this._owner.ended();
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
  private async _refresh(check = false): Promise<void> {
    if (this._following) return this._refollow();
    try {
      if (check) this._checkedAt = Date.now();
      const base = this._owner.base();
      const answer = await api.getMembers(base, this._abort.signal, check ? this._channel : undefined, check);
      if (this._stopped || !Array.isArray(answer.members)) return;
      this._owner.roster.refreshed(answer.members);
      if (Array.isArray(answer.online))
        this._owner.roster.confirmed(answer.online.map(String), answer.members);
    } catch (err) {
      if (!this._stopped && toApiError(err).status === 401) this._owner.signedOut('expired');
    }
  }
}
