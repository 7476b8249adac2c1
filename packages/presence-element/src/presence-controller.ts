import type { ReactiveController, ReactiveControllerHost } from 'lit';
import Pusher, { type Members, type PresenceChannel } from 'pusher-js';
import { ApiError, apiBaseFrom, call, channelAuthorizer, crossOrigin } from './api.js';
import { defaultMessages, type Messages } from './messages.js';
import { MemberList, fromPresence, fromRecord, hiddenId, newer } from './members.js';
import { Activity } from './activity.js';
import type { Availability, Member, PanelState, ServerConfig, StatusChange } from './types.js';
import {
  WhatsupActivityChangedEvent,
  WhatsupAnnouncementEvent,
  WhatsupConnectionChangeEvent,
  WhatsupErrorEvent,
  WhatsupMemberJoinedEvent,
  WhatsupMemberLeftEvent,
  WhatsupSignedInEvent,
  WhatsupSignedOutEvent,
  WhatsupStatusChangedEvent,
} from './events.js';

/** Where the panel's server lives; the same names as the element's attributes. */
export interface PresenceOptions {
  /** The middleware's channel authorization route, e.g. `/whatsup/usersystem/auth`. */
  authEndpoint: string;
  /** The presence channel, e.g. `presence-whatsup-members`. */
  channel: string;
  /** Where `/config`, `/register`, `/status`… live; default: beside the auth endpoint. */
  apiBase?: string;
  key?: string;
  cluster?: string;
  wsHost?: string;
  wsPort?: string;
  forceTls?: boolean;
  /** Seconds without input, or with every tab hidden, before I am away (default 300). */
  idleAfter?: number;
  /** Seconds a member who left stays greyed as "left just now" before going (default 30). */
  leaveGrace?: number;
  /** Keep `recent` (people who left lately, from GET /members) up to date after each leave. */
  showRecent?: boolean;
}

/** Anything that can host the controller: a Lit element, or `PresenceController.standalone()`. */
export type PresenceHost = ReactiveControllerHost & EventTarget;

const REFRESH_AFTER_JOIN_MS = 300;

/**
 * The panel without a face: configuration (`GET /config`), session, the pusher-js connection and
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
  private _me: Member | null = null;
  private _others = new MemberList();
  private _error = '';
  private _statusError = '';
  private _sessionEnded = false;
  private _everConnected = false;
  private _config: ServerConfig = {};
  private _pusher: Pusher | null = null;
  private _abort: AbortController | null = null;
  private _generation = 0;
  private _restartQueued = false;
  private _subscribedBefore = false;
  private _refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private _activity: Activity | null = null;
  /** Members in their leave grace: still listed (with `lastSeen`), not counted. */
  private _leaving = new Map<string, ReturnType<typeof setTimeout>>();
  private _recent: readonly Member[] = [];
  private _ready!: Promise<void>;
  private _settle!: () => void;

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
  /** pusher-js's connection state: `initialized`, `connecting`, `connected`, `unavailable`, `failed`, `disconnected`. */
  get connectionState(): string {
    return this._connectionState;
  }
  /** The signed-in visitor, or null. */
  get me(): Member | null {
    return this._me;
  }
  /**
   * Everyone else online, by name then id (a frozen array, the same one until something changes).
   * A member whose last connection went stays here with `lastSeen` for the leave grace.
   */
  get others(): readonly Member[] {
    return this._others.list;
  }
  /** How many people are online, me included (not those in their leave grace). */
  get count(): number {
    return this._others.size - this._leaving.size + (this._me ? 1 : 0);
  }
  /** People who left lately (GET /members records with `lastSeen`), latest first. */
  get recent(): readonly Member[] {
    return this._recent;
  }
  /** This browser's activity verdict (every tab of mine idle or hidden: true). */
  get away(): boolean {
    return this._activity?.away ?? false;
  }
  /** A configuration, connection or request error to show, or ''. Cleared by the next success. */
  get error(): string {
    return this._error;
  }
  /** Why my last status change was refused, or ''. Cleared by the next success. */
  get statusError(): string {
    return this._statusError;
  }
  /** The session ended under an open page (expiry, server restart): say so on the form. */
  get sessionEnded(): boolean {
    return this._sessionEnded;
  }
  /** True once connected at least once since signing in: later drops are "reconnecting". */
  get everConnected(): boolean {
    return this._everConnected;
  }
  /** `guest` (the panel signs people up) or `identify` (the site signs them in). */
  get mode(): 'guest' | 'identify' {
    return this._config.mode === 'identify' ? 'identify' : 'guest';
  }
  /** The server's limits (`name`, `status` in code points). */
  get limits(): { name: number; status: number } {
    return { name: this._config.limits?.name ?? 32, status: this._config.limits?.status ?? 280 };
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
    return (o.apiBase || apiBaseFrom(o.authEndpoint)).replace(/\/$/, '');
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

  /** Stops everything (no events after this) until `connect()`. */
  disconnect(): void {
    this.hostDisconnected();
  }

  // ---- actions ----

  /** Joins the channel again with a new authorization (after going to or from invisible). */
  resubscribe(): void {
    if (this._pusher) {
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
      const { user } = await call<{ user: Member }>(`${this._base}/register`, {
        method: 'POST',
        body: { username, status },
      });
      if (generation !== this._generation) return null;
      this._signedIn(user);
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
   * it. Resolves to whether it was saved; never rejects.
   */
  async setStatus(change: string | StatusChange): Promise<boolean> {
    const me = this._me;
    const t = this._messages();
    if (!me || this._state !== 'signed-in') {
      this._emit(new WhatsupErrorEvent('auth.signed_out', t.notSignedIn));
      return false;
    }
    const { text, emoji, clearAfter } = typeof change === 'object' && change ? change : { text: change };
    const status = String(text ?? '');
    const previous = me.status;
    // The server replaces text, emoji and expiry together: no emoji given means none.
    const optimistic: Member = { ...me, status, updatedAt: Date.now() };
    delete optimistic.emoji;
    if (emoji) optimistic.emoji = emoji;
    this._setMe(optimistic);
    try {
      const { user } = await call<{ user: Member }>(`${this._base}/status`, {
        method: 'POST',
        // Only what was given: a plain text change stays the request it always was.
        body: {
          status,
          ...(emoji ? { emoji } : {}),
          ...(clearAfter ? { clearAfter } : {}),
          // The server's "today" ends at midnight in the person's zone, not the server's.
          ...(clearAfter === 'today' ? { utcOffset: -new Date().getTimezoneOffset() } : {}),
        },
      });
      if (this._me?.id !== me.id) return false;
      this._statusError = '';
      this._error = '';
      this._setMe(user);
      if (user.status !== previous) this._emit(new WhatsupStatusChangedEvent(user, previous));
      return true;
    } catch (err) {
      if (this._me?.id !== me.id) return false;
      // Roll back only my optimistic change; a newer status from the server stays.
      if (this._me === optimistic) this._setMe(me);
      return this._refused(err, t.statusRefused);
    }
  }

  /**
   * Chooses my availability through POST /availability: `dnd`, `invisible` (nobody else sees me)
   * or `auto`. Resolves to whether it was saved; a refusal is reported as for `setStatus`.
   */
  async setAvailability(availability: Availability): Promise<boolean> {
    const me = this._me;
    const t = this._messages();
    if (!me || this._state !== 'signed-in') {
      this._emit(new WhatsupErrorEvent('auth.signed_out', t.notSignedIn));
      return false;
    }
    // Into or out of invisible the channel authorization changes (anonymous ↔ me): leave first
    // (the server ends my connections when I go invisible; that is not an error to show), then
    // subscribe again on a new connection, staying signed in, whatever the answer.
    const resubscribe = (me.availability === 'invisible') !== (availability === 'invisible');
    if (resubscribe) this._teardown();
    try {
      const { user } = await call<{ user: Member }>(`${this._base}/availability`, {
        method: 'POST',
        body: { availability },
      });
      if (this._me?.id !== me.id) return false;
      this._statusError = '';
      this._error = '';
      this._setMe(user);
      return true;
    } catch (err) {
      return this._me?.id === me.id && this._refused(err, t.editorNotSaved);
    } finally {
      if (resubscribe && this._me?.id === me.id && this._state === 'signed-in') this._connect();
    }
  }

  /** The site's one-click statuses (GET /config `presets`). */
  get presets(): NonNullable<ServerConfig['presets']> {
    return this._config.presets ?? [];
  }

  /** A refused change: signed out on 401, else `statusError` and a `whatsup-error` event. */
  private _refused(err: unknown, prefix: string): false {
    const e = toApiError(err);
    if (e.status === 401) this._signedOut('expired');
    else {
      this._statusError = `${prefix} ${e.message}`;
      this._emit(new WhatsupErrorEvent(e.code, e.message));
      this._changed();
    }
    return false;
  }

  /** Ends the session (POST /logout); my other tabs return to the form too. Never rejects. */
  async signOut(): Promise<void> {
    // Leave first, so the server's `signed-out` (meant for my other tabs) does not come back here.
    this._teardown();
    try {
      // A JSON body with its Content-Type: the middleware refuses a bodiless or cross-site logout.
      await call(`${this._base}/logout`, { method: 'POST', body: {} });
    } catch (err) {
      const e = toApiError(err);
      this._emit(new WhatsupErrorEvent(e.code, e.message));
    }
    this._signedOut('user');
  }

  // ---- internals ----

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
    const stale = () => generation !== this._generation;
    const t = this._messages();
    this._error = '';
    this._statusError = '';
    this._me = null;
    this._others.clear();
    this._setState('loading');
    const problem = this._configProblem();
    if (problem) return this._fail('config.invalid', problem);
    const { key } = this._options();
    try {
      this._config = await call<ServerConfig>(`${this._base}/config`, { signal: abort.signal });
    } catch (err) {
      if (stale()) return;
      // A page that names its own key may do without /config (e.g. the routes sit behind another proxy).
      if (!key)
        return this._fail('config.unreachable', `${t.configUnreachable} (${toApiError(err).message})`);
      this._config = {};
    }
    if (stale()) return;
    if (!key && !this._config.key) return this._fail('config.invalid', t.configUnreachable);
    try {
      const session = await call<{ authenticated: boolean; user?: Member }>(`${this._base}/isLoggedIn`, {
        signal: abort.signal,
      });
      if (stale()) return;
      if (session.authenticated && session.user) this._signedIn(session.user);
      else this._setState(this._signedOutState());
    } catch (err) {
      if (!stale()) {
        const e = toApiError(err);
        this._fail(e.code, e.message);
      }
    }
  }

  private _configProblem(): string {
    const t = this._messages();
    const o = this._options();
    if (!o.authEndpoint || !o.channel) return t.configMissing;
    if (!o.channel.startsWith('presence-')) return t.configChannel(o.channel);
    for (const [name, value] of [
      ['auth-endpoint', o.authEndpoint],
      ['api-base', o.apiBase],
    ] as const) {
      if (value && !isHttpUrl(value)) return t.configUrl(name, value);
    }
    if (o.wsPort) {
      const port = Number(o.wsPort);
      if (!/^\d{1,5}$/.test(o.wsPort) || port < 1 || port > 65535) return t.configPort(o.wsPort);
    }
    return '';
  }

  private _signedOutState(): PanelState {
    return this.mode === 'identify' ? 'identify-required' : 'signed-out';
  }

  private _fail(code: string, message: string): void {
    this._error = message;
    this._setState('error');
    this._emit(new WhatsupErrorEvent(code, message));
  }

  private _signedIn(user: Member): void {
    const me = fromRecord(user);
    if (!me) return this._fail('response.invalid', this._messages().genericError);
    this._pending();
    this._me = me;
    this._others.clear();
    this._sessionEnded = false;
    this._error = '';
    this._setState('signed-in');
    this._emit(new WhatsupSignedInEvent(me));
    this._connect();
  }

  private _signedOut(reason: 'user' | 'other-tab' | 'expired'): void {
    this._teardown();
    this._me = null;
    this._others.clear();
    this._statusError = '';
    this._error = '';
    this._sessionEnded = reason !== 'user';
    this._setState(this._signedOutState());
    this._emit(new WhatsupSignedOutEvent(reason));
  }

  private _teardown(): void {
    clearTimeout(this._refreshTimer);
    this._refreshTimer = undefined;
    this._leaving.forEach(clearTimeout);
    this._leaving.clear();
    this._recent = [];
    this._activity?.stop();
    this._activity = null;
    this._abort?.abort();
    this._abort = null;
    const pusher = this._pusher;
    this._pusher = null;
    this._everConnected = false;
    this._subscribedBefore = false;
    if (pusher) {
      pusher.disconnect();
      this._setConnectionState('disconnected');
    }
  }

  private _setConnectionState(current: string): void {
    const previous = this._connectionState;
    if (previous === current) return;
    this._connectionState = current;
    this._changed();
    this._emit(new WhatsupConnectionChangeEvent(previous, current));
  }

  private _setMe(me: Member): void {
    this._moved(this._me, me);
    this._me = me;
    this._changed();
  }

  /** Adds or updates someone else (my own record goes to `me`). */
  private _upsert(member: Member): void {
    if (member.id === this._me?.id) return this._setMe(member);
    const previous = this._others.get(member.id);
    if (this._others.set(member)) this._changed();
    this._moved(previous, member);
  }

  private _moved(previous: Member | null | undefined, member: Member): void {
    if (
      previous?.id === member.id &&
      (previous.activity !== member.activity || previous.availability !== member.availability)
    )
      this._emit(new WhatsupActivityChangedEvent(member, previous));
  }

  /** A newer record of someone listed; one in their leave grace stays greyed. */
  private _merge(previous: Member, update: Member): Member {
    const { lastSeen: _gone, ...rest } = update;
    return this._leaving.has(update.id) ? { ...rest, lastSeen: previous.lastSeen! } : rest;
  }

  /** Someone's last connection went: greyed for the grace, then gone (unless they come back). */
  private _leave(m: Member): void {
    const ms = seconds(this._options().leaveGrace, 30);
    if (!ms) return this._gone(m.id);
    if (this._leaving.has(m.id)) return;
    this._others.set({ ...m, lastSeen: Date.now() });
    this._leaving.set(
      m.id,
      setTimeout(() => this._gone(m.id), ms),
    );
    this._changed();
  }

  private _gone(id: string): void {
    clearTimeout(this._leaving.get(id));
    this._leaving.delete(id);
    const member = this._others.delete(id);
    if (!member) return;
    this._changed();
    this._emit(new WhatsupMemberLeftEvent(member));
    if (this._options().showRecent && this._pusher) this._queueRefresh(this._pusher);
  }

  /** Back within the grace: no leave, no join, the row as it was. */
  private _back(id: string): Member | undefined {
    const known = this._others.get(id);
    if (!known || !this._leaving.has(id)) return known;
    clearTimeout(this._leaving.get(id));
    this._leaving.delete(id);
    const { lastSeen: _gone, ...back } = known;
    this._others.set(back);
    this._changed();
    return back;
  }

  /** The connection was ended by the server (4009): signed in still → a new connection; else signed out. */
  private async _ended(): Promise<void> {
    const generation = this._generation;
    this._teardown();
    const session = await call<{ authenticated: boolean; user?: unknown }>(`${this._base}/isLoggedIn`).catch(
      () => null,
    );
    // Stale, signed out meanwhile, or already connected again (resubscribe()): nothing to do.
    if (generation !== this._generation || !this._me || this._pusher) return;
    if (session && !session.authenticated) return this._signedOut('expired');
    const me = fromRecord(session?.user);
    if (me) this._setMe(me);
    this._connect();
  }

  private async _report(away: boolean): Promise<void> {
    try {
      const { user } = await call<{ user?: unknown }>(`${this._base}/activity`, {
        method: 'POST',
        body: { activity: away ? 'away' : 'active' },
      });
      const me = fromRecord(user);
      if (me && me.id === this._me?.id) this._setMe(me);
    } catch {
      // Not saved (offline, rate limited): the next change reports the state as it is then.
    }
  }

  private _connect(): void {
    const c = this._config;
    const o = this._options();
    // The document's base URL rather than `location`: an about:srcdoc frame has no host of its own.
    const page = new URL(document.baseURI);
    const pageTls = page.protocol === 'https:';
    // An https page may only open wss:// (mixed content), whatever the server's default says.
    const tls = Boolean(o.forceTls) || pageTls || (c.forceTLS ?? false);
    // A cluster given without a host means Pusher Channels: the server's own host/port do not apply.
    const pusherChannels = Boolean(o.cluster) && !o.wsHost;
    const serverHost = pusherChannels ? undefined : c.wsHost;
    const serverPort = pusherChannels ? undefined : c.wsPort;
    const pagePort = Number(page.port) || (pageTls ? 443 : 80);
    const useLocal = !pusherChannels && (!c.cluster || c.cluster === 'local');
    const host = o.wsHost || serverHost || (useLocal ? page.hostname : undefined);
    const port = o.wsPort
      ? Number(o.wsPort)
      : (serverPort ?? (host && !serverHost && !o.wsHost ? pagePort : undefined));
    const pusher = new Pusher(o.key || c.key || '', {
      cluster: o.cluster || c.cluster || 'mt1',
      forceTLS: tls,
      ...(host ? { wsHost: host } : {}),
      ...(port ? { wsPort: port, wssPort: o.wsPort ? port : (c.wssPort ?? port) } : {}),
      ...(c.wsPath && !pusherChannels ? { wsPath: c.wsPath } : {}),
      ...(host ? { enabledTransports: (c.enabledTransports ?? ['ws', 'wss']) as ('ws' | 'wss')[] } : {}),
      channelAuthorization: {
        endpoint: o.authEndpoint,
        transport: 'ajax',
        // pusher-js's own ajax sends no cookie to another origin: authorize through call() there.
        ...(crossOrigin(o.authEndpoint) ? { customHandler: channelAuthorizer(o.authEndpoint) } : {}),
      },
    });
    this._pusher = pusher;
    const me = this._me!;
    this._activity = new Activity(
      me.id,
      () => seconds(o.idleAfter, 300) || 300_000,
      (away) => void this._report(away),
      me.activity === 'away',
    );
    // Callbacks of a connection we have since replaced do nothing.
    const mine = (fn: (...args: never[]) => void) =>
      ((...args: never[]) => {
        if (this._pusher === pusher) fn(...args);
      }) as (...args: unknown[]) => void;
    const t = () => this._messages();

    pusher.connection.bind(
      'state_change',
      mine(({ current }: { previous: string; current: string }) => {
        if (current === 'connected') this._everConnected = true;
        this._setConnectionState(current);
      }),
    );
    pusher.connection.bind(
      'error',
      mine((error: PusherConnectionError) => {
        const data = error?.error?.data ?? error?.data;
        if (data?.code === 4009) return void this._ended();
        // 4000–4099: the server refuses for good (wrong key, app disabled…); pusher-js gives up.
        if (data?.code && data.code >= 4000 && data.code < 4100) {
          this._error = t().connectionRefused(`${data.message ?? 'refused'} (${data.code})`);
          this._changed();
          this._settle();
          this._emit(new WhatsupErrorEvent('connection.refused', this._error));
        }
      }),
    );

    const channel = pusher.subscribe(o.channel) as PresenceChannel;
    // Fires again after every reconnect: rebuild from it, keeping what we know to be newer.
    channel.bind(
      'pusher:subscription_succeeded',
      mine((members: Members) => {
        const meId = this._me?.id;
        const seen = new Set<string>();
        const joined: Member[] = [];
        members.each((m: { id: unknown; info: unknown }) => {
          const fresh = fromPresence(m.id, m.info);
          seen.add(fresh.id);
          if (fresh.id === meId || hiddenId(fresh.id)) return;
          const known = this._back(fresh.id);
          if (!known) joined.push(fresh);
          this._others.set(newer(known, fresh));
        });
        // People who came or went while we were away (silently on a first or fresh subscription).
        for (const m of [...this._others.values()]) {
          if (seen.has(m.id)) continue;
          if (this._subscribedBefore) this._leave(m);
          else this._others.delete(m.id);
        }
        if (this._subscribedBefore) for (const m of joined) this._emit(new WhatsupMemberJoinedEvent(m));
        this._subscribedBefore = true;
        this._error = '';
        this._changed();
        void this._refreshStatuses(pusher).then(() => this._settle());
      }),
    );
    channel.bind(
      'pusher:subscription_error',
      mine((error: { status?: number }) => {
        if (error?.status === 401) return this._signedOut('expired');
        this._error = t().subscriptionFailed;
        this._changed();
        this._settle();
        this._emit(new WhatsupErrorEvent('subscription.failed', `${this._error} (${error?.status ?? '?'})`));
      }),
    );
    channel.bind(
      'pusher:member_added',
      mine((m: { id: unknown; info: unknown }) => {
        const fresh = fromPresence(m.id, m.info);
        if (fresh.id === this._me?.id || hiddenId(fresh.id)) return;
        this._recent = this._recent.filter((r) => r.id !== fresh.id);
        const known = this._back(fresh.id);
        // An upsert: a member we already hold (e.g. from a rebuild) keeps the newer status.
        this._upsert(newer(known, fresh));
        if (known) return;
        this._emit(new WhatsupMemberJoinedEvent(fresh));
        // Presence info carries no time: ask GET /members once a burst of joins has settled.
        if (fresh.updatedAt === 0) this._queueRefresh(pusher);
      }),
    );
    channel.bind(
      'pusher:member_removed',
      mine((m: { id: unknown }) => {
        const member = this._others.get(String(m?.id));
        if (member) this._leave(member);
      }),
    );
    channel.bind(
      'status-updated',
      mine((data: unknown) => {
        const update = fromRecord(data);
        if (!update) return;
        const mine = update.id === this._me?.id;
        const previous = mine ? this._me! : this._others.get(update.id);
        // Only people in the channel are listed; the others get their status from GET /members later.
        if (!previous) return;
        if (previous.status === update.status && previous.updatedAt >= update.updatedAt) return;
        if (previous.updatedAt > update.updatedAt && !mine) return;
        const member = this._merge(previous, update);
        this._upsert(member);
        if (!mine) this._emit(new WhatsupStatusChangedEvent(member, previous.status));
      }),
    );
    channel.bind(
      'signed-out',
      mine((data: { id?: unknown }) => {
        if (typeof data?.id !== 'string') return;
        if (data.id === this._me?.id) this._signedOut('other-tab');
        // Signed out for good: no grace (their connections close next).
        else this._gone(data.id);
      }),
    );
    channel.bind(
      'announcement',
      mine((data: { message?: unknown; sentAt?: unknown }) => {
        if (typeof data?.message !== 'string') return;
        const sentAt = typeof data.sentAt === 'number' ? data.sentAt : Date.now();
        this._emit(new WhatsupAnnouncementEvent(data.message, sentAt));
      }),
    );
  }

  private _queueRefresh(pusher: Pusher): void {
    if (this._refreshTimer) return;
    this._refreshTimer = setTimeout(() => {
      this._refreshTimer = undefined;
      if (this._pusher === pusher) void this._refreshStatuses(pusher);
    }, REFRESH_AFTER_JOIN_MS);
  }

  /** Presence info is from authorization time; GET /members has the statuses as they are now. */
  private async _refreshStatuses(pusher: Pusher): Promise<void> {
    try {
      const { members } = await call<{ members: unknown[] }>(`${this._base}/members`, {
        signal: this._abort?.signal,
      });
      if (this._pusher !== pusher || !Array.isArray(members)) return;
      const recent: Member[] = [];
      for (const record of members) {
        const m = fromRecord(record);
        const present = m && (m.id === this._me?.id ? this._me : this._others.get(m.id));
        if (m && present && m.updatedAt >= present.updatedAt) this._upsert(this._merge(present, m));
        else if (m?.lastSeen && !present) recent.push(m);
      }
      this._recent = recent.sort((a, b) => b.lastSeen! - a.lastSeen!);
      this._changed();
    } catch (err) {
      if (this._pusher === pusher && toApiError(err).status === 401) this._signedOut('expired');
    }
  }
}

interface PusherConnectionError {
  data?: { code?: number; message?: string };
  error?: { data?: { code?: number; message?: string } };
}

/** A number of seconds from an attribute, in ms: `fallback` when missing, negative or not a number. */
function seconds(value: number | undefined, fallback: number): number {
  return 1000 * (Number.isFinite(value) && value! >= 0 ? value! : fallback);
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value, document.baseURI).protocol);
  } catch {
    return false;
  }
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
}
