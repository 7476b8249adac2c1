// A page object for <whatsup-presence>: every selector the end-to-end tests use lives here.
// Playwright's CSS locators pierce open shadow roots, so ::part() names work as plain attributes.
import type { Page } from 'playwright-core';

export interface Row {
  name: string;
  status: string;
}

export class Panel {
  constructor(readonly page: Page) {}

  get host() {
    return this.page.locator('whatsup-presence');
  }
  get form() {
    return this.page.locator('whatsup-presence [part~="form"]');
  }
  get me() {
    return this.page.locator('whatsup-presence [part~="me"]');
  }
  get toast() {
    return this.page.locator('whatsup-presence [part~="toast"]');
  }
  get connection() {
    return this.page.locator('whatsup-presence [part~="connection"]');
  }

  async signUp(name: string, status: string): Promise<void> {
    await this.form.locator('input[name="username"]').fill(name);
    await this.form.locator('[name="status"]').fill(status);
    await this.form.locator('button[type="submit"]').click();
    await this.me.waitFor();
  }

  /** Edits my status by keyboard only: focus my row (the list's option), Enter to edit, type, Enter to save. */
  async editStatusByKeyboard(text: string): Promise<void> {
    await this.me.focus();
    await this.page.keyboard.press('Enter');
    // The editor is a dialog beside the list (an option holds text only), placed over my row.
    const editor = this.host.locator('[part~="status-editor"]');
    await editor.waitFor();
    await editor.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** The panel's own Sign out (guest mode; in identify mode the site's, or `logout-url`). */
  get signOutButton() {
    return this.page.locator('whatsup-presence [part~="sign-out"]');
  }

  async signOut(): Promise<void> {
    await this.signOutButton.click();
  }

  /**
   * The rows of people online, in order (me first): not those greyed as "Left just now" during
   * the leave grace, nor the "Recently here" section.
   */
  async rows(): Promise<Row[]> {
    return this.page
      .locator('whatsup-presence [part~="list"] > [part~="member"]:not(.left)')
      .evaluateAll((rows) =>
        rows.map((row) => ({
          name: row.querySelector('[part~="name"]')?.textContent?.trim() ?? '',
          // My row says "Set a status" (class empty) when I have none: that is not a status.
          status: row.querySelector('[part~="status"]:not(.empty)')?.textContent?.trim() ?? '',
        })),
      );
  }

  async names(): Promise<string[]> {
    return (await this.rows()).map((r) => r.name);
  }
}
