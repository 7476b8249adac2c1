// The list (issue 22): one tab stop and the keys of a listbox, a long room that scrolls inside the
// panel with a filter and a fade, names in the panel's language's order, user text aligned to the
// panel's start whatever its own direction.
import { expect, fixture } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { guestPanel, panel, waitUntil } from './support.js';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';

describe('the list', () => {
  const others: string[] = [];
  afterEach(async () => {
    for (const id of others.splice(0)) await executeServerCommand('whatsup-person-leave', { id });
    await executeServerCommand('whatsup-people-forget');
    document.cookie = 'whatsup-test-user=; max-age=0; path=/';
  });
  async function person(name: string, status = ''): Promise<Member> {
    const user = (await executeServerCommand('whatsup-person', { name, status })) as Member;
    others.push(user.id);
    return user;
  }

  describe('for the keyboard', () => {
    it('should be one tab stop with arrows, Home, End and type-ahead between people, whatever their status', async () => {
      await person('Bo Lindqvist', 'b');
      await person('Cy', '');
      await person('Dee', 'd');
      const el = await guestPanel('Ada');
      await waitUntil(() => options(el).length === 4);
      const stops = () => options(el).filter((o) => o.tabIndex === 0);
      expect(stops().map((o) => o.dataset['id'])).to.deep.equal([el.me!.id], 'one tab stop: me');
      stops()[0]!.focus();
      const focused = () =>
        (el.shadowRoot!.activeElement as HTMLElement | null)?.querySelector('[part~="name"]')?.textContent;
      await press(el, 'ArrowDown');
      expect(focused()).to.equal('Bo Lindqvist');
      await press(el, 'ArrowDown');
      expect(focused(), 'Cy has no status and is reachable').to.equal('Cy');
      expect(stops()).to.have.length(1);
      expect(stops()[0]).to.equal(el.shadowRoot!.activeElement, 'the tab stop follows focus');
      await press(el, 'End');
      expect(focused()).to.equal('Dee');
      await press(el, 'Home');
      expect(focused()).to.match(/^Ada/);
      await press(el, 'd');
      expect(focused(), 'type-ahead').to.equal('Dee');
      // A pause ends the typed prefix; then several letters find one name.
      await new Promise((r) => setTimeout(r, 800));
      await press(el, 'b');
      await press(el, 'o');
      await press(el, ' ');
      await press(el, 'l');
      expect(focused()).to.equal('Bo Lindqvist');
      expect(options(el)[1]!.classList.contains('open'), 'a space while typing is part of the name').to.equal(
        false,
      );
      // Each row is named by its content: who, their state, their status.
      const cy = options(el).find((o) => o.textContent!.includes('Cy'))!;
      expect(cy.getAttribute('role')).to.equal('option');
      expect(el.shadowRoot!.querySelector('[part~="list"]')!.getAttribute('role')).to.equal('listbox');
      await expect(el).to.be.accessible();
    });

    it('should edit my status with Enter on my row, and show all of a long status with Enter on another', async () => {
      await person('Bo', 'x'.repeat(40));
      const el = await guestPanel('Ada', { style: 'max-width: 320px' });
      await waitUntil(() => options(el).length === 2);
      const mine = options(el)[0]!;
      mine.focus();
      await press(el, 'Enter');
      await waitUntil(
        () => el.shadowRoot!.activeElement?.matches('[part~="status-editor"]'),
        'the editor has focus',
      );
      el.shadowRoot!.activeElement!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }),
      );
      await waitUntil(() => el.shadowRoot!.activeElement === options(el)[0], 'focus back on my row');
      await press(el, 'ArrowDown');
      const bo = options(el)[1]!;
      const height = bo.getBoundingClientRect().height;
      await press(el, 'Enter');
      expect(bo.classList.contains('open')).to.equal(true);
      expect(bo.getBoundingClientRect().height).to.be.greaterThan(height);
      await press(el, ' ');
      expect(bo.classList.contains('open')).to.equal(false);
    });

    for (const theme of ['light', 'dark'] as const) {
      it(`should show where focus is in the ${theme} theme`, async () => {
        await person('Bo', 'b');
        const el = await guestPanel('Ada', { theme });
        await waitUntil(() => options(el).length === 2);
        options(el)[0]!.focus();
        await press(el, 'ArrowDown');
        const row = el.shadowRoot!.activeElement as HTMLElement;
        expect(row.matches(':focus-visible')).to.equal(true);
        const style = getComputedStyle(row);
        expect([style.outlineStyle, Number.parseFloat(style.outlineWidth)]).to.deep.equal(['solid', 2]);
        expect(style.outlineColor).to.not.equal(
          getComputedStyle(el.shadowRoot!.querySelector('.panel')!).backgroundColor,
        );
        await expect(el).to.be.accessible();
      });
    }

    it('should move through a windowed room of 130 by keyboard, End and type-ahead reaching rows not rendered', async function (this: {
      timeout(ms: number): void;
    }) {
      this.timeout(60_000);
      document.cookie = `whatsup-test-user=keys-${Date.now()}~${encodeURIComponent('A keyboard user')}; path=/`;
      const el = await fixture<WhatsupPresence>(
        panel({ 'auth-endpoint': '/whatsup-id/usersystem/auth', channel: 'presence-whatsup-identified' }),
      );
      await el.ready;
      await executeServerCommand('whatsup-crowd', { count: 130 });
      try {
        await waitUntil(() => el.members.length === 131, 'all listed', 30_000);
        await el.updateComplete;
        expect(options(el).length).to.be.below(131, 'windowed');
        options(el)[0]!.focus();
        await press(el, 'End');
        await waitUntil(
          () => el.shadowRoot!.activeElement?.getAttribute('data-id') === 'crowd-129',
          'the last person',
        );
        expect(el.shadowRoot!.activeElement!.getAttribute('aria-posinset')).to.equal('131');
        await press(el, 'Home');
        await waitUntil(() => el.shadowRoot!.activeElement === options(el)[0], 'me again');
        for (const key of 'crowd 0100') await press(el, key);
        await waitUntil(
          () => el.shadowRoot!.activeElement?.getAttribute('data-id') === 'crowd-100',
          'typed to Crowd 0100',
        );
        expect(options(el).filter((o) => o.tabIndex === 0)).to.have.length(1);
      } finally {
        await executeServerCommand('whatsup-crowd-leave');
      }
    });
  });

  describe('in a long room', () => {
    it('should scroll inside the panel under a fade, with a filter from 20 people whose box lines up with the rows', async function (this: {
      timeout(ms: number): void;
    }) {
      this.timeout(60_000);
      for (let i = 0; i < 21; i++) await person(`Person ${i + 1}`, i % 2 ? 'busy' : '');
      const el = await guestPanel('Ada');
      await waitUntil(() => el.members.length === 22, 'all listed', 20_000);
      await el.updateComplete;
      const box = el.shadowRoot!.querySelector<HTMLElement>('.scroller')!;
      const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize);
      expect(box.clientHeight).to.be.at.most(24 * rem + 1, 'the default --whatsup-list-height');
      expect(box.scrollHeight).to.be.greaterThan(box.clientHeight);
      expect(el.getBoundingClientRect().height).to.be.below(30 * rem, 'the page does not grow with the room');
      await waitUntil(() => box.classList.contains('cut-bottom'), 'a fade at the bottom');
      expect(getComputedStyle(box, '::after').visibility).to.equal('visible');
      const filter = el.shadowRoot!.querySelector<HTMLElement>('[part~="filter"]')!;
      const [f, r] = [filter.getBoundingClientRect(), options(el)[1]!.getBoundingClientRect()];
      expect([Math.round(f.left), Math.round(f.right)]).to.deep.equal([
        Math.round(r.left),
        Math.round(r.right),
      ]);
      box.scrollTop = box.scrollHeight;
      await waitUntil(
        () => !box.classList.contains('cut-bottom') && box.classList.contains('cut-top'),
        'cut above, not below',
      );
      // The height is the page's to choose.
      el.style.setProperty('--whatsup-list-height', '10rem');
      await waitUntil(() => Math.abs(box.clientHeight - 10 * rem) <= 1);
      await expect(el).to.be.accessible();
    });

    it('should have no filter below 20 people', async () => {
      for (let i = 0; i < 3; i++) await person(`Few ${i}`);
      const el = await guestPanel('Ada');
      await waitUntil(() => el.members.length === 4);
      expect(el.shadowRoot!.querySelector('[part~="filter"]')).to.equal(null);
      expect(el.shadowRoot!.querySelector('.scroller')!.classList.contains('cut-bottom')).to.equal(false);
    });
  });

  describe('order and scripts', () => {
    it("should sort names in the panel's language, numbers as numbers", async () => {
      for (const name of ['Cruz 10', 'Cruz 2', 'Öz', 'Zoe', 'Cruz 1']) await person(name);
      const el = await guestPanel('Aaa');
      await waitUntil(() => el.members.length === 6);
      const names = () =>
        options(el)
          .slice(1)
          .map((o) => o.querySelector('[part~="name"]')!.textContent);
      await waitUntil(() => names().join() === 'Cruz 1,Cruz 2,Cruz 10,Öz,Zoe', names().join());
      el.setAttribute('lang', 'sv');
      await waitUntil(() => names().join() === 'Cruz 1,Cruz 2,Cruz 10,Zoe,Öz', `Swedish: ${names().join()}`);
    });

    for (const dir of ['ltr', 'rtl'] as const) {
      it(`should line a status in another script up with the name, at the start of a ${dir} panel`, async () => {
        const sara = await person(
          dir === 'ltr' ? 'Sara Ahmed' : 'سارة',
          dir === 'ltr' ? 'أعمل من المنزل اليوم' : 'Working from home',
        );
        const el = await guestPanel('Ada', dir === 'rtl' ? { lang: 'ar' } : {});
        await waitUntil(() => el.shadowRoot!.querySelector(`[data-id="${sara.id}"] [part~="status"]`));
        const r = el.shadowRoot!.querySelector(`[data-id="${sara.id}"]`)!;
        const name = r.querySelector<HTMLElement>('[part~="name"]')!;
        const status = r.querySelector<HTMLElement>('[part~="status"]')!;
        // Each keeps its own direction, isolated from the panel's...
        expect([name.dir, status.dir]).to.deep.equal(['auto', 'auto']);
        expect(getComputedStyle(status).unicodeBidi).to.equal('isolate');
        // ...and starts where the panel's lines start.
        const edge = (e: HTMLElement) => {
          const range = document.createRange();
          range.selectNodeContents(e);
          const b = range.getBoundingClientRect();
          return dir === 'ltr' ? b.left : b.right;
        };
        expect(Math.abs(edge(name) - edge(status)), `${edge(name)} vs ${edge(status)}`).to.be.below(2);
      });
    }
  });
});

// ---- helpers ----

function options(el: WhatsupPresence): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="list"] > [role="option"]')];
}

/** A key on whatever has focus in the panel, then the render it causes. */
async function press(el: WhatsupPresence, key: string): Promise<void> {
  const target = el.shadowRoot!.activeElement ?? el;
  target.dispatchEvent(
    new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }),
  );
  await el.updateComplete;
  await el.updateComplete;
}
