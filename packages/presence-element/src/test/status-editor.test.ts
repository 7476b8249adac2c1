import { expect, fixture } from '@open-wc/testing';
import type { WhatsupPresence } from '../whatsup-presence.js';
import { statusText } from '../members.js';
import {
  panel,
  part,
  people,
  post,
  session,
  setViewport,
  signedInPanel,
  type,
  waitUntil,
} from './support.js';

// The status editor (issue 14) against the real middleware and realtime server. "Another person"
// is a real pusher-js client on the server (test-support/whatsup-server.mjs); a second panel on
// this page is the same person in another tab.

describe('the status editor', () => {
  const { person, view, leave } = people();
  beforeEach(async () => {
    await post('/whatsup/logout', {});
  });
  afterEach(async () => {
    // Visible again for whoever comes next, then signed out.
    await post('/whatsup/availability', { availability: 'auto' });
    await leave();
    await setViewport({ width: 800, height: 600 });
  });

  it('should open by click over my row, emoji first, and move through the picker by keyboard', async () => {
    const el = await signedInPanel('Picky', {}, 'before');
    const heights = rowHeights(el);
    const editor = await openEditor(el);
    expect(editor.matches(':popover-open')).to.equal(true);
    expect(rowHeights(el)).to.deep.equal(heights, 'the rows do not move');
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'status-editor'));
    const button = part(el, 'emoji-button') as HTMLButtonElement;
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    button.click();
    await waitUntil(() => part(el, 'picker'));
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    const options = () => [...el.shadowRoot!.querySelectorAll<HTMLElement>('.picker [role=option]')];
    expect(options().length).to.be.within(24, 40);
    expect(options().filter((o) => o.tabIndex === 0)).to.have.length(1, 'one option in the tab order');
    await waitUntil(() => el.shadowRoot!.activeElement === options()[0], 'the picker takes focus');
    const press = (key: string) =>
      el.shadowRoot!.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    press('ArrowRight');
    expect(el.shadowRoot!.activeElement).to.equal(options()[1]);
    press('ArrowDown');
    expect(el.shadowRoot!.activeElement).to.equal(options()[9], 'one row down');
    press('ArrowLeft');
    press('ArrowUp');
    expect(el.shadowRoot!.activeElement).to.equal(options()[0]);
    press('ArrowUp');
    expect(el.shadowRoot!.activeElement).to.equal(options()[0], 'stays at the edge');
    press('End');
    expect(el.shadowRoot!.activeElement).to.equal(options().at(-1));
    press('Home');
    press('ArrowRight');
    // Escape closes the picker only: focus back on its button, the editor still open.
    press('Escape');
    await waitUntil(() => !part(el, 'picker'));
    expect(el.shadowRoot!.activeElement).to.equal(button);
    expect(part(el, 'status-panel')).to.equal(editor);
    // Enter picks the focused emoji.
    button.click();
    await waitUntil(() => el.shadowRoot!.activeElement?.matches('.picker [role=option]'));
    press('ArrowRight');
    const chosen = el.shadowRoot!.activeElement!.textContent!;
    press('Enter');
    await waitUntil(() => !part(el, 'picker'));
    expect((part(el, 'emoji') as HTMLInputElement).value).to.equal(chosen);
    expect(el.shadowRoot!.activeElement).to.equal(button);
    // Reopened, the chosen emoji is the selected option and the one in the tab order.
    button.click();
    await waitUntil(() => el.shadowRoot!.activeElement?.textContent === chosen);
    expect(el.shadowRoot!.activeElement!.getAttribute('aria-selected')).to.equal('true');
    await expect(el).to.be.accessible();
    press('Escape');
    await waitUntil(() => !part(el, 'picker'));
    // Escape in the editor cancels: nothing saved, focus back on my status.
    (part(el, 'status-editor') as HTMLElement).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }),
    );
    await waitUntil(() => !part(el, 'status-panel'));
    expect(el.me!.emoji).to.equal(undefined);
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'me'));
  });

  it('should pass axe with the editor open and with its picker open', async () => {
    // (With a preset chosen: see the presets test.)
    const el = await signedInPanel('Axe', {}, 'checking');
    await openEditor(el);
    await expect(el).to.be.accessible();
    (part(el, 'emoji-button') as HTMLButtonElement).click();
    await waitUntil(() => part(el, 'picker'));
    await expect(el).to.be.accessible();
  });

  it('should mirror the arrow keys right to left, and fit a phone', async () => {
    await setViewport({ width: 320, height: 640 });
    const el = await signedInPanel('Rtl', { dir: 'rtl' });
    const editor = await openEditor(el);
    (part(el, 'emoji-button') as HTMLButtonElement).click();
    await waitUntil(() => el.shadowRoot!.activeElement?.matches('.picker [role=option]'));
    const options = [...el.shadowRoot!.querySelectorAll<HTMLElement>('.picker [role=option]')];
    options[3]!.focus();
    options[3]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    expect(el.shadowRoot!.activeElement).to.equal(options[4], 'left is forward right to left');
    const box = editor.getBoundingClientRect();
    expect(box.left).to.be.at.least(0);
    expect(box.right).to.be.at.most(320);
    expect(editor.scrollWidth).to.be.at.most(editor.clientWidth);
    for (const target of editor.querySelectorAll('button, select, input, [role=option]')) {
      const r = target.getBoundingClientRect();
      expect(Math.min(r.width, r.height), target.outerHTML.slice(0, 40)).to.be.at.least(24);
    }
    await expect(el).to.be.accessible();
  });

  it("should offer the site's presets as chips that fill emoji, text and clear after", async () => {
    const el = await signedInPanel('Preset');
    const config = await (await fetch('/whatsup/config')).json();
    expect(config.presets.length).to.be.greaterThan(0);
    await openEditor(el);
    const chips = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="preset"]')];
    expect(chips.map((c) => c.textContent!.trim())).to.deep.equal(
      config.presets.map((p: { text: string; emoji?: string }) =>
        statusText({ status: p.text, emoji: p.emoji }),
      ),
    );
    const preset = config.presets[0];
    chips[0]!.click();
    await el.updateComplete;
    expect((part(el, 'status-editor') as HTMLInputElement).value).to.equal(preset.text);
    expect((part(el, 'emoji') as HTMLInputElement).value).to.equal(preset.emoji ?? '');
    expect((part(el, 'clear-after') as HTMLSelectElement).value).to.equal(preset.clearAfter);
    expect(chips[0]!.getAttribute('aria-pressed')).to.equal('true');
    await expect(el).to.be.accessible();
    // Still my own words: the chip lets go once the text is changed.
    await type(part(el, 'status-editor') as HTMLInputElement, `${preset.text}, back soon`);
    expect(chips[0]!.getAttribute('aria-pressed')).to.equal('false');
    (el.shadowRoot!.querySelector('.pop .primary') as HTMLButtonElement).click();
    await waitUntil(() => !part(el, 'status-panel'));
    const me = (await session()).user!;
    expect([me.status, me.emoji]).to.deep.equal([`${preset.text}, back soon`, preset.emoji]);
    expect(me.clearAt).to.be.a('number');
  });

  it('should send text, emoji and clear after to another person and to my other tab', async () => {
    const other = await person('Watcher');
    const el = await signedInPanel('Emoji', {}, 'plain');
    const tab = await fixture<WhatsupPresence>(panel());
    await tab.ready;
    expect(await el.setStatus({ text: 'On a train', emoji: '🚆', clearAfter: '1h' })).to.equal(true);
    expect(el.me!.emoji).to.equal('🚆');
    const row = part(el, 'me')!.querySelector('[part~="status"]')!;
    expect(row.textContent).to.equal('🚆 On a train');
    await waitUntil(
      () => part(tab, 'me')!.querySelector('[part~="status"]')!.textContent === '🚆 On a train',
    );
    await waitUntil(async () =>
      (await view(other.id)).updates.some((u) => u.id === el.me!.id && u.emoji === '🚆'),
    );
    const clearAt = (await session()).user!.clearAt!;
    expect(clearAt - Date.now()).to.be.within(59 * 60_000, 61 * 60_000);
    // "Today" ends at the next local midnight (the browser's zone goes with it).
    expect(await el.setStatus({ text: 'Off', emoji: '🌴', clearAfter: 'today' })).to.equal(true);
    const midnight = new Date();
    midnight.setHours(24, 0, 0, 0);
    expect(Math.abs((await session()).user!.clearAt! - midnight.getTime())).to.be.below(60_000);
    // A string still works, and clears the emoji.
    expect(await el.setStatus('just text')).to.equal(true);
    expect((await session()).user!.emoji).to.equal(undefined);
    expect(el.me!.emoji).to.equal(undefined);
  });

  it('should show do not disturb on my row, in my other tab and to another person', async () => {
    const other = await person('Dnd watcher');
    const el = await signedInPanel('Busy');
    const tab = await fixture<WhatsupPresence>(panel());
    await tab.ready;
    expect(await el.setAvailability('dnd')).to.equal(true);
    await el.updateComplete;
    expect(part(el, 'availability-label')!.textContent).to.equal('Do not disturb');
    await waitUntil(() => part(tab, 'availability-label')?.textContent === 'Do not disturb');
    await waitUntil(async () =>
      (await view(other.id)).updates.some((u) => u.id === el.me!.id && u.availability === 'dnd'),
    );
    // The editor's select says so too, and choosing Automatic clears it at once.
    await openEditor(el);
    const select = part(el, 'availability') as HTMLSelectElement;
    expect(select.value).to.equal('dnd');
    select.value = 'auto';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await waitUntil(() => !part(el, 'availability-label'));
    expect((await session()).user!.availability).to.equal(undefined);
  });

  it('should take me out of the list of others while invisible, and back', async () => {
    const other = await person('Seeker');
    const el = await signedInPanel('Ghost');
    const me = el.me!.id;
    await waitUntil(async () => (await view(other.id)).ids.includes(me));
    const errors: string[] = [];
    el.addEventListener('whatsup-error', (e) => errors.push(e.detail.code));
    await openEditor(el);
    const select = part(el, 'availability') as HTMLSelectElement;
    select.value = 'invisible';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await waitUntil(() => part(el, 'availability-label')?.textContent === 'Invisible');
    expect(part(el, 'availability-label')!.getAttribute('title')).to.equal(
      "Invisible — others don't see you",
    );
    expect(el.shadowRoot!.querySelector('.pop .hint')!.textContent).to.equal(
      "Invisible — others don't see you",
    );
    await waitUntil(async () => {
      const seen = await view(other.id);
      return !seen.ids.includes(me) && !seen.listed.includes(me);
    }, 'gone for the other person');
    // I still see the others, and my panel stays signed in and connected.
    await waitUntil(() => el.connectionState === 'connected' && rows(el).includes('Seeker'));
    expect(el.state).to.equal('signed-in');
    expect(await el.setAvailability('auto')).to.equal(true);
    await waitUntil(async () => (await view(other.id)).ids.includes(me), 'back for the other person');
    await waitUntil(() => el.connectionState === 'connected');
    expect(errors, 'ending my old connection is no error to show').to.deep.equal([]);
    expect(el.shadowRoot!.querySelector('[part~="error"]')).to.equal(null);
  });

  it('should show a refused emoji next to its field and keep the editor open', async () => {
    const el = await signedInPanel('Typo', {}, 'kept');
    await openEditor(el);
    const emoji = part(el, 'emoji') as HTMLInputElement;
    await type(emoji, 'not an emoji <b>');
    emoji.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await waitUntil(() => emoji.getAttribute('aria-invalid') === 'true', 'marked invalid');
    const error = el.shadowRoot!.querySelector('#editor-error')!;
    expect(error.textContent).to.contain('emoji');
    expect(emoji.getAttribute('aria-describedby')).to.contain('editor-error');
    expect(el.shadowRoot!.activeElement).to.equal(emoji, 'focus on the field to fix');
    expect(part(el, 'status-panel')).to.not.equal(null);
    expect(el.shadowRoot!.querySelectorAll('b')).to.have.length(0);
    expect(el.me!.status).to.equal('kept', 'rolled back');
    expect((await session()).user!.status).to.equal('kept');
    await expect(el).to.be.accessible();
    // Values the UI cannot produce, from the API: refused by the server, shown by their field.
    expect(await el.setAvailability('away' as never)).to.equal(false);
    await waitUntil(() => part(el, 'availability')!.getAttribute('aria-invalid') === 'true');
    expect(emoji.getAttribute('aria-invalid')).to.equal('false');
    expect(part(el, 'availability')!.getAttribute('aria-describedby')).to.equal('editor-error');
    expect(await el.setStatus({ text: 'kept', clearAfter: '-5m' as never })).to.equal(false);
    await waitUntil(() => part(el, 'clear-after')!.getAttribute('aria-invalid') === 'true');
    expect(el.shadowRoot!.querySelectorAll('#editor-error')).to.have.length(1);
    expect(await el.setStatus({ text: 'x'.repeat(41), emoji: '👍' })).to.equal(false);
    await waitUntil(() => part(el, 'status-editor')!.getAttribute('aria-invalid') === 'true');
    expect((await session()).user!.status).to.equal('kept');
    // A good one then saves and closes.
    await type(emoji, '👍');
    (el.shadowRoot!.querySelector('.pop .primary') as HTMLButtonElement).click();
    await waitUntil(() => !part(el, 'status-panel'));
    expect((await session()).user!.emoji).to.equal('👍');
  });

  it('should edit inside the stack popover without closing it, and say so to assistive tech', async () => {
    const el = await signedInPanel('Stacked', { variant: 'stack' }, 'here');
    (part(el, 'stack') as HTMLButtonElement).click();
    await waitUntil(() => (part(el, 'popover') as HTMLElement).matches(':popover-open'));
    const status = part(el, 'me')!.querySelector('[part~="status"]')!;
    // My row says it edits my status (its description), and opens a dialog named for it.
    const hint = el.shadowRoot!.getElementById(part(el, 'me')!.getAttribute('aria-describedby')!)!;
    expect(hint.textContent).to.equal('Click or press Enter to edit your status');
    const editor = await openEditor(el);
    expect(editor.getAttribute('role')).to.equal('dialog');
    expect(editor.getAttribute('aria-label')).to.equal('Edit your status');
    (part(el, 'emoji-button') as HTMLButtonElement).click();
    await waitUntil(() => el.shadowRoot!.activeElement?.matches('.picker [role=option]'));
    // A click on an emoji picks it; the list's popover stays open under the editor.
    el.shadowRoot!.querySelectorAll<HTMLElement>('.picker [role=option]')[2]!.click();
    await waitUntil(() => !part(el, 'picker'));
    expect((part(el, 'popover') as HTMLElement).matches(':popover-open')).to.equal(true);
    expect(editor.matches(':popover-open')).to.equal(true);
    (el.shadowRoot!.querySelector('.pop .primary') as HTMLButtonElement).click();
    await waitUntil(() => !part(el, 'status-panel'));
    expect(el.me!.emoji).to.equal('💻');
    expect(status.textContent).to.equal('💻 here');
  });

  it('should not throw when the panel leaves the page while its editor opens', async () => {
    const el = await signedInPanel('Leaving', {}, 'here');
    const errors: string[] = [];
    const onRejection = (e: PromiseRejectionEvent) => {
      errors.push(String(e.reason));
      e.preventDefault();
    };
    window.addEventListener('unhandledrejection', onRejection);
    try {
      // The click queues the render that opens the editor; the panel is gone before it runs.
      (part(el, 'me')!.querySelector('[part~="status"]') as HTMLElement).click();
      el.remove();
      await el.updateComplete.catch((err: unknown) => errors.push(String(err)));
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      window.removeEventListener('unhandledrejection', onRejection);
    }
    expect(errors).to.deep.equal([]);
  });

  it('should save on blur, with the emoji, and leave focus where it went', async () => {
    const el = await signedInPanel('Blurry', {}, 'one');
    await openEditor(el);
    await type(part(el, 'emoji') as HTMLInputElement, '☕');
    await type(part(el, 'status-editor') as HTMLInputElement, 'two');
    // Moving inside the editor does not save.
    (part(el, 'clear-after') as HTMLElement).focus();
    expect(part(el, 'status-panel')).to.not.equal(null);
    const signOut = part(el, 'sign-out') as HTMLButtonElement;
    signOut.focus();
    await waitUntil(async () => (await session()).user?.status === 'two', 'saved on blur');
    expect((await session()).user!.emoji).to.equal('☕');
    expect(el.shadowRoot!.activeElement).to.equal(signOut);
  });
});

async function openEditor(el: WhatsupPresence): Promise<HTMLElement> {
  (part(el, 'me')!.querySelector('[part~="status"]') as HTMLElement).click();
  await waitUntil(() => part(el, 'status-panel'));
  return part(el, 'status-panel') as HTMLElement;
}
function rows(el: WhatsupPresence): string[] {
  return [...el.shadowRoot!.querySelectorAll('[part~="member"] [part~="name"]')].map(
    (n) => n.textContent ?? '',
  );
}
function rowHeights(el: WhatsupPresence): number[] {
  return [...el.shadowRoot!.querySelectorAll('[part~="member"]')].map(
    (r) => r.getBoundingClientRect().height,
  );
}
