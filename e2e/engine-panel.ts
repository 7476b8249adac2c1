// <whatsup-presence> as a person in Firefox or WebKit uses it (e2e/engines.ts drives the browser):
// the same selectors as panel.ts, the Chromium page object, behind the engine-neutral `Person`.
import type { Person } from './engines.js';
import { waitFor } from './support.js';

export interface EngineRow {
  name: string;
  /** The row's whole text: the name, the status, and whatever else it shows (an emoji). */
  text: string;
}

export class EnginePanel {
  constructor(readonly person: Person) {}

  async signUp(name: string, status: string): Promise<void> {
    await this.person.type('[part~="form"] input[name="username"]', name);
    await this.person.type('[part~="form"] [name="status"]', status);
    await this.person.click('[part~="form"] button[type="submit"]');
    await this.waitFor(() => this.shows('[part~="me"]'), 'my card after signing up');
  }

  /** Opens my status editor by click, picks the emoji from the picker, types the text, Enter. */
  async setStatus(emoji: string, text: string): Promise<void> {
    await this.person.click('[part~="me"] [part~="status"]');
    await this.person.click('[part~="emoji-button"]');
    await this.person.click('[part~="picker"] [role="option"]', emoji);
    await this.person.type('[part~="status-editor"]', text);
    await this.person.press('Enter');
    await this.waitFor(async () => !(await this.shows('[part~="status-panel"]')), 'the editor closed');
  }

  async signOut(): Promise<void> {
    await this.person.click('[part~="sign-out"]');
    await this.waitFor(() => this.shows('[part~="form"]'), 'the sign-up form after signing out');
  }

  /** The rows of people online, me first: not those greyed as "Left just now". */
  rows(): Promise<EngineRow[]> {
    return this.person.evaluate(() => {
      const root = document.querySelector('whatsup-presence')?.shadowRoot;
      const rows = root
        ? Array.from(root.querySelectorAll('[part~="list"] > [part~="member"]:not(.left)'))
        : [];
      return rows.map((row) => ({
        name: row.querySelector('[part~="name"]')?.textContent?.trim() ?? '',
        text: (row.textContent ?? '').replace(/\s+/g, ' ').trim(),
      }));
    });
  }

  /** The texts of the toasts on screen. */
  toasts(): Promise<string[]> {
    return this.person.evaluate(() => {
      const root = document.querySelector('whatsup-presence')?.shadowRoot;
      const toasts = root ? Array.from(root.querySelectorAll<HTMLElement>('[part~="toast"]')) : [];
      return toasts.filter((t) => t.checkVisibility()).map((t) => t.textContent?.trim() ?? '');
    });
  }

  /** Waits until a row for `name` exists and `check` holds for it; `undefined` waits for no row. */
  async waitForRow(
    name: string,
    check: ((row: EngineRow) => boolean) | undefined,
    what: string,
  ): Promise<void> {
    let rows: EngineRow[] = [];
    await this.waitFor(async () => {
      rows = await this.rows();
      const row = rows.find((r) => r.name === name);
      return check ? !!row && check(row) : !row;
    }, what).catch((err: Error) => {
      throw new Error(`${err.message}; shown: ${JSON.stringify(rows)}`);
    });
  }

  private shows(selector: string): Promise<boolean> {
    return this.person.evaluate(
      (sel) => !!document.querySelector('whatsup-presence')?.shadowRoot?.querySelector(sel),
      selector,
    );
  }

  private waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
    return waitFor(check, timeoutMs, () => what);
  }
}
