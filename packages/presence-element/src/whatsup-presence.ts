import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { styles } from './whatsup-presence.styles.js';
import { PresenceController, type PresenceOptions } from './presence-controller.js';
import { defaultMessages, type Messages } from './messages.js';
import { isRtl, langOf, packFor, packsVersion, pluralOf } from './localize.js';
import type { Availability, ClearAfter, Member, PanelState, StatusChange } from './types.js';
import { renderAvatar } from './views/avatar.js';
import { presenceOf, renderPresence, renderRow, renderTime } from './views/member-row.js';
import { renderRecent } from './views/recent.js';
import { renderForm } from './views/sign-up-form.js';
import { renderStatusEditor, statusText, type EditorState } from './views/status-editor.js';
import { renderToasts, type Toast } from './views/toast.js';

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
];
const FLASH_MS = 1600;
const ANNOUNCE_EVERY_MS = 1000;
const CLOCK_MS = 30_000;
const MAX_TOASTS = 3;
/** Above this many others the list renders only the rows in view (plus OVERSCAN each side) and offers a filter. */
const WINDOW_AT = 100;
const OVERSCAN = 10;

/** One clock for every panel on the page: relative times move on together, one timer in all. */
const clockListeners = new Set<() => void>();
let clock: ReturnType<typeof setInterval> | undefined;
function onTick(listener: () => void): () => void {
  clockListeners.add(listener);
  clock ??= setInterval(() => clockListeners.forEach((l) => l()), CLOCK_MS);
  return () => {
    clockListeners.delete(listener);
    if (!clockListeners.size) clock = clearInterval(clock) as undefined;
  };
}

/**
 * A live "who's online, and what are they up to" panel: a view over `PresenceController`.
 *
 * @fires whatsup-signed-in - the visitor signed in, or was found signed in on load
 * @fires whatsup-signed-out - the visitor signed out (here or in another tab) or the session expired
 * @fires whatsup-member-joined - someone came online
 * @fires whatsup-member-left - someone's last tab went away
 * @fires whatsup-status-changed - a member's status changed (mine once the server has it)
 * @fires whatsup-announcement - the server pushed an announcement (shown as a toast)
 * @fires whatsup-connection-change - the realtime connection changed state
 * @fires whatsup-activity-changed - a member's activity (away) or availability (dnd, invisible) changed
 * @fires whatsup-error - bad configuration, a refused request or connection, a failed subscription
 * @csspart form - the sign-up form
 * @csspart notice - "your session ended — join again"
 * @csspart me - my row (first in the list), with my editable status
 * @csspart status - a status text (mine starts editing; the others' expand)
 * @csspart status-panel - the status editor: a dialog over my row
 * @csspart status-editor - the input that edits my status text
 * @csspart counter - the length counter beside the status editor
 * @csspart emoji - the emoji field of the status editor (type one, or pick)
 * @csspart emoji-button - the button opening the emoji picker
 * @csspart picker - the emoji picker (a listbox, one row per group)
 * @csspart preset - one of the site's preset statuses (a chip)
 * @csspart clear-after - "Clear after" (30 min … don't clear)
 * @csspart availability - Automatic / Do not disturb / Invisible (applied at once)
 * @csspart availability-label - "Do not disturb" or "Invisible" on my row
 * @csspart sign-out - the sign-out button (or the `logout-url` link)
 * @csspart list - the members list
 * @csspart member - one row of the list
 * @csspart avatar - a member's picture or initials
 * @csspart name - a member's name
 * @csspart time - when the status was set ("5 min. ago")
 * @csspart toasts - the top-layer box holding the announcements
 * @csspart toast - an announcement
 * @csspart stack - the avatar-stack button (`variant="stack"`)
 * @csspart popover - the full list opened from the stack
 * @csspart connection - "Reconnecting…"
 * @csspart error - a configuration or request error
 * @csspart hint - "sign in on this site" (identify mode) and "nobody else is here yet"
 * @csspart presence - "Away since 14:05", "Do not disturb", "Left just now"… beside a name
 * @csspart recent - the collapsed "Recently here" section (`show-recent`)
 * @csspart filter - the Find a person box above the list of a large room (over 100 people)
 * @cssprop --whatsup-font - font family (default: the system UI font)
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
 * @cssprop --whatsup-max-width - the panel's widest (default 28rem)
 * @cssprop --whatsup-list-height - how tall the list of a large room scrolls (default 24rem)
 */
export class WhatsupPresence extends LitElement {
  /** This copy's version: `define()` names both when a second copy meets the tag taken. */
  static readonly version = '0.1.0'; // = package.json's (test-support/size.test.mjs checks)
  static override styles = styles;
  static override properties = {
    authEndpoint: { attribute: 'auth-endpoint' },
    channel: {},
    apiBase: { attribute: 'api-base' },
    key: {},
    cluster: {},
    wsHost: { attribute: 'ws-host' },
    wsPort: { attribute: 'ws-port' },
    forceTls: { attribute: 'force-tls', type: Boolean },
    toastDuration: { attribute: 'toast-duration', type: Number },
    variant: { reflect: true },
    maxVisible: { attribute: 'max-visible', type: Number },
    logoutUrl: { attribute: 'logout-url' },
    idleAfter: { attribute: 'idle-after', type: Number },
    leaveGrace: { attribute: 'leave-grace', type: Number },
    showRecent: { attribute: 'show-recent', type: Boolean },
    messages: { attribute: false },
    _editing: { state: true },
    _draft: { state: true },
    _emoji: { state: true },
    _clear: { state: true },
    _picker: { state: true },
    _errField: { state: true },
    _busy: { state: true },
    _fieldErrors: { state: true },
    _formError: { state: true },
    _toasts: { state: true },
    _filter: { state: true },
  };

  /** The middleware's channel authorization route, e.g. `/whatsup/usersystem/auth`. */
  authEndpoint = '';
  /** The presence channel to show, e.g. `presence-whatsup-members`. */
  channel = '';
  /** Where the other routes live; default: beside the auth endpoint (`/whatsup/usersystem/auth` → `/whatsup`). */
  apiBase = '';
  /** Pusher app key; default from GET /config. */
  key = '';
  /** Pusher Channels cluster (e.g. `eu`); given without `ws-host`, it points the connection at Pusher Channels. */
  cluster = '';
  /** WebSocket host; default from GET /config, else the page's host. */
  wsHost = '';
  /** WebSocket port; default from GET /config, else the page's port. */
  wsPort = '';
  /** Always use wss:// (an https page always does). */
  forceTls = false;
  /** How long an announcement stays, in milliseconds (the timer pauses while hovered or focused). */
  toastDuration = 5000;
  /** `list` (default), `compact` (one line per person) or `stack` (overlapping avatars opening the list). */
  variant: 'list' | 'compact' | 'stack' = 'list';
  /** How many avatars the stack shows before "+N". */
  maxVisible = 4;
  /** In identify mode: where the site signs people out (a Sign out link); none by default. */
  logoutUrl = '';
  /** Seconds without input, or with every tab of mine hidden, before I show as away. */
  idleAfter = 300;
  /** Seconds a member who left stays greyed as "left just now" (a reload within it is no leave and no join). */
  leaveGrace = 30;
  /** Show a collapsed "Recently here" section with who left lately ("left 5 min ago"). */
  showRecent = false;
  /** Every visible string can be replaced here (see `defaultMessages`). */
  messages: Partial<Messages> = {};

  /** The headless part: connection, session, members and events. Build your own UI on it. */
  readonly controller = new PresenceController(
    this,
    (): PresenceOptions => this,
    () => this._t,
  );

  private _editing = false;
  private _draft = '';
  private _emoji = '';
  private _clear: ClearAfter = 'never';
  private _picker = false;
  /** The field my last refused change was about (from the error code: `emoji.invalid` → emoji). */
  private _errField = '';
  private _busy = false;
  private _fieldErrors: Record<string, string> = {};
  private _formError = '';
  private _toasts: readonly Toast[] = [];
  private _toastQueue: Toast[] = [];
  private _toastId = 0;
  private _toastTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private _held = false;
  private _expanded = new Set<string>();
  private _flashed = new Map<string, ReturnType<typeof setTimeout>>();
  private _tick = 0;
  private _untick: (() => void) | null = null;
  private _announceQueue: string[] = [];
  private _announceTimer: ReturnType<typeof setTimeout> | undefined;
  private _tCache: { from: Partial<Messages>; lang: string; packs: number; t: Messages } | null = null;
  private _members: { me: Member | null; others: readonly Member[]; list: readonly Member[] } | null = null;
  // The windowed list: what the filter box holds, the scroll offset past my row, the list's
  // visible height and one row's height (measured once rendered), and the frame a scroll waits for.
  private _filter = '';
  private _found: { others: readonly Member[]; filter: string; list: readonly Member[] } | null = null;
  private _top = 0;
  private _view = 0;
  private _rowH = 44;
  private _frame = 0;

  constructor() {
    super();
    this.addEventListener('whatsup-error', (e) => (this._errField = e.detail.code.split('.')[0]!));
    this.addEventListener('whatsup-announcement', (e) => this._showToast(e.detail.message));
    this.addEventListener('whatsup-member-joined', (e) =>
      this._announce(this._t.joined(e.detail.member.name)),
    );
    this.addEventListener('whatsup-member-left', (e) => this._announce(this._t.left(e.detail.member.name)));
    this.addEventListener('whatsup-status-changed', (e) => {
      const m = e.detail.member;
      if (m.id === this.me?.id) return;
      this._flash(m.id);
      this._announce(this._t.statusChanged(m.name, m.status));
    });
  }

  // `lang` is HTMLElement's own property: observe the attribute so a change re-renders the times.
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang') this._retick();
  }

  /** `loading`, `signed-out`, `identify-required`, `signed-in` or `error`. */
  get state(): PanelState {
    return this.controller.state;
  }
  /** The pusher-js connection state (`initialized`, `connecting`, `connected`, `unavailable`, `failed`, `disconnected`). */
  get connectionState(): string {
    return this.controller.connectionState;
  }
  /** The signed-in visitor, or null. */
  get me(): Member | null {
    return this.controller.me;
  }
  /** Everyone online, me first, then by name (then id, so equal names keep their order). */
  get members(): readonly Member[] {
    const { me, others } = this.controller;
    if (this._members?.me !== me || this._members.others !== others) {
      this._members = { me, others, list: Object.freeze(me ? [me, ...others] : [...others]) };
    }
    return this._members.list;
  }
  /** Settles once the panel has an answer (form, hint, error, or signed in with everyone's status). */
  get ready(): Promise<void> {
    return this.controller.ready;
  }

  /**
   * Saves my status: text, or `{ text, emoji?, clearAfter? }` (see `PresenceController.setStatus`);
   * resolves to whether it was saved. A refusal shows by the field it is about.
   */
  setStatus(change: string | StatusChange): Promise<boolean> {
    return this._saved(this.controller.setStatus(change));
  }

  /** `dnd`, `invisible` (others no longer see me) or `auto`; resolves to whether it was saved. */
  setAvailability(availability: Availability): Promise<boolean> {
    return this._saved(this.controller.setAvailability(availability));
  }

  private async _saved(change: Promise<boolean>): Promise<boolean> {
    this._errField = '';
    const saved = await change;
    if (!saved && this.controller.statusError) {
      await this.updateComplete;
      this._focus(this._editing ? '.pop [aria-invalid="true"], .pop .text' : '[part~="me"] [part~="status"]');
    }
    return saved;
  }

  /** Ends the session (POST /logout); my other tabs return to the form too. Never rejects. */
  async signOut(): Promise<void> {
    await this.controller.signOut();
    await this.updateComplete;
    this._focus('input[name="username"]');
  }

  /** English, under the pack for the panel's language, under `messages`: merged once per change. */
  private get _t(): Messages {
    const lang = langOf(this);
    const c = this._tCache;
    if (c?.from !== this.messages || c.lang !== lang || c.packs !== packsVersion()) {
      const t = { ...defaultMessages, ...packFor(lang), ...this.messages } as Messages;
      this._tCache = { from: this.messages, lang, packs: packsVersion(), t };
    }
    return this._tCache!.t;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._untick = onTick(() => this._retick());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._untick?.();
    clearTimeout(this._announceTimer);
    this._announceTimer = undefined;
    for (const timer of [...this._flashed.values(), ...this._toastTimers.values()]) clearTimeout(timer);
    this._flashed.clear();
    this._toastTimers.clear();
  }

  protected override willUpdate(): void {
    // Leaving the signed-in state ends any edit.
    if (this.state !== 'signed-in') this._editing = false;
  }

  protected override updated(changed: PropertyValues): void {
    this._measure();
    // The first render's values are what the controller started with: only later changes restart.
    if (
      this.hasUpdated &&
      CONFIG_PROPERTIES.some((name) => changed.has(name) && changed.get(name) !== undefined)
    ) {
      this.controller.connect();
    }
    const editor = this.renderRoot.querySelector<HTMLElement>('.pop');
    // Not when the panel left the page while this update was queued: showPopover() would throw.
    if (editor?.isConnected && !editor.matches(':popover-open')) {
      editor.showPopover();
      this._place(editor, editor.closest('li')!, true);
    }
    const popover = this.renderRoot.querySelector<HTMLElement>('.toasts');
    if (popover?.isConnected) {
      const open = popover.matches(':popover-open');
      if (this._toasts.length && !open) popover.showPopover();
      else if (!this._toasts.length && open) popover.hidePopover();
    }
  }

  // ---- time, flashes, announcements, toasts ----

  private _retick(): void {
    this._tick++;
    this.requestUpdate();
  }

  private _flash(id: string): void {
    clearTimeout(this._flashed.get(id));
    this._flashed.set(
      id,
      setTimeout(() => {
        this._flashed.delete(id);
        this.requestUpdate();
      }, FLASH_MS),
    );
  }

  /** Screen-reader announcements are batched: one polite message a second at most. */
  private _announce(text: string): void {
    this._announceQueue.push(text);
    this._announceTimer ??= setTimeout(() => {
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
    this._toastQueue.push({ id: ++this._toastId, message });
    this._nextToasts();
  }

  /** Up to MAX_TOASTS at once, newest last; the rest wait their turn. */
  private _nextToasts(): void {
    while (this._toasts.length < MAX_TOASTS && this._toastQueue.length) {
      const toast = this._toastQueue.shift()!;
      this._toasts = [...this._toasts, toast];
      if (!this._held) this._time(toast.id);
    }
  }

  private _time(id: number): void {
    const ms = Number.isFinite(this.toastDuration) && this.toastDuration >= 0 ? this.toastDuration : 5000;
    clearTimeout(this._toastTimers.get(id));
    this._toastTimers.set(
      id,
      setTimeout(() => this._dismissToast(id), ms),
    );
  }

  /** Hover or focus holds every toast (WCAG 2.2.1); leaving starts their full time again. */
  private _hold(held: boolean): void {
    this._held = held;
    for (const toast of this._toasts) {
      if (held) clearTimeout(this._toastTimers.get(toast.id));
      else this._time(toast.id);
    }
  }

  private _dismissToast(id: number): void {
    clearTimeout(this._toastTimers.get(id));
    this._toastTimers.delete(id);
    const box = this.renderRoot.querySelector('.toasts');
    const hadFocus = box?.contains((this.renderRoot as ShadowRoot).activeElement) ?? false;
    this._toasts = this._toasts.filter((t) => t.id !== id);
    this._nextToasts();
    if (hadFocus) {
      this._held = false;
      // Focus was on a dismiss button: keep it in the panel rather than dropping it to <body>.
      void this.updateComplete.then(() =>
        this._focus('.toasts button, [part~="me"] [part~="status"], input, button'),
      );
    }
  }

  private _focus(selector: string): void {
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  // ---- user actions ----

  private async _onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this._busy) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    this._busy = true;
    this._fieldErrors = {};
    this._formError = '';
    const refused = await this.controller.register(
      String(data.get('username') ?? ''),
      String(data.get('status') ?? ''),
    );
    this._busy = false;
    if (refused) {
      if (refused.field === 'username' || refused.field === 'status')
        this._fieldErrors = { [refused.field]: refused.message };
      else this._formError = refused.message || this._t.genericError;
      await this.updateComplete;
      this._focus('[aria-invalid="true"], [part~="error"]');
      return;
    }
    form.reset();
    await this.updateComplete;
    this._focus('[part~="me"] [part~="status"]');
  }

  private async _startEditing(): Promise<void> {
    if (this._editing) return;
    this._draft = this.me?.status ?? '';
    this._emoji = this.me?.emoji ?? '';
    this._clear = 'never';
    this._picker = false;
    this._errField = '';
    this._editing = true;
    await this.updateComplete;
    const input = this.renderRoot.querySelector<HTMLInputElement>('[part~="status-editor"]');
    input?.focus();
    input?.select();
  }

  /**
   * Save or Enter: the editor stays open until the server agrees, so a refusal shows by its field.
   * Escape or Cancel: focus back on my status. Focus leaving the editor saves and stays where it went.
   */
  private async _finishEditing(save: boolean, refocus: boolean): Promise<void> {
    if (!this._editing) return;
    const me = this.me;
    const change: StatusChange = { text: this._draft.trim() };
    // A status is text, emoji and expiry together (each save replaces all three); what is empty
    // or the default is left out, so a plain text edit is the request it always was.
    const emoji = this._emoji.trim();
    if (emoji) change.emoji = emoji;
    if (this._clear !== 'never') change.clearAfter = this._clear;
    const changed =
      change.text !== (me?.status ?? '') || emoji !== (me?.emoji ?? '') || this._clear !== 'never';
    if (save && changed && refocus) {
      if (!(await this.setStatus(change))) return;
    } else if (save && changed) void this.setStatus(change);
    this._editing = false;
    await this.updateComplete;
    if (refocus) this._focus('[part~="me"] [part~="status"]');
  }

  private _onEditorFocusOut(event: FocusEvent): void {
    const to = event.relatedTarget as Node | null;
    if (!(event.currentTarget as Node).contains(to)) void this._finishEditing(true, false);
  }

  private _onStatusKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      void this._startEditing();
    }
  }

  private _toggle = (id: string): void => {
    if (!this._expanded.delete(id)) this._expanded.add(id);
    this.requestUpdate();
  };

  // ---- rendering ----

  override render(): TemplateResult {
    const lang = langOf(this);
    const dir = this.closest('[dir]')?.getAttribute('dir') || (isRtl(lang) ? 'rtl' : 'ltr');
    const stack = this.variant === 'stack';
    return html`<div class="panel" dir=${dir}>
      ${stack ? this._renderStack(lang) : this._renderBody(lang)}
      ${renderToasts(
        this._toasts,
        this._t,
        (id) => this._dismissToast(id),
        (held) => this._hold(held),
      )}
      <div class="sr-only" aria-live="polite" data-live></div>
    </div>`;
  }

  private _renderStack(lang: string): TemplateResult {
    const t = this._t;
    const c = this.controller;
    const people = this.members;
    const max = Math.max(1, Math.floor(this.maxVisible) || 4);
    const shown = people.slice(0, max);
    const extra = people.length - shown.length;
    const label = c.state === 'signed-in' ? t.showAll(c.count) : t.membersLabel;
    return html`<button part="stack" class="stack" type="button" popovertarget="people" title=${label}>
        ${shown.map((m) => renderAvatar(m))}${extra > 0 ? html`<span class="more" dir="ltr" aria-hidden="true">+${extra}</span>` : nothing}
        <span class=${c.state === 'signed-in' ? 'sr-only' : ''}>${label}</span>
      </button>
      <div part="popover" class="people" id="people" popover @toggle=${this._placePopover}>
        ${this._renderBody(lang)}
      </div>`;
  }

  /** The popover opens under the stack, kept inside the viewport (left/right for LTR/RTL). */
  private _placePopover(e: ToggleEvent): void {
    if (e.newState === 'open') this._place(e.target as HTMLElement, this.renderRoot.querySelector('.stack')!);
  }

  /** A top-layer box under (or, `over`, on top of) its anchor, inside the viewport, from the anchor's start edge. */
  private _place(box: HTMLElement, anchor: Element, over = false): void {
    const a = anchor.getBoundingClientRect();
    const width = Math.min(box.offsetWidth, innerWidth - 16);
    const start = getComputedStyle(box).direction === 'rtl' ? a.right - width : a.left;
    box.style.top = `${over ? Math.max(8, a.top - 4) : a.bottom + 6}px`;
    box.style.left = `${Math.max(8, Math.min(start, innerWidth - width - 8))}px`;
  }

  private _renderBody(lang: string): TemplateResult {
    const t = this._t;
    const c = this.controller;
    switch (c.state) {
      case 'loading':
        return html`<p class="loading" role="status">${t.loading}</p>`;
      case 'error':
        return html`<p part="error" class="error" role="alert">${c.error}</p>`;
      case 'identify-required':
        return html`<p part="hint" class="hint">
          ${c.sessionEnded ? `${t.sessionEnded} ` : ''}${t.identifyRequired}
        </p>`;
      case 'signed-out':
        return renderForm(
          {
            busy: this._busy,
            fieldErrors: this._fieldErrors,
            error: this._formError,
            sessionEnded: c.sessionEnded,
            limits: c.limits,
          },
          t,
          (e) => void this._onSubmit(e),
        );
      case 'signed-in':
        return this._renderList(lang);
    }
  }

  private _renderConnection(): TemplateResult | typeof nothing {
    const c = this.controller;
    const s = c.connectionState;
    // Before the first connection the list itself says "loading"; afterwards, say what is going on.
    if (!c.everConnected || s === 'connected' || s === 'disconnected') return nothing;
    const text = s === 'unavailable' || s === 'failed' ? this._t.offline : this._t.reconnecting;
    return html`<p part="connection" class="connection" role="status">${text}</p>`;
  }

  private _renderSignOut(): TemplateResult | typeof nothing {
    const t = this._t;
    if (this.controller.mode === 'identify') {
      // The site owns the session: its own Sign out is the one that works.
      return this.logoutUrl
        ? html`<a part="sign-out" class="link" href=${this.logoutUrl}>${t.signOut}</a>`
        : nothing;
    }
    return html`<button part="sign-out" type="button" class="link" @click=${() => this.signOut()}>
      ${t.signOut}
    </button>`;
  }

  private _renderList(lang: string): TemplateResult {
    const t = this._t;
    const c = this.controller;
    const count = c.count;
    const tick = this._tick;
    // A big room renders the rows in view only: the same <ul>, with the rows out of view stood in
    // for by two spacers, and every rendered row saying where it is in the whole list (aria-posinset/setsize).
    const windowed = c.others.length > WINDOW_AT;
    const people = windowed ? this._matching(c.others) : c.others;
    const mine = this.me ? 1 : 0;
    let from = 0;
    let shown = people;
    if (windowed) {
      const h = this._rowH;
      const rows = Math.ceil((this._view || 400) / h) + 2 * OVERSCAN;
      from = Math.max(0, Math.min(Math.floor(this._top / h) - OVERSCAN, people.length - rows));
      shown = people.slice(from, from + rows);
    }
    const size = people.length + mine;
    const spacer = (rows: number) =>
      rows > 0
        ? html`<li class="spacer" aria-hidden="true" style="block-size:${rows * this._rowH}px"></li>`
        : nothing;
    return html`${this._renderConnection()}
      <div class="head">
        <h2 class="title" id="list-title">${t.online(count, pluralOf(lang, count))}</h2>
        ${this._renderSignOut()}
      </div>
      ${
        windowed
          ? html`<input
              part="filter"
              class="filter"
              type="search"
              dir="auto"
              aria-label=${t.find}
              placeholder=${t.find}
              .value=${this._filter}
              @input=${this._onFilter}
            />`
          : nothing
      }
      <ul
        part="list"
        class=${windowed ? 'list windowed' : 'list'}
        aria-labelledby="list-title"
        @scroll=${windowed ? this._onScroll : nothing}
      >
        ${this._renderMe(lang)} ${spacer(from)}
        ${repeat(
          shown,
          (m) => m.id,
          // One status change re-renders one row: the others' inputs are unchanged.
          (m, i) => {
            const pos = windowed ? from + i + 1 + mine : 0;
            return guard(
              [m, this._expanded.has(m.id), this._flashed.has(m.id), tick, lang, t, pos, size],
              () =>
                renderRow(
                  m,
                  this._expanded.has(m.id),
                  this._flashed.has(m.id),
                  lang,
                  t,
                  this._toggle,
                  pos,
                  windowed ? size : 0,
                ),
            );
          },
        )}
        ${spacer(people.length - from - shown.length)}
      </ul>
      ${
        c.others.length
          ? people.length
            ? nothing
            : html`<p part="hint" class="hint" role="status">${t.noMatch}</p>`
          : html`<p part="hint" class="hint">${t.nobodyElse}</p>`
      }
      ${this.showRecent ? renderRecent(c.recent, lang, t, this._toggle) : nothing}
      ${c.error ? html`<p part="error" class="error" role="alert">${c.error}</p>` : nothing}`;
  }

  /** The others whose name holds what the filter box says (case and accents aside), kept while neither changes. */
  private _matching(others: readonly Member[]): readonly Member[] {
    const f = this._found;
    if (f?.others === others && f.filter === this._filter) return f.list;
    const key = fold(this._filter.trim());
    const list = key ? others.filter((m) => fold(m.name).includes(key)) : others;
    this._found = { others, filter: this._filter, list };
    return list;
  }

  private _onFilter(e: Event): void {
    this._filter = (e.target as HTMLInputElement).value;
    const list = this.renderRoot.querySelector('.list');
    if (list) list.scrollTop = 0;
    this._top = 0;
  }

  /** One look per frame however fast the scroll: re-render only when the window moves. */
  private _onScroll(): void {
    this._frame ||= requestAnimationFrame(() => {
      this._frame = 0;
      this._measure();
      this.requestUpdate();
    });
  }

  /** Where the windowed list is scrolled to, how tall it is, and how tall a row is. */
  private _measure(): void {
    const list = this.renderRoot.querySelector<HTMLElement>('.windowed');
    if (!list) return;
    const me = list.querySelector<HTMLElement>('[part~="me"]');
    const row = list.querySelector<HTMLElement>('.row:not(.mine):not(.open)');
    const h = row?.offsetHeight;
    const view = list.clientHeight;
    const top = Math.max(0, list.scrollTop - (me?.offsetHeight ?? 0));
    if ((h && h !== this._rowH) || view !== this._view || top !== this._top) {
      if (h) this._rowH = h;
      this._view = view;
      this._top = top;
      this.requestUpdate();
    }
  }

  private _renderMe(lang: string): TemplateResult | typeof nothing {
    const me = this.me;
    if (!me) return nothing;
    const t = this._t;
    const c = this.controller;
    const error = c.statusError;
    const text = statusText(me);
    const availability = me.availability ?? 'auto';
    const state: EditorState = {
      text: this._draft,
      emoji: this._emoji,
      clear: this._clear,
      picker: this._picker,
      availability,
      max: c.limits.status,
      presets: c.presets,
      error,
      field: this._errField,
    };
    return html`<li part="member me" class="row mine ${presenceOf(me)}" data-id=${me.id}>
      ${renderAvatar(me)}
      <span class="who">
        <span class="line"
          ><span part="name" class="name" dir="auto">${me.name}</span> <span class="you">${t.you}</span>${
            availability === 'auto'
              ? renderPresence(me, lang, t)
              : // Short on the row (the name keeps the room); the whole hint is its title.
                html`<span
                  part="presence availability-label"
                  class="you avail"
                  title=${availability === 'dnd' ? t.editorAvails[1]! : t.editorInvisible}
                  >${t.editorAvails[availability === 'dnd' ? 1 : 2]}</span
                >`
          }</span
        >
        <button
          part="status"
          type="button"
          dir="auto"
          class=${text ? 'status mine' : 'status mine empty'}
          title=${t.editStatusHint}
          aria-label=${`${t.statusLabel}: ${text || t.emptyStatus}. ${t.editStatusHint}`}
          aria-describedby=${error ? 'status-error' : nothing}
          aria-haspopup="dialog"
          @click=${this._startEditing}
          @keydown=${this._onStatusKey}
          .textContent=${text || t.emptyStatus}
        ></button>
      </span>
      ${renderTime(me, lang, t)}
      ${error && !this._editing ? html`<span id="status-error" class="field-error" role="alert">${error}</span>` : nothing}
      ${
        this._editing
          ? renderStatusEditor(state, t, {
              set: (patch) => {
                const { text, emoji, clear, picker } = { ...state, ...patch };
                [this._draft, this._emoji, this._clear, this._picker] = [text, emoji, clear, picker];
                // An opened picker takes focus (on the chosen emoji, else the first).
                if (patch.picker)
                  void this.updateComplete.then(() => this._focus('[role=option][tabindex="0"]'));
              },
              availability: (value) => void this.setAvailability(value),
              done: (save) => void this._finishEditing(save, true),
              leave: (e) => this._onEditorFocusOut(e),
            })
          : nothing
      }
    </li>`;
  }
}

/** Lower case without accents, so "ele" finds "Élé". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

declare global {
  interface HTMLElementTagNameMap {
    'whatsup-presence': WhatsupPresence;
  }
}
