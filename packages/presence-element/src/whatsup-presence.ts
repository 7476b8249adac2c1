import { LitElement, html, type PropertyValues, type TemplateResult } from 'lit';
import { styles } from './whatsup-presence.styles.js';
import { themeStyles } from './views/theme.styles.js';
import { variantStyles } from './views/variants.styles.js';
import { PresenceController, type PresenceOptions } from './presence-controller.js';
import { defaultMessages, type Messages } from './messages.js';
import { isRtl, langOf, packFor, packsVersion } from './localize.js';
import type { Availability, Member, PanelState, StatusChange } from './types.js';
import { AnnouncerController } from './controllers/announcer.js';
import { ClockController } from './controllers/clock.js';
import { FlashController } from './controllers/flashes.js';
import { PopoverController } from './controllers/popover.js';
import { SignUpController } from './controllers/sign-up.js';
import { StatusDraftController } from './controllers/status-draft.js';
import { ToastController } from './controllers/toasts.js';
import { WindowedListController } from './controllers/windowed-list.js';
import { ListKeysController } from './controllers/list-keys.js';
import { ConnectionNoticeController } from './controllers/connection-notice.js';
import { LocaleController } from './controllers/locale.js';
import { focusIn } from './controllers/view-host.js';
import { diagnosis, forDeveloper } from './diagnosis.js';
import { renderList } from './views/member-list.js';
import { renderForm } from './views/sign-up-form.js';
import { renderStack } from './views/stack.js';
import { renderToasts } from './views/toast.js';
import type { PanelView } from './views/panel-view.js';

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
 * @csspart me - my row (first in the list): Enter, Space or a click edits my status
 * @csspart status - a status: emoji and text (click or Enter on the row shows all of a long one)
 * @csspart status-panel - the status editor: a dialog over my row
 * @csspart status-editor - the input that edits my status text
 * @csspart counter - the length counter beside the status editor
 * @csspart emoji - the emoji field of the status editor (type one, or pick)
 * @csspart emoji-button - the button opening the emoji picker
 * @csspart picker - the emoji picker (a listbox, one row per group)
 * @csspart preset - one of the site's preset statuses (a chip)
 * @csspart clear-after - "Clear after" (30 min … don't clear)
 * @csspart availability - Automatic / Do not disturb / Invisible (applied at once)
 * @csspart sign-out - the sign-out button (or the `logout-url` link)
 * @csspart list - the members list (a listbox: one tab stop, arrow keys, Home/End, type-ahead)
 * @csspart member - one row of the list (an option)
 * @csspart avatar - a member's picture or initials
 * @csspart name - a member's name
 * @csspart time - when the status clears ("until 15:30") or, a minute on, how old it is ("5 min. ago")
 * @csspart toasts - the top-layer box holding the announcements
 * @csspart toast - an announcement
 * @csspart stack - the avatar-stack button (`variant="stack"`)
 * @csspart popover - the full list opened from the stack
 * @csspart connection - "Can't reach the live server", "Reconnecting…", with the next try
 * @csspart error - the panel or live updates are unavailable (the diagnosis is in the console)
 * @csspart hint - "sign in on this site" (identify mode) and "nobody else is here yet"
 * @csspart presence - "Away since 14:05", "Do not disturb", "Left just now"… before the status
 * @csspart recent - the collapsed "Recently here" section (`show-recent`)
 * @csspart filter - the Find a person box above the list, from 20 people
 * @cssprop --whatsup-font - font family (default: the system UI font)
 * @cssprop --whatsup-bg - panel background
 * @cssprop --whatsup-fg - text colour
 * @cssprop --whatsup-muted - secondary text colour
 * @cssprop --whatsup-border - border colour
 * @cssprop --whatsup-accent - buttons, focus rings and highlights
 * @cssprop --whatsup-accent-fg - text on the accent colour
 * @cssprop --whatsup-danger - error text and invalid fields
 * @cssprop --whatsup-highlight - background of a row whose status just changed
 * @cssprop --whatsup-online - the dot of someone active
 * @cssprop --whatsup-away - the dot of someone away
 * @cssprop --whatsup-radius - corner radius
 * @cssprop --whatsup-avatar-size - avatar diameter
 * @cssprop --whatsup-max-width - the panel's widest (default 28rem)
 * @cssprop --whatsup-list-height - the list's height before it scrolls (default 24rem)
 */
export class WhatsupPresence extends LitElement {
  /** This copy's version: `define()` names both when a second copy meets the tag taken. */
  static readonly version = '0.1.0'; // = package.json's (test-support/size.test.mjs checks)
  // The status editor's styles come with its chunk (controllers/status-draft.ts adds them).
  static override styles = [themeStyles, styles, variantStyles];
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
    theme: { reflect: true },
    maxVisible: { attribute: 'max-visible', type: Number },
    logoutUrl: { attribute: 'logout-url' },
    idleAfter: { attribute: 'idle-after', type: Number },
    leaveGrace: { attribute: 'leave-grace', type: Number },
    showRecent: { attribute: 'show-recent', type: Boolean },
    sharedConnection: { attribute: 'shared-connection' },
    messages: { attribute: false },
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
  /** `light`, `dark`, or `auto` (default: the visitor's system setting). */
  theme: 'light' | 'dark' | 'auto' = 'auto';
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
  /** `off`: this tab opens its own connection rather than sharing one tab's with every tab of this browser. */
  sharedConnection: 'on' | 'off' = 'on';
  /** Every visible string can be replaced here (see `defaultMessages`). */
  messages: Partial<Messages> = {};

  /** The headless part: connection, session, members and events. Build your own UI on it. */
  readonly controller = new PresenceController(
    this,
    (): PresenceOptions => this,
    () => this._t,
  );

  // The view's own state, each in a controller. After each render (in this order) the list
  // measures itself, then the editor and the toasts open as popovers: the toasts stay on top.
  private readonly _clock = new ClockController(this);
  private readonly _flashes = new FlashController(this);
  private readonly _announcer = new AnnouncerController(this, (count) => this._t.more(count));
  private readonly _list = new WindowedListController(this);
  private readonly _keys = new ListKeysController(
    this,
    () => this._order(),
    (index) => this._list.reveal(index),
    (id) => this._activate(id),
  );
  private readonly _notice = new ConnectionNoticeController(this, this.controller);
  private readonly _popover = new PopoverController(this);
  private readonly _toasts = new ToastController(this, () => this.toastDuration);
  private readonly _signUp = new SignUpController(this, this.controller, () => this._t);
  private readonly _draft = new StatusDraftController(this, this.controller, (change) =>
    this.setStatus(change),
  );
  /** The rows whose long status is expanded. */
  private readonly _expanded = new Set<string>();
  private _tCache: { from: Partial<Messages>; lang: string; packs: number; t: Messages } | null = null;
  private _members: { me: Member | null; others: readonly Member[]; list: readonly Member[] } | null = null;
  /** The diagnoses already in the console: each once. */
  private readonly _told = new Set<string>();

  constructor() {
    super();
    new LocaleController(this); // the panel's language pack, loaded on first use
    this.addEventListener('whatsup-error', (e) => {
      const { code, message } = e.detail;
      this._draft.refused(code);
      const text = diagnosis(code, message, this);
      if (forDeveloper(code) && !this._told.has(text)) {
        this._told.add(text);
        console.error(`<whatsup-presence> ${code}: ${text}`);
      }
    });
    this.addEventListener('whatsup-announcement', (e) => this._toasts.show(e.detail.message));
    this.addEventListener('whatsup-member-joined', (e) =>
      this._announcer.announce(this._t.joined(e.detail.member.name)),
    );
    this.addEventListener('whatsup-member-left', (e) =>
      this._announcer.announce(this._t.left(e.detail.member.name)),
    );
    this.addEventListener('whatsup-status-changed', (e) => {
      const m = e.detail.member;
      if (m.id === this.me?.id) return;
      this._flashes.flash(m.id);
      this._announcer.announce(this._t.statusChanged(m.name, m.status));
    });
  }

  // `lang` is HTMLElement's own property: observe the attribute so a change re-renders the times.
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang') this._clock.retick();
  }

  /** `loading`, `signed-out`, `identify-required`, `signed-in` or `error`. */
  get state(): PanelState {
    return this.controller.state;
  }
  /** The realtime connection's state (`initialized`, `connecting`, `connected`, `unavailable`, `failed`, `disconnected`). */
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
    return this._draft.saved(this.controller.setStatus(change));
  }

  /** `dnd`, `invisible` (others no longer see me) or `auto`; resolves to whether it was saved. */
  setAvailability(availability: Availability): Promise<boolean> {
    return this._draft.saved(this.controller.setAvailability(availability));
  }

  /** Ends the session (POST /logout); my other tabs return to the form too. Never rejects. */
  async signOut(): Promise<void> {
    await this.controller.signOut();
    await this.updateComplete;
    focusIn(this, 'input[name="username"]');
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

  protected override updated(changed: PropertyValues): void {
    // The first render's values are what the controller started with: only later changes restart.
    if (
      this.hasUpdated &&
      CONFIG_PROPERTIES.some((name) => changed.has(name) && changed.get(name) !== undefined)
    ) {
      this.controller.connect();
    }
    // The idle timer runs from the last input: a new idle-after applies from then, now.
    if (changed.has('idleAfter') && changed.get('idleAfter') !== undefined) this.controller.optionsChanged();
  }

  /** Everyone in the list's order for the keyboard: me, then the others the filter keeps. */
  private _order(): readonly Member[] {
    const { people } = this._list.window(this.controller.others);
    const me = this.controller.me;
    return me ? [me, ...people] : people;
  }

  /** Enter, Space or a click on a row: mine edits my status; another's shows all of theirs. */
  private _activate(id: string): void {
    if (id === this.me?.id) void this._draft.start();
    else this._toggle(id);
  }

  override render(): TemplateResult {
    const lang = langOf(this);
    // The nearer of a `dir` and a `lang` decides: lang="ar" on the element is right to left on any page.
    const dirEl = this.closest('[dir]');
    const langEl = this.closest('[lang]');
    const dir =
      dirEl && (!langEl || langEl.contains(dirEl)) ? dirEl.getAttribute('dir') : isRtl(lang) ? 'rtl' : 'ltr';
    const v = this._view(lang);
    const body = this._renderBody(v);
    return html`<div class="panel" dir=${dir}>
      ${this.variant === 'stack' ? renderStack(this.members, body, v) : body}
      ${renderToasts(
        this._toasts.toasts,
        v.t,
        (id) => this._toasts.dismiss(id),
        (held) => this._toasts.hold(held),
      )}
      ${this._announcer.render()}
    </div>`;
  }

  /** What the views read, for this render. */
  private _view(lang: string): PanelView {
    return {
      presence: this.controller,
      t: this._t,
      lang,
      flashes: this._flashes,
      list: this._list,
      keys: this._keys,
      notice: this._notice,
      draft: this._draft,
      popover: this._popover,
      expanded: this._expanded,
      maxVisible: this.maxVisible,
      logoutUrl: this.logoutUrl,
      showRecent: this.showRecent,
      signOut: () => void this.signOut(),
      setAvailability: (value) => void this.setAvailability(value),
    };
  }

  private readonly _toggle = (id: string): void => {
    if (!this._expanded.delete(id)) this._expanded.add(id);
    this.requestUpdate();
  };

  private _renderBody(v: PanelView): TemplateResult {
    const { presence: c, t } = v;
    switch (c.state) {
      case 'loading':
        return html`<p class="loading" role="status">${t.loading}</p>`;
      case 'error':
        // What went wrong is for the site's developer: it is in the console (whatsup-error).
        return html`<p part="error" class="error" role="alert">${t.unavailable}</p>`;
      case 'identify-required':
        return html`<p part="hint" class="hint">
          ${c.sessionEnded ? `${t.sessionEnded} ` : ''}${t.identifyRequired}
        </p>`;
      case 'signed-out': {
        const form = this._signUp;
        return renderForm(
          {
            busy: form.busy,
            fieldErrors: form.fieldErrors,
            error: form.error,
            sessionEnded: c.sessionEnded,
            limits: c.limits,
          },
          t,
          form.submit,
        );
      }
      case 'signed-in':
        return renderList(v);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'whatsup-presence': WhatsupPresence;
  }
}
