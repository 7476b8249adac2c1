import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { LIMITS, type ErrorCode } from '@whatsup/protocol';
import * as api from './api.js';
import { ApiError, toApiError } from './http.js';
import { defaultMessages, type Messages } from './messages.js';
import { fromRecord } from './members.js';
import { Roster } from './roster.js';
import { LiveChannel, type LiveChannelOwner } from './live-channel.js';
import { MyStatus } from './my-status.js';
import { bootstrap, type Snapshot } from './bootstrap.js';
import { loadPusher } from './connection/load-pusher.js';
import { seconds, type PresenceOptions } from './presence-options.js';
import { langOf } from './localize.js';
import type { Availability, Member, PanelState, ServerConfig, StatusChange, StatusPreset } from './types.js';
import {
  WhatsupConnectionChangeEvent,
  WhatsupErrorEvent,
  WhatsupSignedInEvent,
  WhatsupSignedOutEvent,
} from './events.js';

export type { PresenceOptions } from './presence-options.js';

/** Anything that can host the controller: a Lit element, or `PresenceController.standalone()`. */
export type PresenceHost = ReactiveControllerHost & EventTarget;

const SIGNED_OUT: ErrorCode = 'auth.signed_out';

/**
 * The panel without a face: configuration (`GET /config`), session, the realtime connection and
 * the members of the presence channel. It fires every `whatsup-*` event on its host and asks the
 * host to update on every change; render `me`, `others`, `state`… however you like.
 *
 * ```js
 * const presence = PresenceController.standalone({ authEndpoint: '/whatsup/usersystem/auth', channel: 'presence-x' });
 * presence.host.addEventListener('whatsup-member-joined', (e) => console.log(e.detail.member.name));
 * presence.onChange = () => draw(presence.others);
 * presence.connect();
 * ```
 */
export class PresenceController implements ReactiveController {
  /** Called after every change (besides `host.requestUpdate()`): a hook for non-Lit UIs. */
  onChange: (() => void) | null = null;

  private _state: PanelState = 'loading';
  private _connectionState = 'initialized';
  private _retryAt = 0;
  private _error = '';
  private _sessionEnded = false;
  private _config: ServerConfig = {};
  /** The channel while signed in, or null. */
  private _live: LiveChannel | null = null;
  private _abort: AbortController | null = null;
  private _generation = 0;
  private _restartQueued = false;
  /** When the last connections were ended and made again (`_onEnded`), to stop a loop. */
  private _endings: number[] = [];
  private _ready!: Promise<void>;
  private _settle!: () => void;
  private readonly _roster = new Roster({
    changed: () => this._changed(),
    emit: (event) => this._emit(event),
    graceMs: () => seconds(this._options().leaveGrace, 30),
    left: () => {
      if (this._options().showRecent) this._live?.queueRefresh();
    },
    // Names sort in the panel's language (the nearest `lang`); headless, the browser's.
    lang: () => (this.host instanceof Element ? langOf(this.host) : navigator.language),
  });
  /** How the live channel reaches back: named handlers of this controller. */
  private readonly _owner: LiveChannelOwner = {
    roster: this._roster,
    base: () => this._base,
    messages: () => this._messages(),
    emit: (event) => this._emit(event),
    state: (current) => this._onConnectionState(current),
    retrying: (seconds) => {
      this._retryAt = Date.now() + seconds * 1000;
      this._changed();
    },
    failed: (code, message, detail) => this._onChannelRefused(code, message, detail),
    subscribed: () => this._showError(''),
    settle: () => this._settle(),
    signedOut: (reason) => this._signedOut(reason),
    ended: () => void this._onEnded(),
  };
  /** My status and availability as I change them. */
  private readonly _status = new MyStatus({
    roster: this._roster,
    base: () => this._base,
    messages: () => this._messages(),
    me: () => this.me,
    emit: (event) => this._emit(event),
    changed: () => this._changed(),
    expired: () => this._signedOut('expired'),
    saved: () => {
      this._error = '';
    },
  });

  readonly host: PresenceHost;
  private readonly _options: () => PresenceOptions;
  private readonly _messages: () => Messages;

  /** `options` and `messages` are read at each (re)start, so they may follow the host's properties. */
  constructor(
    host: PresenceHost,
    options: () => PresenceOptions,
    messages: () => Messages = () => defaultMessages,
  ) {
    this.host = host;
    this._options = options;
    this._messages = messages;
    this._pending();
    host.addController(this);
  }

  /** A controller with a plain EventTarget as its host, for UIs without Lit. Call `connect()`. */
  static standalone(options: PresenceOptions, messages?: () => Messages): PresenceController {
    const target = Object.assign(new EventTarget(), {
      addController() {},
      removeController() {},
      requestUpdate() {},
      updateComplete: Promise.resolve(true),
    });
    return new PresenceController(target, () => options, messages);
  }

  // ---- what to render ----

  /** `loading`, `signed-out`, `identify-required`, `signed-in` or `error`. */
  get state(): PanelState {
    return this._state;
  }
  /** The realtime connection's state: `initialized`, `connecting`, `connected`, `unavailable`, `failed`, `disconnected`. */
  get connectionState(): string {
    return this._connectionState;
  }
  /**
   * When pusher-js tries to connect again (epoch ms), once it has said so after a refused or
   * dropped connection; 0 while connected or when it has not said.
   */
  get retryAt(): number {
    return this._retryAt;
  }
  /** The signed-in visitor, or null. */
  get me(): Member | null {
    return this._roster.me;
  }
  /**
   * Everyone else online, by name then id (a frozen array, the same one until something changes).
   * A member whose last connection went stays here with `lastSeen` for the leave grace.
   */
  get others(): readonly Member[] {
    return this._roster.others.list;
  }
  /** How many people are online, me included (not those in their leave grace). */
  get count(): number {
    return this._roster.count;
  }
  /** People who left lately (GET /members records with `lastSeen`), latest first. */
  get recent(): readonly Member[] {
    return this._roster.recent;
  }
  /** This browser's activity verdict (every tab of mine idle or hidden: true). */
  get away(): boolean {
    return this._live?.away ?? false;
  }
  /** A configuration, connection or request error to show, or ''. Cleared by the next success. */
  get error(): string {
    return this._error;
  }
  /** Why my last status change was refused, or ''. Cleared by the next success. */
  get statusError(): string {
    return this._status.error;
  }
  /**
   * True while my last status change is being tried again (the server's storage is down for a
   * moment): `statusError` then says "Can't save right now — retrying", not a refusal.
   */
  get statusPending(): boolean {
    return this._status.pending;
  }
  /** The session ended under an open page (expiry, server restart): say so on the form. */
  get sessionEnded(): boolean {
    return this._sessionEnded;
  }
  /** True once connected at least once since signing in: later drops are "reconnecting". */
  get everConnected(): boolean {
    return this._live?.everConnected ?? false;
  }
  /** `guest` (the panel signs people up) or `identify` (the site signs them in). */
  get mode(): 'guest' | 'identify' {
    return this._config.mode === 'identify' ? 'identify' : 'guest';
  }
  /** The server's limits (`name`, `status` in code points). */
  get limits(): { name: number; status: number } {
    const { name = LIMITS.name, status = LIMITS.status } = this._config.limits ?? {};
    return { name, status };
  }
  /** The site's one-click statuses (GET /config `presets`). */
  get presets(): StatusPreset[] {
    return this._config.presets ?? [];
  }
  /**
   * Settles once the current attempt has an answer: the form or hint is showing, an error is, or
   * I am signed in, subscribed and have everyone's current status. A later restart or sign-in
   * makes a new promise; earlier ones settle with it.
   */
  get ready(): Promise<void> {
    return this._ready;
  }

  private get _base(): string {
    const o = this._options();
    return (o.apiBase || api.apiBaseFrom(o.authEndpoint)).replace(/\/$/, '');
  }

  // ---- lifecycle (ReactiveController) ----

  hostConnected(): void {
    this.connect();
  }

  hostDisconnected(): void {
    this._teardown();
    this._generation++;
  }

  /** (Re)starts from the configuration: call after changing options. Coalesced per microtask. */
  connect(): void {
    if (this._restartQueued) return;
    this._restartQueued = true;
    queueMicrotask(() => {
      this._restartQueued = false;
      void this._start();
    });
  }

  /** Options that are read as they are (`idleAfter`) changed: they apply now, not at the next timer. */
  optionsChanged(): void {
    this._live?.optionsChanged();
  }

  /** Stops everything (no events after this) until `connect()`. */
  disconnect(): void {
    this.hostDisconnected();
  }

  // ---- actions ----

  /** Joins the channel again with a new authorization (after going to or from invisible). */
  resubscribe(): void {
    if (this._live) {
      this._teardown();
      this._connect();
    }
  }

  /**
   * Signs a guest up (POST /register). Resolves to null when signed in, or the refusal (with
   * `field` when it is about one field); never rejects.
   */
  async register(username: string, status: string): Promise<ApiError | null> {
    const generation = this._generation;
    try {
      const { user } = await api.register(this._base, username, status);
      if (generation === this._generation) this._signedIn(user);
      return null;
    } catch (err) {
      const e = toApiError(err);
      if (generation === this._generation) this._emit(new WhatsupErrorEvent(e.code, e.message));
      return e;
    }
  }

  /**
   * Saves my status through POST /status: text, or `{ text, emoji?, clearAfter? }` (an emoji,
   * '' for none; how long it lasts, `today` meaning the next midnight here). The change shows at
   * once and is rolled back, with `statusError` and a `whatsup-error` event, if the server refuses
   * it; while the server's storage is down it is pending and sent again for up to two minutes.
   * Resolves to whether it was saved; never rejects.
   */
  async setStatus(change: string | StatusChange): Promise<boolean> {
    const me = this._signedInMe();
    return me ? this._status.setStatus(me, change) : false;
  }

  /**
   * Chooses my availability through POST /availability: `dnd`, `invisible` (nobody else sees me)
   * or `auto`. Resolves to whether it was saved; a refusal is reported as for `setStatus`.
   */
  async setAvailability(availability: Availability): Promise<boolean> {
    const me = this._signedInMe();
    if (!me) return false;
    // Into or out of invisible: leave first (the server ends my connections when I go invisible;
    // that is not an error to show), then subscribe again on a new connection, whatever the answer.
    return this._status.setAvailability(me, availability, {
      leave: () => this._teardown(),
      rejoin: () => {
        if (this.me?.id === me.id && this._state === 'signed-in') this._connect();
      },
    });
  }

  /** Ends the session (POST /logout); my other tabs return to the form too. Never rejects. */
  async signOut(): Promise<void> {
    // Leave first, so the server's `signed-out` (meant for my other tabs) does not come back here.
    this._teardown();
    try {
      await api.logout(this._base);
    } catch (err) {
      const e = toApiError(err);
      this._emit(new WhatsupErrorEvent(e.code, e.message));
    }
    this._signedOut('user');
  }

  /** Me, when signed in; else a `whatsup-error` and null. */
  private _signedInMe(): Member | null {
    if (this.me && this._state === 'signed-in') return this.me;
    this._emit(new WhatsupErrorEvent(SIGNED_OUT, this._messages().notSignedIn));
    return null;
  }

  // ---- config → session → connection ----

  private _changed(): void {
    this.host.requestUpdate();
    this.onChange?.();
  }

  private _emit(event: Event): void {
    this.host.dispatchEvent(event);
  }

  private _pending(): void {
    const earlier = this._settle as (() => void) | undefined;
    this._ready = new Promise((resolve) => {
      this._settle = () => {
        resolve();
        earlier?.();
      };
    });
  }

  private _setState(state: PanelState): void {
    this._state = state;
    if (state !== 'signed-in' && state !== 'loading') this._settle();
    this._changed();
  }

  private async _start(): Promise<void> {
    const generation = ++this._generation;
    this._teardown();
    this._pending();
    const abort = new AbortController();
    this._abort = abort;
    this._error = '';
    this._status.reset();
    this._roster.reset(null);
    this._setState('loading');
    // pusher-js loads beside the bootstrap request: the list needs only the answer, the connection both.
    const starting = bootstrap(this._base, this._options(), this._messages(), abort.signal);
    // Asked second, so the request that draws the list gets the page's warm connection.
    loadPusher().catch(() => {}); // a failed load is the connection's `failed` state
    const start = await starting.catch(
      () => null, // aborted: a newer start or a teardown took over
    );
    if (!start || generation !== this._generation) return;
    if ('code' in start) return this._fail(start.code, start.message);
    this._config = start.config;
    if (start.user) this._signedIn(start.user, start.snapshot);
    else this._setState(this._signedOutState());
  }

  private _signedOutState(): PanelState {
    return this.mode === 'identify' ? 'identify-required' : 'signed-out';
  }

  private _fail(code: string, message: string): void {
    this._error = message;
    this._setState('error');
    this._emit(new WhatsupErrorEvent(code, message));
  }

  /**
   * Signed in: the list from the bootstrap's snapshot at once when there is one, while the
   * connection opens; the subscription then reconciles it.
   */
  private _signedIn(user: unknown, snapshot?: Snapshot): void {
    const me = fromRecord(user);
    if (!me) return this._fail('response.invalid', this._messages().genericError);
    this._pending();
    this._roster.reset(me);
    if (snapshot) this._roster.snapshot(snapshot.members, snapshot.online);
    this._sessionEnded = false;
    this._error = '';
    this._setState('signed-in');
    this._emit(new WhatsupSignedInEvent(me));
    this._connect(snapshot);
  }

  private _signedOut(reason: 'user' | 'other-tab' | 'expired'): void {
    this._teardown();
    this._roster.reset(null);
    this._status.reset();
    this._error = '';
    this._sessionEnded = reason !== 'user';
    this._setState(this._signedOutState());
    this._emit(new WhatsupSignedOutEvent(reason));
  }

  private _teardown(): void {
    this._roster.stop();
    this._abort?.abort();
    this._abort = null;
    const live = this._live;
    this._live = null;
    if (live) {
      live.stop();
      this._onConnectionState('disconnected');
    }
  }

  /** Opens the channel for me (signed in); a fresh snapshot may name my follow channel already. */
  private _connect(snapshot?: Snapshot): void {
    this._live = new LiveChannel(this.me!, this._options(), this._config, this._owner, snapshot);
  }

  // ---- what the live channel says ----

  private _onConnectionState(current: string): void {
    const previous = this._connectionState;
    if (previous === current) return;
    this._connectionState = current;
    if (current === 'connected' || current === 'disconnected') this._retryAt = 0;
    this._changed();
    this._emit(new WhatsupConnectionChangeEvent(previous, current));
  }

  private _showError(message: string): void {
    this._error = message;
    this._changed();
  }

  private _onChannelRefused(code: string, message: string, detail?: string): void {
    this._showError(message);
    this._settle();
    this._emit(new WhatsupErrorEvent(code, detail ? `${message} ${detail}` : message));
  }

  /**
   * The server ended the connection (4009), or my record moved into or out of invisible: signed
   * in still → a new connection, in the channel or following it; else signed out. Three times
   * within 10 s is a server that keeps contradicting itself: shown as a refused channel.
   */
  private async _onEnded(): Promise<void> {
    const generation = this._generation;
    const now = Date.now();
    this._endings = [...this._endings.filter((t) => now - t < 10_000), now];
    this._teardown();
    if (this._endings.length > 3) {
      this._endings = [];
      return this._onChannelRefused('subscription.failed', this._messages().subscriptionFailed, '(loop)');
    }
    const session = await api.getSession(this._base).catch(() => null);
    // Stale, signed out meanwhile, or already connected again (resubscribe()): nothing to do.
    if (generation !== this._generation || !this.me || this._live) return;
    if (session && !session.authenticated) return this._signedOut('expired');
    const me = fromRecord(session?.user);
    if (me) this._roster.setMe(me);
    this._connect();
  }
}
