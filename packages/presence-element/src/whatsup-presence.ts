import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import Pusher, { type Members, type PresenceChannel } from 'pusher-js';
import { styles } from './whatsup-presence.styles.js';
import { ApiError, apiBaseFrom, call } from './api.js';
import { hue, initials } from './avatar.js';
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

const CONFIG_ATTRIBUTES = [
  'authEndpoint',
  'channel',
  'apiBase',
  'key',
  'cluster',
  'wsHost',
  'wsPort',
  'forceTls',
];
const FLASH_MS = 1600;

/**
 * A live "who's online, and what are they up to" panel.
 *
 * @fires whatsup-signed-in - the visitor signed in, or was found signed in on load
 * @fires whatsup-signed-out - the visitor signed out (here or in another tab) or the session expired
 * @fires whatsup-member-joined - someone came online
 * @fires whatsup-member-left - someone's last tab went away
 * @fires whatsup-status-changed - a member's status changed
 * @fires whatsup-announcement - the server pushed an announcement (shown as a toast)
 * @fires whatsup-connection-change - the realtime connection changed state
 * @fires whatsup-error - bad configuration, a refused request or a failed subscription
 * @csspart form - the sign-up form
 * @csspart me - the card with my name, status editor and sign-out button
 * @csspart status - a status text (mine is a button that starts editing)
 * @csspart status-editor - the input that edits my status
 * @csspart sign-out - the sign-out button
 * @csspart list - the members list
 * @csspart member - one row of the list
 * @csspart avatar - a member's picture or initials
 * @csspart name - a member's name
 * @csspart time - "updated 3 min ago"
 * @csspart toast - an announcement
 * @csspart connection - "Reconnecting…"
 * @csspart error - a configuration or request error
 * @cssprop --whatsup-font - font family (default: inherit)
 * @cssprop --whatsup-bg - panel background
 * @cssprop --whatsup-fg - text colour
 * @cssprop --whatsup-muted - secondary text colour
 * @cssprop --whatsup-border - border colour
 * @cssprop --whatsup-accent - buttons, focus rings and highlights
 * @cssprop --whatsup-accent-fg - text on the accent colour
 * @cssprop --whatsup-highlight - background of a row whose status just changed
 * @cssprop --whatsup-radius - corner radius
 * @cssprop --whatsup-avatar-size - avatar diameter
 */
export class WhatsupPresence extends LitElement {
  static override styles = styles;

  /** The middleware's channel authorization route, e.g. `/whatsup/usersystem/auth`. */
  @property({ attribute: 'auth-endpoint' }) authEndpoint = '';
  /** The presence channel to show, e.g. `presence-whatsup-members`. */
  @property() channel = '';
  /** Where the other routes live; default: beside the auth endpoint. */
  @property({ attribute: 'api-base' }) apiBase = '';
  /** Pusher app key; default from GET /config. */
  @property() key = '';
  /** Pusher cluster; default from GET /config. */
  @property() cluster = '';
  /** WebSocket host; default from GET /config, else the page's host. */
  @property({ attribute: 'ws-host' }) wsHost = '';
  /** WebSocket port; default from GET /config, else the page's port. */
  @property({ attribute: 'ws-port' }) wsPort = '';
  /** Use wss://; always on an https page, otherwise from GET /config. */
  @property({ attribute: 'force-tls', type: Boolean }) forceTls = false;
  /** How long an announcement stays, in milliseconds. */
  @property({ attribute: 'toast-duration', type: Number }) toastDuration = 5000;
  /** Every visible string can be replaced here. */
  @property({ attribute: false }) messages: Partial<Messages> = {};

  /** Loading, signed out, signed in… */
  @state() state: PanelState = 'loading';
  /** The pusher-js connection state (`initialized`, `connecting`, `connected`, `unavailable`, `disconnected`). */
  @state() connectionState = 'initialized';
  @state() private _me: Member | null = null;
  @state() private _members = new Map<string, Member>();
  @state() private _error = '';
  @state() private _fieldErrors: Record<string, string> = {};
  @state() private _busy = false;
  @state() private _editing = false;
  @state() private _draft = '';
  @state() private _statusError = '';
  @state() private _toast: { message: string; key: number } | null = null;
  @state() private _flashed = new Set<string>();
  @state() private _everConnected = false;

  private _config: ServerConfig = {};
  private _pusher: Pusher | null = null;
  private _generation = 0;
  private _restartQueued = false;
  private _announceQueue: string[] = [];
  private _announceTimer: ReturnType<typeof setTimeout> | undefined;
  private _toastTimer: ReturnType<typeof setTimeout> | undefined;
  private _clock: ReturnType<typeof setInterval> | undefined;
  private _liveText = '';

  /** Everyone online, me first. */
  get members(): readonly Member[] {
    const me = this._me;
    const others = [...this._members.values()]
      .filter((m) => m.id !== me?.id)
      .sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const mine = me ? (this._members.get(me.id) ?? me) : null;
    return mine ? [mine, ...others] : others;
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
    this._clock = setInterval(() => this.requestUpdate(), 30_000);
    this._queueRestart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this._clock);
    clearTimeout(this._toastTimer);
    clearTimeout(this._announceTimer);
    this._teardown();
    this._generation++;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.hasUpdated && CONFIG_ATTRIBUTES.some((name) => changed.has(name as keyof WhatsupPresence))) {
      this._queueRestart();
    }
  }

  /** Saves my status through POST /status; shows it at once and rolls back if the server refuses it. */
  async setStatus(text: string): Promise<void> {
    const me = this.me;
    if (!me) throw new Error('whatsup: not signed in');
    const previous = me.status;
    this._upsert({ ...me, status: text, updatedAt: Date.now() });
    this._statusError = '';
    try {
      const { user } = await call<{ user: Member }>(`${this._base}/status`, {
        method: 'POST',
        body: { status: text },
      });
      const changed = user.status !== previous;
      this._upsert(user);
      if (changed) this.dispatchEvent(new WhatsupStatusChangedEvent(user, previous));
    } catch (err) {
      this._upsert({ ...me, status: previous });
      const e = err as ApiError;
      if (e.status === 401) return this._signedOut('expired');
      this._statusError = `${this._t.statusRefused} ${e.message}`;
      this.dispatchEvent(new WhatsupErrorEvent(e.code ?? 'status.failed', e.message));
    }
  }

  /** Ends the session (POST /logout); my other tabs return to the form too. */
  async signOut(): Promise<void> {
    // Leave first, so the server's `signed-out` (meant for my other tabs) does not come back here.
    this._teardown();
    try {
      await call(`${this._base}/logout`, { method: 'POST' });
    } catch (err) {
      this.dispatchEvent(
        new WhatsupErrorEvent((err as ApiError).code ?? 'logout.failed', (err as Error).message),
      );
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
    this._error = '';
    this.state = 'loading';
    const problem = this._configProblem();
    if (problem) return this._fail('config.invalid', problem);
    try {
      this._config = await call<ServerConfig>(`${this._base}/config`);
    } catch (err) {
      if (!this.key)
        return this._fail('config.unreachable', `${this._t.configUnreachable} (${(err as Error).message})`);
      this._config = {};
    }
    if (generation !== this._generation) return;
    if (!this.key && !this._config.key) return this._fail('config.invalid', this._t.configUnreachable);
    try {
      const session = await call<{ authenticated: boolean; user?: Member }>(`${this._base}/isLoggedIn`);
      if (generation !== this._generation) return;
      if (session.authenticated && session.user) this._signedIn(session.user);
      else this.state = this._config.mode === 'identify' ? 'identify-required' : 'signed-out';
    } catch (err) {
      if (generation === this._generation)
        this._fail((err as ApiError).code ?? 'network', (err as Error).message);
    }
  }

  private _configProblem(): string {
    if (!this.authEndpoint || !this.channel) return this._t.configMissing;
    if (!this.channel.startsWith('presence-')) return this._t.configChannel(this.channel);
    if (this.wsPort && !/^\d{1,5}$/.test(this.wsPort)) return this._t.configPort(this.wsPort);
    return '';
  }

  private _fail(code: string, message: string): void {
    this.state = 'error';
    this._error = message;
    this.dispatchEvent(new WhatsupErrorEvent(code, message));
  }

  private _signedIn(user: Member): void {
    this._me = user;
    this._members = new Map([[user.id, user]]);
    this.state = 'signed-in';
    this.dispatchEvent(new WhatsupSignedInEvent(user));
    this._connect();
  }

  private _signedOut(reason: 'user' | 'other-tab' | 'expired'): void {
    this._teardown();
    this._me = null;
    this._members = new Map();
    this._editing = false;
    this.state = this._config.mode === 'identify' ? 'identify-required' : 'signed-out';
    this.dispatchEvent(new WhatsupSignedOutEvent(reason));
  }

  private _teardown(): void {
    const pusher = this._pusher;
    this._pusher = null;
    this._everConnected = false;
    pusher?.disconnect();
  }

  private _connect(): void {
    const c = this._config;
    // An https page may only open wss:// (mixed content), whatever the server's default says.
    const tls = this.hasAttribute('force-tls')
      ? this.forceTls
      : location.protocol === 'https:' || (c.forceTLS ?? false);
    const pagePort = Number(location.port) || (location.protocol === 'https:' ? 443 : 80);
    const port = this.wsPort ? Number(this.wsPort) : (c.wsPort ?? (c.wsHost ? undefined : pagePort));
    const host =
      this.wsHost || c.wsHost || (c.cluster === 'local' || !c.cluster ? location.hostname : undefined);
    const pusher = new Pusher(this.key || c.key!, {
      cluster: this.cluster || c.cluster || 'mt1',
      forceTLS: tls,
      ...(host ? { wsHost: host } : {}),
      ...(port ? { wsPort: port, wssPort: c.wssPort ?? port } : {}),
      ...(c.wsPath ? { wsPath: c.wsPath } : {}),
      ...(host ? { enabledTransports: (c.enabledTransports ?? ['ws', 'wss']) as ('ws' | 'wss')[] } : {}),
      channelAuthorization: { endpoint: this.authEndpoint, transport: 'ajax' },
    });
    this._pusher = pusher;
    pusher.connection.bind('state_change', ({ previous, current }: { previous: string; current: string }) => {
      if (this._pusher !== pusher) return;
      this.connectionState = current;
      if (current === 'connected') this._everConnected = true;
      this.dispatchEvent(new WhatsupConnectionChangeEvent(previous, current));
    });
    const channel = pusher.subscribe(this.channel) as PresenceChannel;
    channel.bind('pusher:subscription_succeeded', (members: Members) => {
      const next = new Map<string, Member>();
      members.each((m: { id: string; info: Partial<Member> }) =>
        next.set(String(m.id), this._fromInfo(m.id, m.info)),
      );
      this._members = next;
      void this._refreshStatuses();
    });
    channel.bind('pusher:subscription_error', (error: { status?: number; error?: string }) => {
      if (error?.status === 401) return this._signedOut('expired');
      this.dispatchEvent(
        new WhatsupErrorEvent('subscription.failed', error?.error ?? this._t.subscriptionFailed),
      );
      this._error = this._t.subscriptionFailed;
    });
    channel.bind('pusher:member_added', (m: { id: string; info: Partial<Member> }) => {
      const member = this._fromInfo(m.id, m.info);
      this._upsert(member);
      this._announce(this._t.joined(member.name));
      this.dispatchEvent(new WhatsupMemberJoinedEvent(member));
    });
    channel.bind('pusher:member_removed', (m: { id: string }) => {
      const member = this._members.get(String(m.id));
      if (!member) return;
      const next = new Map(this._members);
      next.delete(member.id);
      this._members = next;
      this._announce(this._t.left(member.name));
      this.dispatchEvent(new WhatsupMemberLeftEvent(member));
    });
    channel.bind('status-updated', (data: Member) => {
      if (!data || typeof data.id !== 'string') return;
      const previous = this._members.get(data.id);
      if (!previous && data.id !== this._me?.id) return;
      if (previous && previous.status === data.status && previous.updatedAt >= data.updatedAt) return;
      this._upsert({ ...previous, ...data });
      this._flash(data.id);
      if (data.id !== this._me?.id) {
        this._announce(this._t.statusChanged(data.name, data.status));
        this.dispatchEvent(new WhatsupStatusChangedEvent(data, previous?.status ?? ''));
      }
    });
    channel.bind('signed-out', (data: { id?: string }) => {
      if (data?.id && data.id === this._me?.id) this._signedOut('other-tab');
    });
    channel.bind('announcement', (data: { message?: string; sentAt?: number }) => {
      if (typeof data?.message !== 'string') return;
      this._showToast(data.message);
      this.dispatchEvent(new WhatsupAnnouncementEvent(data.message, data.sentAt ?? Date.now()));
    });
  }

  /** Late joiners see current statuses: presence info is from sign-in time, GET /members is now. */
  private async _refreshStatuses(): Promise<void> {
    const pusher = this._pusher;
    try {
      const { members } = await call<{ members: Member[] }>(`${this._base}/members`);
      if (this._pusher !== pusher) return;
      const next = new Map(this._members);
      for (const m of members) {
        const present = next.get(m.id);
        if (present && m.updatedAt >= present.updatedAt) next.set(m.id, { ...present, ...m });
      }
      this._members = next;
    } catch (err) {
      if ((err as ApiError).status === 401) this._signedOut('expired');
    }
  }

  private _fromInfo(id: string, info: Partial<Member> | undefined): Member {
    return {
      id: String(id),
      name: String(info?.name ?? id),
      status: String(info?.status ?? ''),
      // 0 = unknown until GET /members answers: presence info is from sign-in time.
      updatedAt: Number(info?.updatedAt ?? 0),
      ...(typeof info?.avatar === 'string' ? { avatar: info.avatar } : {}),
    };
  }

  private _upsert(member: Member): void {
    const next = new Map(this._members);
    next.set(member.id, member);
    this._members = next;
    if (member.id === this._me?.id) this._me = member;
  }

  private _flash(id: string): void {
    this._flashed = new Set(this._flashed).add(id);
    setTimeout(() => {
      const next = new Set(this._flashed);
      next.delete(id);
      this._flashed = next;
    }, FLASH_MS);
  }

  /** Screen-reader announcements are batched: one polite message a second at most. */
  private _announce(text: string): void {
    this._announceQueue.push(text);
    if (this._announceTimer) return;
    this._announceTimer = setTimeout(() => {
      this._announceTimer = undefined;
      const region = this.renderRoot.querySelector('[data-live]');
      const items = this._announceQueue.splice(0);
      this._liveText =
        items.length > 5 ? `${items.slice(0, 5).join('. ')}… (+${items.length - 5})` : items.join('. ');
      if (region) region.textContent = this._liveText;
    }, 1000);
  }

  private _showToast(message: string): void {
    clearTimeout(this._toastTimer);
    this._toast = { message, key: Date.now() };
    this._toastTimer = setTimeout(() => (this._toast = null), this.toastDuration);
  }

  // ---- user actions ----

  private async _onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    this._busy = true;
    this._fieldErrors = {};
    this._error = '';
    try {
      const { user } = await call<{ user: Member }>(`${this._base}/register`, {
        method: 'POST',
        body: { username: String(data.get('username') ?? ''), status: String(data.get('status') ?? '') },
      });
      form.reset();
      this._signedIn(user);
    } catch (err) {
      const e = err as ApiError;
      if (e.field) this._fieldErrors = { [e.field]: e.message };
      else this._error = e.message || this._t.genericError;
      this.dispatchEvent(new WhatsupErrorEvent(e.code ?? 'register.failed', e.message));
      await this.updateComplete;
      const invalid = this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]');
      invalid?.focus();
    } finally {
      this._busy = false;
    }
  }

  private async _startEditing(): Promise<void> {
    this._draft = this.me?.status ?? '';
    this._statusError = '';
    this._editing = true;
    await this.updateComplete;
    const input = this.renderRoot.querySelector<HTMLInputElement>('[part~="status-editor"]');
    input?.focus();
    input?.select();
  }

  private async _finishEditing(save: boolean): Promise<void> {
    if (!this._editing) return;
    this._editing = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[part~="me"] [part~="status"]')?.focus();
    const text = this._draft.trim();
    if (save && text !== (this.me?.status ?? '')) await this.setStatus(text);
  }

  private _onEditorKey(event: KeyboardEvent): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      void this._finishEditing(true);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      void this._finishEditing(false);
    }
  }

  private _onStatusKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      void this._startEditing();
    }
  }

  // ---- rendering ----

  override render(): TemplateResult {
    const t = this._t;
    return html`
      <div class="panel">
        ${this._renderBody()}
        ${
          this._toast
            ? html`<div part="toast" class="toast" role="status">
                <span class="toast-text">${this._toast.message}</span>
                <button
                  type="button"
                  class="icon"
                  aria-label=${t.dismiss}
                  @click=${() => (this._toast = null)}
                >
                  ×
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
        return html`<p class="hint">${t.identifyRequired}</p>`;
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
      <form part="form" class="form" @submit=${this._onSubmit} novalidate>
        <h2 class="title">${t.signUpTitle}</h2>
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
    if (!this._everConnected || s === 'connected') return nothing;
    const text = s === 'unavailable' || s === 'failed' ? this._t.offline : this._t.reconnecting;
    return html`<p part="connection" class="connection" role="status">${text}</p>`;
  }

  private _renderMe(): TemplateResult | typeof nothing {
    const me = this.me;
    if (!me) return nothing;
    const t = this._t;
    const max = this._config.limits?.status ?? 280;
    return html`
      <section part="me" class="me" aria-label=${t.meLabel}>
        ${this._renderAvatar(me)}
        <div class="who">
          <span part="name" class="name">${me.name}</span>
          ${
            this._editing
              ? html`<span class="editor">
                  <input
                    part="status-editor"
                    aria-label=${t.statusLabel}
                    aria-describedby="counter"
                    maxlength=${max}
                    .value=${this._draft}
                    @input=${(e: Event) => (this._draft = (e.target as HTMLInputElement).value)}
                    @keydown=${this._onEditorKey}
                    @blur=${() => this._finishEditing(true)}
                  />
                  <span id="counter" class="counter">${[...this._draft].length}/${max}</span>
                </span>`
              : html`<span
                  part="status"
                  class="status editable ${me.status ? '' : 'empty'}"
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
    const format = new Intl.RelativeTimeFormat(this.lang || document.documentElement.lang || undefined, {
      numeric: 'auto',
    });
    return html`
      <h3 class="list-title" id="list-title">
        ${t.membersLabel} <span class="count">(${t.online(members.length)})</span>
      </h3>
      <ul part="list" class="list" aria-labelledby="list-title">
        ${repeat(
          members,
          (m) => m.id,
          (m) => html`
            <li part="member" class="member ${this._flashed.has(m.id) ? 'flash' : ''}" data-id=${m.id}>
              ${this._renderAvatar(m)}
              <div class="who">
                <span part="name" class="name">${m.name}</span>
                <span part="status" class="status">${m.status}</span>
                ${m.updatedAt ? html`<span part="time" class="time">${relative(format, m.updatedAt)}</span>` : nothing}
              </div>
            </li>
          `,
        )}
      </ul>
      ${members.length <= 1 ? html`<p class="hint">${t.nobodyElse}</p>` : nothing}
    `;
  }

  private _renderAvatar(m: Member): TemplateResult {
    if (m.avatar && /^(https?:|\/|data:image\/)/i.test(m.avatar)) {
      return html`<img part="avatar" class="avatar" src=${m.avatar} alt="" loading="lazy" />`;
    }
    return html`<span
      part="avatar"
      class="avatar"
      aria-hidden="true"
      style=${styleMap({ '--hue': String(hue(m.id)) })}
      >${initials(m.name)}</span
    >`;
  }
}

function relative(format: Intl.RelativeTimeFormat, at: number): string {
  const seconds = Math.round((at - Date.now()) / 1000);
  if (Math.abs(seconds) < 45) return format.format(0, 'second');
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return format.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return format.format(hours, 'hour');
  return format.format(Math.round(hours / 24), 'day');
}

// A page may load both the module and the one-file bundle: register once.
if (!customElements.get('whatsup-presence')) customElements.define('whatsup-presence', WhatsupPresence);

declare global {
  interface HTMLElementTagNameMap {
    'whatsup-presence': WhatsupPresence;
  }
}
