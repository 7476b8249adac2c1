import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import Pusher, { type Members, type PresenceChannel } from 'pusher-js';
import { styles } from './whatsup-presence.styles.js';
import { ApiError, apiBaseFrom, call, channelAuthorizer, crossOrigin } from './api.js';
import { renderAvatar, renderMemberRow } from './member-row.js';
import { defaultMessages, type Messages } from './messages.js';
import type { Member, PanelState, ServerConfig } from './types.js';
import {
  WhatsupAnnouncementEvent,
  WhatsupConnectionChangeEvent,
  WhatsupErrorEvent,
  WhatsupMemberJoinedEvent,
  WhatsupMemberLeftEvent,
  WhatsupSignedInEvent,
  WhatsupSignedOutEvent,
  WhatsupStatusChangedEvent,
} from './events.js';

/** Changing any of these after the first render tears the connection down and starts again. */
const CONFIG_PROPERTIES = [
  'authEndpoint',
  'channel',
  'apiBase',
  'key',
  'cluster',
  'wsHost',
  'wsPort',
  'forceTls',
] as const;
const FLASH_MS = 1600;
const ANNOUNCE_EVERY_MS = 1000;
const CLOCK_MS = 30_000;
const REFRESH_AFTER_JOIN_MS = 300;

/**
 * A live "who's online, and what are they up to" panel.
 *
 * @fires whatsup-signed-in - the visitor signed in, or was found signed in on load
 * @fires whatsup-signed-out - the visitor signed out (here or in another tab) or the session expired
 * @fires whatsup-member-joined - someone came online
 * @fires whatsup-member-left - someone's last tab went away
 * @fires whatsup-status-changed - a member's status changed (mine once the server has it)
 * @fires whatsup-announcement - the server pushed an announcement (shown as a toast)
 * @fires whatsup-connection-change - the realtime connection changed state
 * @fires whatsup-error - bad configuration, a refused request or connection, a failed subscription
 * @csspart form - the sign-up form
 * @csspart me - the card with my name, status editor and sign-out button
 * @csspart status - a status text (mine is a button that starts editing)
 * @csspart status-editor - the input that edits my status
 * @csspart counter - the length counter beside the status editor
 * @csspart sign-out - the sign-out button
 * @csspart list - the members list
 * @csspart member - one row of the list
 * @csspart avatar - a member's picture or initials
 * @csspart name - a member's name
 * @csspart time - "updated 3 minutes ago"
 * @csspart toast - an announcement
 * @csspart connection - "Reconnecting…"
 * @csspart error - a configuration or request error
 * @csspart hint - "sign in on this site" (identify mode) and "nobody else is here yet"
 * @cssprop --whatsup-font - font family (default: inherit)
 * @cssprop --whatsup-bg - panel background
 * @cssprop --whatsup-fg - text colour
 * @cssprop --whatsup-muted - secondary text colour
 * @cssprop --whatsup-border - border colour
 * @cssprop --whatsup-accent - buttons, focus rings and highlights
 * @cssprop --whatsup-accent-fg - text on the accent colour
 * @cssprop --whatsup-danger - error text and invalid fields
 * @cssprop --whatsup-highlight - background of a row whose status just changed
 * @cssprop --whatsup-radius - corner radius
 * @cssprop --whatsup-avatar-size - avatar diameter
 * @cssprop --whatsup-gap - space between rows and sections
 */
export class WhatsupPresence extends LitElement {
  static override styles = styles;

  /** The middleware's channel authorization route, e.g. `/whatsup/usersystem/auth`. */
  @property({ attribute: 'auth-endpoint' }) authEndpoint = '';
  /** The presence channel to show, e.g. `presence-whatsup-members`. */
  @property({ attribute: 'channel' }) channel = '';
  /** Where the other routes live; default: beside the auth endpoint (`/whatsup/usersystem/auth` → `/whatsup`). */
  @property({ attribute: 'api-base' }) apiBase = '';
  /** Pusher app key; default from GET /config. */
  @property({ attribute: 'key' }) key = '';
  /** Pusher Channels cluster (e.g. `eu`); given without `ws-host`, it points the connection at Pusher Channels. */
  @property({ attribute: 'cluster' }) cluster = '';
  /** WebSocket host; default from GET /config, else the page's host. */
  @property({ attribute: 'ws-host' }) wsHost = '';
  /** WebSocket port; default from GET /config, else the page's port. */
  @property({ attribute: 'ws-port' }) wsPort = '';
  /** Always use wss:// (an https page always does). */
  @property({ attribute: 'force-tls', type: Boolean }) forceTls = false;
  /** How long an announcement stays, in milliseconds. */
  @property({ attribute: 'toast-duration', type: Number }) toastDuration = 5000;
  /** Every visible string can be replaced here (see `defaultMessages`). */
  @property({ attribute: false }) messages: Partial<Messages> = {};

  /** `loading`, `signed-out`, `identify-required`, `signed-in` or `error`. */
  @state() state: PanelState = 'loading';
  /** The pusher-js connection state (`initialized`, `connecting`, `connected`, `unavailable`, `failed`, `disconnected`). */
  @state() connectionState = 'initialized';
  @state() private _me: Member | null = null;
  @state() private _error = '';
  @state() private _fieldErrors: Record<string, string> = {};
  @state() private _busy = false;
  @state() private _editing = false;
  @state() private _draft = '';
  @state() private _statusError = '';
  @state() private _toast: { message: string; id: number } | null = null;
  @state() private _everConnected = false;

  // Mutated in place and re-rendered through requestUpdate(): an event costs O(1) plus Lit's keyed diff.
  private _members = new Map<string, Member>();
  private _flashed = new Set<string>();
  private _version = 0;
  private _sorted: { version: number; list: readonly Member[] } = { version: -1, list: [] };

  private _config: ServerConfig = {};
  private _pusher: Pusher | null = null;
  private _abort: AbortController | null = null;
  private _generation = 0;
  private _restartQueued = false;
  private _subscribedBefore = false;
  private _announceQueue: string[] = [];
  private _announceTimer: ReturnType<typeof setTimeout> | undefined;
  private _toastTimer: ReturnType<typeof setTimeout> | undefined;
  private _flashTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private _clock: ReturnType<typeof setInterval> | undefined;
  private _refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private _format: { locale: string; format: Intl.RelativeTimeFormat } | null = null;

  // `lang` is HTMLElement's own property: observe the attribute so a change re-renders the times.
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang') this.requestUpdate();
  }

  /** Everyone online, me first, then by name (then id, so equal names keep their order). */
  get members(): readonly Member[] {
    if (this._sorted.version === this._version) return this._sorted.list;
    const meId = this._me?.id;
    const others = [...this._members.values()].filter((m) => m.id !== meId).sort(byNameThenId);
    const mine = this.me;
    const list = Object.freeze(mine ? [mine, ...others] : others);
    this._sorted = { version: this._version, list };
    return list;
  }

  /** The signed-in visitor, or null. */
  get me(): Member | null {
    return this._me ? (this._members.get(this._me.id) ?? this._me) : null;
  }

  private get _t(): Messages {
    return { ...defaultMessages, ...this.messages };
  }

  private get _base(): string {
    return (this.apiBase || apiBaseFrom(this.authEndpoint)).replace(/\/$/, '');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // "updated 3 minutes ago" has to move on by itself.
    this._clock = setInterval(() => this.requestUpdate(), CLOCK_MS);
    this._queueRestart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this._clock);
    clearTimeout(this._toastTimer);
    clearTimeout(this._announceTimer);
    this._announceTimer = undefined;
    for (const timer of this._flashTimers.values()) clearTimeout(timer);
    this._flashTimers.clear();
    this._teardown();
    this._generation++;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (CONFIG_PROPERTIES.some((name) => changed.has(name)) && this.hasUpdated) {
      // The first render's values are what connectedCallback started with: only later changes restart.
      if (CONFIG_PROPERTIES.some((name) => changed.get(name) !== undefined)) this._queueRestart();
    }
  }

  /**
   * Saves my status through POST /status. The change shows at once and is rolled back, with a
   * message and a `whatsup-error` event, if the server refuses it. Resolves to whether it was saved;
   * never rejects.
   */
  async setStatus(text: string): Promise<boolean> {
    const me = this.me;
    if (!me || this.state !== 'signed-in') {
      this.dispatchEvent(new WhatsupErrorEvent('auth.signed_out', this._t.notSignedIn));
      return false;
    }
    const previous = me.status;
    this._upsert({ ...me, status: String(text), updatedAt: Date.now() });
    this._statusError = '';
    try {
      const { user } = await call<{ user: Member }>(`${this._base}/status`, {
        method: 'POST',
        body: { status: String(text) },
      });
      if (this._me?.id !== me.id) return false;
      this._upsert(user);
      if (user.status !== previous) this.dispatchEvent(new WhatsupStatusChangedEvent(user, previous));
      return true;
    } catch (err) {
      if (this._me?.id !== me.id) return false;
      const current = this._members.get(me.id);
      // Roll back only my optimistic text; a newer status from the server stays.
      if (current && current.status === String(text)) this._upsert(me);
      const e = toApiError(err);
      if (e.status === 401) {
        this._signedOut('expired');
        return false;
      }
      this._statusError = `${this._t.statusRefused} ${e.message}`;
      this.dispatchEvent(new WhatsupErrorEvent(e.code, e.message));
      return false;
    }
  }

  /** Ends the session (POST /logout); my other tabs return to the form too. Never rejects. */
  async signOut(): Promise<void> {
    // Leave first, so the server's `signed-out` (meant for my other tabs) does not come back here.
    this._teardown();
    try {
      await call(`${this._base}/logout`, { method: 'POST' });
    } catch (err) {
      const e = toApiError(err);
      this.dispatchEvent(new WhatsupErrorEvent(e.code, e.message));
    }
    this._signedOut('user');
  }

  // ---- lifecycle ----

  private _queueRestart(): void {
    if (this._restartQueued) return;
    this._restartQueued = true;
    queueMicrotask(() => {
      this._restartQueued = false;
      if (this.isConnected) void this._start();
    });
  }

  private async _start(): Promise<void> {
    const generation = ++this._generation;
    this._teardown();
    const abort = new AbortController();
    this._abort = abort;
    const stale = () => generation !== this._generation;
    this._error = '';
    this._fieldErrors = {};
    this._statusError = '';
    this._editing = false;
    this._me = null;
    this._clearMembers();
    this.state = 'loading';
    const problem = this._configProblem();
    if (problem) return this._fail('config.invalid', problem);
    try {
      this._config = await call<ServerConfig>(`${this._base}/config`, { signal: abort.signal });
    } catch (err) {
      if (stale()) return;
      // A page that names its own key may do without /config (e.g. the routes sit behind another proxy).
      if (!this.key) {
        return this._fail('config.unreachable', `${this._t.configUnreachable} (${toApiError(err).message})`);
      }
      this._config = {};
    }
    if (stale()) return;
    if (!this.key && !this._config.key) return this._fail('config.invalid', this._t.configUnreachable);
    try {
      const session = await call<{ authenticated: boolean; user?: Member }>(`${this._base}/isLoggedIn`, {
        signal: abort.signal,
      });
      if (stale()) return;
      if (session.authenticated && session.user) this._signedIn(session.user);
      else this.state = this._signedOutState();
    } catch (err) {
      if (!stale()) {
        const e = toApiError(err);
        this._fail(e.code, e.message);
      }
    }
  }

  private _configProblem(): string {
    const t = this._t;
    if (!this.authEndpoint || !this.channel) return t.configMissing;
    if (!this.channel.startsWith('presence-')) return t.configChannel(this.channel);
    for (const [name, value] of [
      ['auth-endpoint', this.authEndpoint],
      ['api-base', this.apiBase],
    ] as const) {
      if (value && !isHttpUrl(value)) return t.configUrl(name, value);
    }
    if (this.wsPort) {
      const port = Number(this.wsPort);
      if (!/^\d{1,5}$/.test(this.wsPort) || port < 1 || port > 65535) return t.configPort(this.wsPort);
    }
    return '';
  }

  private _signedOutState(): PanelState {
    return this._config.mode === 'identify' ? 'identify-required' : 'signed-out';
  }

  private _fail(code: string, message: string): void {
    this.state = 'error';
    this._error = message;
    this.dispatchEvent(new WhatsupErrorEvent(code, message));
  }

  private _signedIn(user: Member): void {
    const me = fromRecord(user);
    if (!me) return this._fail('response.invalid', this._t.genericError);
    this._me = me;
    this._clearMembers();
    this._members.set(me.id, me);
    this._touch();
    this.state = 'signed-in';
    this.dispatchEvent(new WhatsupSignedInEvent(me));
    this._connect();
  }

  private _signedOut(reason: 'user' | 'other-tab' | 'expired'): void {
    this._teardown();
    this._me = null;
    this._clearMembers();
    this._editing = false;
    this._statusError = '';
    this._error = '';
    this.state = this._signedOutState();
    this.dispatchEvent(new WhatsupSignedOutEvent(reason));
  }

  private _teardown(): void {
    clearTimeout(this._refreshTimer);
    this._refreshTimer = undefined;
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
    const previous = this.connectionState;
    if (previous === current) return;
    this.connectionState = current;
    this.dispatchEvent(new WhatsupConnectionChangeEvent(previous, current));
  }

  private _connect(): void {
    const c = this._config;
    // The document's base URL rather than `location`: an about:srcdoc frame has no host of its own.
    const page = new URL(document.baseURI);
    const pageTls = page.protocol === 'https:';
    // An https page may only open wss:// (mixed content), whatever the server's default says.
    const tls = this.forceTls || pageTls || (c.forceTLS ?? false);
    // A cluster given without a host means Pusher Channels: the server's own host/port do not apply.
    const pusherChannels = Boolean(this.cluster) && !this.wsHost;
    const serverHost = pusherChannels ? undefined : c.wsHost;
    const serverPort = pusherChannels ? undefined : c.wsPort;
    const pagePort = Number(page.port) || (pageTls ? 443 : 80);
    const useLocal = !pusherChannels && (!c.cluster || c.cluster === 'local');
    const host = this.wsHost || serverHost || (useLocal ? page.hostname : undefined);
    const port = this.wsPort
      ? Number(this.wsPort)
      : (serverPort ?? (host && !serverHost && !this.wsHost ? pagePort : undefined));
    const pusher = new Pusher(this.key || c.key || '', {
      cluster: this.cluster || c.cluster || 'mt1',
      forceTLS: tls,
      ...(host ? { wsHost: host } : {}),
      ...(port ? { wsPort: port, wssPort: this.wsPort ? port : (c.wssPort ?? port) } : {}),
      ...(c.wsPath && !pusherChannels ? { wsPath: c.wsPath } : {}),
      ...(host ? { enabledTransports: (c.enabledTransports ?? ['ws', 'wss']) as ('ws' | 'wss')[] } : {}),
      channelAuthorization: {
        endpoint: this.authEndpoint,
        transport: 'ajax',
        // pusher-js's ajax sends no cookies to another origin; call() does (credentials: 'include').
        ...(crossOrigin(this.authEndpoint) ? { customHandler: channelAuthorizer(this.authEndpoint) } : {}),
      },
    });
    this._pusher = pusher;
    const mine = (fn: (...args: never[]) => void) =>
      ((...args: never[]) => {
        if (this._pusher === pusher) fn(...args);
      }) as (...args: unknown[]) => void;

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
        // 4000–4099: the server refuses for good (wrong key, app disabled…); pusher-js gives up.
        if (data?.code && data.code >= 4000 && data.code < 4100) {
          const reason = `${data.message ?? 'refused'} (${data.code})`;
          this._error = this._t.connectionRefused(reason);
          this.dispatchEvent(new WhatsupErrorEvent('connection.refused', this._error));
        }
      }),
    );

    const channel = pusher.subscribe(this.channel) as PresenceChannel;
    // Fires again after every reconnect: rebuild from it, keeping what we know to be newer.
    channel.bind(
      'pusher:subscription_succeeded',
      mine((members: Members) => {
        const before = this._members;
        const next = new Map<string, Member>();
        members.each((m: { id: unknown; info: unknown }) => {
          const fresh = fromPresence(m.id, m.info);
          const known = before.get(fresh.id);
          next.set(fresh.id, known && known.updatedAt >= fresh.updatedAt ? known : fresh);
        });
        const me = this.me;
        if (me && !next.has(me.id)) next.set(me.id, me);
        if (this._subscribedBefore) {
          // People who came or went while we were away.
          for (const [id, m] of next) if (!before.has(id)) this._joined(m);
          for (const [id, m] of before) if (!next.has(id)) this._left(m);
        }
        this._subscribedBefore = true;
        this._members = next;
        this._error = '';
        this._touch();
        void this._refreshStatuses(pusher);
      }),
    );
    channel.bind(
      'pusher:subscription_error',
      mine((error: { status?: number; error?: string }) => {
        if (error?.status === 401) return this._signedOut('expired');
        this._error = this._t.subscriptionFailed;
        this.dispatchEvent(
          new WhatsupErrorEvent(
            'subscription.failed',
            `${this._t.subscriptionFailed} (${error?.status ?? '?'})`,
          ),
        );
      }),
    );
    channel.bind(
      'pusher:member_added',
      mine((m: { id: unknown; info: unknown }) => {
        const fresh = fromPresence(m.id, m.info);
        const known = this._members.get(fresh.id);
        // An upsert: a member we already hold (e.g. from a rebuild) keeps the newer status.
        this._upsert(known && known.updatedAt >= fresh.updatedAt ? known : fresh);
        if (!known) this._joined(fresh);
        // Presence info carries no time: ask GET /members once a burst of joins has settled.
        if (!known && fresh.updatedAt === 0) this._queueRefresh(pusher);
      }),
    );
    channel.bind(
      'pusher:member_removed',
      mine((m: { id: unknown }) => {
        const member = this._members.get(String(m?.id));
        if (!member || member.id === this._me?.id) return;
        this._members.delete(member.id);
        this._touch();
        this._left(member);
      }),
    );
    channel.bind(
      'status-updated',
      mine((data: unknown) => {
        const update = fromRecord(data);
        if (!update) return;
        const previous = this._members.get(update.id);
        // Only people in the channel are listed; the others get their status from GET /members later.
        if (!previous) return;
        if (previous.status === update.status && previous.updatedAt >= update.updatedAt) return;
        if (previous.updatedAt > update.updatedAt && update.id !== this._me?.id) return;
        this._upsert({ ...previous, ...update });
        this._flash(update.id);
        if (update.id !== this._me?.id) {
          this._announce(this._t.statusChanged(update.name, update.status));
          this.dispatchEvent(new WhatsupStatusChangedEvent(update, previous.status));
        }
      }),
    );
    channel.bind(
      'signed-out',
      mine((data: { id?: unknown }) => {
        if (typeof data?.id === 'string' && data.id === this._me?.id) this._signedOut('other-tab');
      }),
    );
    channel.bind(
      'announcement',
      mine((data: { message?: unknown; sentAt?: unknown }) => {
        if (typeof data?.message !== 'string') return;
        const sentAt = typeof data.sentAt === 'number' ? data.sentAt : Date.now();
        this._showToast(data.message);
        this.dispatchEvent(new WhatsupAnnouncementEvent(data.message, sentAt));
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
      let changed = false;
      for (const record of members) {
        const m = fromRecord(record);
        const present = m && this._members.get(m.id);
        if (m && present && m.updatedAt >= present.updatedAt) {
          this._members.set(m.id, { ...present, ...m });
          if (m.id === this._me?.id) this._me = this._members.get(m.id)!;
          changed = true;
        }
      }
      if (changed) this._touch();
    } catch (err) {
      if (this._pusher === pusher && toApiError(err).status === 401) this._signedOut('expired');
    }
  }

  private _joined(member: Member): void {
    this._announce(this._t.joined(member.name));
    this.dispatchEvent(new WhatsupMemberJoinedEvent(member));
  }

  private _left(member: Member): void {
    this._announce(this._t.left(member.name));
    this.dispatchEvent(new WhatsupMemberLeftEvent(member));
  }

  private _touch(): void {
    this._version++;
    this.requestUpdate();
  }

  private _clearMembers(): void {
    this._members = new Map();
    this._flashed.clear();
    this._touch();
  }

  private _upsert(member: Member): void {
    this._members.set(member.id, member);
    if (member.id === this._me?.id) this._me = member;
    this._touch();
  }

  private _flash(id: string): void {
    this._flashed.add(id);
    clearTimeout(this._flashTimers.get(id));
    this._flashTimers.set(
      id,
      setTimeout(() => {
        this._flashTimers.delete(id);
        this._flashed.delete(id);
        this._touch();
      }, FLASH_MS),
    );
  }

  /** Screen-reader announcements are batched: one polite message a second at most. */
  private _announce(text: string): void {
    this._announceQueue.push(text);
    if (this._announceTimer) return;
    this._announceTimer = setTimeout(() => {
      this._announceTimer = undefined;
      const items = this._announceQueue.splice(0);
      const text =
        items.length > 5
          ? `${items.slice(0, 5).join('. ')}. ${this._t.more(items.length - 5)}.`
          : items.join('. ');
      const region = this.renderRoot.querySelector('[data-live]');
      if (region) region.textContent = text;
    }, ANNOUNCE_EVERY_MS);
  }

  private _showToast(message: string): void {
    clearTimeout(this._toastTimer);
    const id = (this._toast?.id ?? 0) + 1;
    this._toast = { message, id };
    const ms = Number.isFinite(this.toastDuration) && this.toastDuration >= 0 ? this.toastDuration : 5000;
    this._toastTimer = setTimeout(() => {
      if (this._toast?.id === id) this._dismissToast();
    }, ms);
  }

  private _dismissToast(): void {
    clearTimeout(this._toastTimer);
    // Focus was on the dismiss button: keep it in the panel rather than dropping it to <body>.
    const hadFocus = this.renderRoot
      .querySelector('[part~="toast"]')
      ?.contains((this.renderRoot as ShadowRoot).activeElement);
    this._toast = null;
    if (hadFocus) {
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>('[part~="me"] [part~="status"], input, button')?.focus(),
      );
    }
  }

  // ---- user actions ----

  private async _onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this._busy) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    this._busy = true;
    this._fieldErrors = {};
    this._error = '';
    const generation = this._generation;
    try {
      const { user } = await call<{ user: Member }>(`${this._base}/register`, {
        method: 'POST',
        body: { username: String(data.get('username') ?? ''), status: String(data.get('status') ?? '') },
        signal: this._abort?.signal,
      });
      if (generation !== this._generation) return;
      form.reset();
      this._signedIn(user);
    } catch (err) {
      if (generation !== this._generation) return;
      const e = toApiError(err);
      if (e.field === 'username' || e.field === 'status') this._fieldErrors = { [e.field]: e.message };
      else this._error = e.message || this._t.genericError;
      this.dispatchEvent(new WhatsupErrorEvent(e.code, e.message));
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    } finally {
      this._busy = false;
    }
  }

  private async _startEditing(): Promise<void> {
    if (this._editing) return;
    this._draft = this.me?.status ?? '';
    this._statusError = '';
    this._editing = true;
    await this.updateComplete;
    const input = this.renderRoot.querySelector<HTMLInputElement>('[part~="status-editor"]');
    input?.focus();
    input?.select();
  }

  /** Enter saves and Escape cancels (focus back on my status); blur saves and leaves focus where it went. */
  private async _finishEditing(save: boolean, refocus: boolean): Promise<void> {
    if (!this._editing) return;
    this._editing = false;
    const text = this._draft.trim();
    await this.updateComplete;
    if (refocus) this.renderRoot.querySelector<HTMLElement>('[part~="me"] [part~="status"]')?.focus();
    if (save && text !== (this.me?.status ?? '')) await this.setStatus(text);
  }

  private _onEditorKey(event: KeyboardEvent): void {
    if (event.isComposing) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      void this._finishEditing(true, true);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      void this._finishEditing(false, true);
    }
  }

  private _onStatusKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      void this._startEditing();
    }
  }

  // ---- rendering ----

  private get _locale(): string {
    return this.closest('[lang]')?.getAttribute('lang') || navigator.language || 'en';
  }

  private get _relativeFormat(): Intl.RelativeTimeFormat {
    const locale = this._locale;
    if (this._format?.locale !== locale) {
      let format: Intl.RelativeTimeFormat;
      try {
        format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
      } catch {
        format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' }); // a malformed lang tag
      }
      this._format = { locale, format };
    }
    return this._format.format;
  }

  override render(): TemplateResult {
    const t = this._t;
    return html`
      <div class="panel">
        ${this._renderBody()}
        ${
          this._toast
            ? html`<div part="toast" class="toast" role="status" aria-label=${t.announcementLabel}>
                <span class="toast-text">${this._toast.message}</span>
                <button type="button" class="icon" aria-label=${t.dismiss} @click=${this._dismissToast}>
                  <span aria-hidden="true">×</span>
                </button>
              </div>`
            : nothing
        }
        <div class="sr-only" aria-live="polite" data-live></div>
      </div>
    `;
  }

  private _renderBody(): TemplateResult {
    const t = this._t;
    switch (this.state) {
      case 'loading':
        return html`<p class="loading" role="status">${t.loading}</p>`;
      case 'error':
        return html`<p part="error" class="error" role="alert">${this._error}</p>`;
      case 'identify-required':
        return html`<p part="hint" class="hint">${t.identifyRequired}</p>`;
      case 'signed-out':
        return this._renderForm();
      case 'signed-in':
        return html`${this._renderConnection()}${this._renderMe()}${this._renderList()}
        ${this._error ? html`<p part="error" class="error" role="alert">${this._error}</p>` : nothing}`;
    }
  }

  private _renderForm(): TemplateResult {
    const t = this._t;
    const limits = this._config.limits ?? {};
    const nameError = this._fieldErrors['username'];
    const statusError = this._fieldErrors['status'];
    return html`
      <form part="form" class="form" @submit=${this._onSubmit} novalidate aria-labelledby="form-title">
        <h2 class="title" id="form-title">${t.signUpTitle}</h2>
        <label for="name">${t.nameLabel}</label>
        <input
          id="name"
          name="username"
          autocomplete="nickname"
          required
          maxlength=${limits.name ?? 32}
          aria-invalid=${nameError ? 'true' : 'false'}
          aria-describedby=${nameError ? 'name-error' : nothing}
        />
        ${nameError ? html`<p id="name-error" class="field-error">${nameError}</p>` : nothing}
        <label for="status">${t.statusLabel}</label>
        <textarea
          id="status"
          name="status"
          rows="2"
          maxlength=${limits.status ?? 280}
          placeholder=${t.statusPlaceholder}
          aria-invalid=${statusError ? 'true' : 'false'}
          aria-describedby=${statusError ? 'status-error' : nothing}
        ></textarea>
        ${statusError ? html`<p id="status-error" class="field-error">${statusError}</p>` : nothing}
        ${this._error ? html`<p part="error" class="error" role="alert">${this._error}</p>` : nothing}
        <button type="submit" class="primary" ?disabled=${this._busy}>
          ${this._busy ? t.joining : t.join}
        </button>
      </form>
    `;
  }

  private _renderConnection(): TemplateResult | typeof nothing {
    const s = this.connectionState;
    // Before the first connection the list itself says "loading"; afterwards, say what is going on.
    if (!this._everConnected || s === 'connected' || s === 'disconnected') return nothing;
    const text = s === 'unavailable' || s === 'failed' ? this._t.offline : this._t.reconnecting;
    return html`<p part="connection" class="connection" role="status">${text}</p>`;
  }

  private _renderMe(): TemplateResult | typeof nothing {
    const me = this.me;
    if (!me) return nothing;
    const t = this._t;
    const max = this._config.limits?.status ?? 280;
    const length = [...this._draft].length;
    return html`
      <section part="me" class="me" aria-label=${t.meLabel}>
        ${renderAvatar(me)}
        <div class="who">
          <span part="name" class="name">${me.name}</span>
          ${
            this._editing
              ? html`<span class="editor">
                  <input
                    part="status-editor"
                    aria-label=${t.statusLabel}
                    aria-describedby="counter editor-hint"
                    maxlength=${max}
                    .value=${this._draft}
                    @input=${(e: Event) => (this._draft = (e.target as HTMLInputElement).value)}
                    @keydown=${this._onEditorKey}
                    @blur=${() => this._finishEditing(true, false)}
                  />
                  <span part="counter" id="counter" class=${length > max ? 'counter over' : 'counter'}
                    >${t.counter(length, max)}</span
                  >
                  <span id="editor-hint" class="sr-only">${t.editorHint}</span>
                </span>`
              : html`<span
                  part="status"
                  class=${me.status ? 'status editable' : 'status editable empty'}
                  role="button"
                  tabindex="0"
                  title=${t.editStatusHint}
                  aria-label=${`${t.statusLabel}: ${me.status || t.emptyStatus}. ${t.editStatusHint}`}
                  @click=${this._startEditing}
                  @keydown=${this._onStatusKey}
                  >${me.status || t.emptyStatus}</span
                >`
          }
          ${this._statusError ? html`<span class="field-error" role="alert">${this._statusError}</span>` : nothing}
        </div>
        <button part="sign-out" type="button" class="secondary" @click=${() => this.signOut()}>
          ${t.signOut}
        </button>
      </section>
    `;
  }

  private _renderList(): TemplateResult {
    const t = this._t;
    const members = this.members;
    const format = this._relativeFormat;
    const flashed = this._flashed;
    return html`
      <h3 class="list-title" id="list-title">
        ${t.membersLabel} <span class="count">(${t.online(members.length)})</span>
      </h3>
      <ul part="list" class="list" aria-labelledby="list-title">
        ${repeat(
          members,
          (m) => m.id,
          (m) => renderMemberRow(m, flashed.has(m.id), format, t.updated),
        )}
      </ul>
      ${members.length <= 1 ? html`<p part="hint" class="hint">${t.nobodyElse}</p>` : nothing}
    `;
  }
}

interface PusherConnectionError {
  type?: string;
  data?: { code?: number; message?: string };
  error?: { data?: { code?: number; message?: string } };
}

function byNameThenId(a: Member, b: Member): number {
  return a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
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

/** A member from presence `user_info` (authorization-time status; updatedAt 0 = not known yet). */
function fromPresence(id: unknown, info: unknown): Member {
  const i = (info ?? {}) as Record<string, unknown>;
  return {
    id: String(id),
    name: typeof i['name'] === 'string' ? i['name'] : String(id),
    status: typeof i['status'] === 'string' ? i['status'] : '',
    updatedAt: typeof i['updatedAt'] === 'number' ? i['updatedAt'] : 0,
    ...(typeof i['avatar'] === 'string' ? { avatar: i['avatar'] } : {}),
  };
}

/** A member from a server record (`status-updated`, GET /members, /register…), or null if malformed. */
function fromRecord(data: unknown): Member | null {
  const d = data as Record<string, unknown> | null;
  if (!d || typeof d !== 'object' || typeof d['id'] !== 'string') return null;
  return {
    id: d['id'],
    name: typeof d['name'] === 'string' ? d['name'] : d['id'],
    status: typeof d['status'] === 'string' ? d['status'] : '',
    updatedAt: typeof d['updatedAt'] === 'number' ? d['updatedAt'] : Date.now(),
    ...(typeof d['avatar'] === 'string' ? { avatar: d['avatar'] } : {}),
  };
}

// A page may load both the module and the one-file bundle: register once.
if (!customElements.get('whatsup-presence')) customElements.define('whatsup-presence', WhatsupPresence);

declare global {
  interface HTMLElementTagNameMap {
    'whatsup-presence': WhatsupPresence;
  }
}
