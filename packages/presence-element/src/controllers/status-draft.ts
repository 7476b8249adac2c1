import { adoptStyles, supportsAdoptingStyleSheets, type ReactiveController } from 'lit';
import type { PresenceController } from '../presence-controller.js';
import type { ClearAfter, StatusChange } from '../types.js';
import type { StatusEditor } from '../views/status-editor.js';
import { loadEditor } from '../views/load-editor.js';
import { focusIn, type ViewHost } from './view-host.js';

/** What the editor holds while open: the draft, and whether the emoji picker is open. */
export interface Draft {
  text: string;
  emoji: string;
  clear: ClearAfter;
  picker: boolean;
}

/** My row: the list's option that opens the editor. */
const MY_ROW = '[part~="me"]';

/**
 * Editing my status: whether the editor is open, its draft, and the field my last refused change
 * was about (from the error code: `emoji.invalid` → `emoji`). Save or Enter keeps the editor open
 * until the server agrees, so a refusal shows by its field; Escape or Cancel puts focus back on my
 * row; focus leaving the editor saves and stays where it went.
 *
 * The editor is a chunk of its own (`loadEditor()`): a hover or focus of my row fetches it ahead,
 * so it opens at once; opened before it is here, my row says "Loading…" until it is, and if it
 * cannot load, an error says so and the next open tries again.
 */
export class StatusDraftController implements ReactiveController {
  editing = false;
  draft: Draft = { text: '', emoji: '', clear: 'never', picker: false };
  /** The field my last refused change was about, or ''. */
  field = '';
  /** The editor, once its chunk is here. */
  editor: StatusEditor | null = null;
  /** Opening: the editor's chunk is on its way. */
  loading = false;
  /** The editor's chunk could not load (the next open tries again). */
  loadFailed = false;
  private readonly _host: ViewHost & EventTarget;
  private readonly _presence: PresenceController;
  private readonly _save: (change: StatusChange) => Promise<boolean>;

  /** `save` is the element's `setStatus` (which reports a refusal through `saved()`). */
  constructor(
    host: ViewHost & EventTarget,
    presence: PresenceController,
    save: (change: StatusChange) => Promise<boolean>,
  ) {
    this._host = host;
    this._presence = presence;
    this._save = save;
    host.addController(this);
  }

  hostConnected(): void {
    this._host.addEventListener('pointerover', this._prefetch);
    this._host.addEventListener('focusin', this._prefetch);
  }

  hostDisconnected(): void {
    this._host.removeEventListener('pointerover', this._prefetch);
    this._host.removeEventListener('focusin', this._prefetch);
  }

  /** The pointer over my row, or focus on it: fetch the editor ahead (a failure shows on open). */
  private readonly _prefetch = (e: Event): void => {
    if (this.editor || !e.composedPath().some((n) => n instanceof Element && n.matches(MY_ROW))) return;
    this._load().catch(() => {});
  };

  /** The editor, its styles added to the panel's shadow root once. */
  private async _load(): Promise<StatusEditor> {
    const editor = await loadEditor();
    if (!this.editor) {
      this.editor = editor;
      this.loadFailed = false;
      this._host.requestUpdate();
      const root = this._host.renderRoot;
      // Appended after the panel's own styles, as they were when the editor was part of them.
      if (root instanceof ShadowRoot)
        adoptStyles(
          root,
          supportsAdoptingStyleSheets ? [...root.adoptedStyleSheets, editor.styles] : [editor.styles],
        );
    }
    return editor;
  }

  /** Leaving the signed-in state ends any edit (and forgets a failed load). */
  hostUpdate(): void {
    if (this._presence.state !== 'signed-in') this.editing = this.loadFailed = false;
  }

  /** A `whatsup-error`: remember which field it is about. */
  refused(code: string): void {
    // `clear_after.invalid` is about the clearAfter field (codes are snake_case, fields camelCase)
    this.field = code.split('.')[0]!.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    this._host.requestUpdate();
  }

  /** Waits for a change of mine; a refusal moves focus to the field it is about. */
  async saved(change: Promise<boolean>): Promise<boolean> {
    this.field = '';
    this._host.requestUpdate();
    const saved = await change;
    if (!saved && this._presence.statusError) {
      await this._host.updateComplete;
      focusIn(this._host, this.editing ? '.pop [aria-invalid="true"], .pop .text' : MY_ROW);
    }
    return saved;
  }

  async start(): Promise<void> {
    if (this.editing || this.loading) return;
    if (!this.editor) {
      this.loading = true;
      this.loadFailed = false;
      this._host.requestUpdate();
      try {
        await this._load();
      } catch (err) {
        this.loadFailed = true;
        console.error('<whatsup-presence> the status editor could not load:', err);
        return;
      } finally {
        this.loading = false;
        this._host.requestUpdate();
      }
      if (this._presence.state !== 'signed-in') return;
    }
    const me = this._presence.me;
    this.draft = { text: me?.status ?? '', emoji: me?.emoji ?? '', clear: 'never', picker: false };
    this.field = '';
    this.editing = true;
    this._host.requestUpdate();
    await this._host.updateComplete;
    const input = this._host.renderRoot.querySelector<HTMLInputElement>('[part~="status-editor"]');
    input?.focus();
    input?.select();
  }

  /** Changes the draft; an opened picker takes focus (on the chosen emoji, else the first). */
  set(patch: Partial<Draft>): void {
    this.draft = { ...this.draft, ...patch };
    this._host.requestUpdate();
    if (patch.picker)
      void this._host.updateComplete.then(() => focusIn(this._host, '[role=option][tabindex="0"]'));
  }

  /** Save (`save`) or cancel; `refocus`: focus goes back to my status (not after a focusout). */
  async finish(save: boolean, refocus: boolean): Promise<void> {
    if (!this.editing) return;
    const me = this._presence.me;
    const { text, emoji, clear } = this.draft;
    const change: StatusChange = { text: text.trim() };
    // A status is text, emoji and expiry together (each save replaces all three); what is empty
    // or the default is left out, so a plain text edit is the request it always was.
    if (emoji.trim()) change.emoji = emoji.trim();
    if (clear !== 'never') change.clearAfter = clear;
    const changed =
      change.text !== (me?.status ?? '') || emoji.trim() !== (me?.emoji ?? '') || clear !== 'never';
    if (save && changed && refocus) {
      if (!(await this._save(change))) return;
    } else if (save && changed) void this._save(change);
    this.editing = false;
    this._host.requestUpdate();
    await this._host.updateComplete;
    if (refocus) focusIn(this._host, MY_ROW);
  }

  /** Focus left the editor (focusout): it saves, and focus stays where it went. */
  readonly onFocusOut = (event: FocusEvent): void => {
    const to = event.relatedTarget as Node | null;
    if (!(event.currentTarget as Node).contains(to)) void this.finish(true, false);
  };
}
