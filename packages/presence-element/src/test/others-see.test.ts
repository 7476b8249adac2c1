// What a person shows, read from another person's panel (issue 22): two panels in one page are
// two people, each on its own mount of the identify router with a path-scoped cookie; or a
// panel watching people the test server plays. Never the own row.
import { expect, fixture } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../define.js';
import { guestPanel, part, row, setViewport, waitUntil } from './support.js';
import { clockTime } from '../localize.js';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';

const CHANNEL = 'presence-whatsup-identified';
const MOUNTS = ['/whatsup-id', '/whatsup-id-other'] as const;

describe('what others see', () => {
  const panels: WhatsupPresence[] = [];
  afterEach(async () => {
    for (const el of panels.splice(0)) el.remove();
    for (const mount of MOUNTS) document.cookie = `whatsup-test-user=; max-age=0; path=${mount}/`;
    await setViewport({ width: 800, height: 600 });
  });

  /** Ada and Bo, each in a panel of their own, each listing the other. */
  async function adaAndBo(): Promise<[WhatsupPresence, WhatsupPresence]> {
    const ids = [unique('ada'), unique('bo')];
    MOUNTS.forEach((mount, i) => {
      document.cookie = `whatsup-test-user=${ids[i]}~${['Ada', 'Bo'][i]}; path=${mount}/`;
    });
    const [ada, bo] = await Promise.all(
      MOUNTS.map(async (mount) => {
        const el = document.createElement('whatsup-presence');
        el.setAttribute('auth-endpoint', `${mount}/usersystem/auth`);
        el.setAttribute('channel', CHANNEL);
        el.setAttribute('leave-grace', '0');
        panels.push(el);
        await fixture<WhatsupPresence>(el);
        await el.ready;
        return el;
      }),
    );
    await waitUntil(() => row(bo!, ada!.me!.id) && row(ada!, bo!.me!.id), 'each lists the other');
    return [ada!, bo!];
  }

  /** What Bo's panel shows of Ada in each variant, and in the stack's popover. */
  async function everyVariant(bo: WhatsupPresence, adaId: string, check: (row: Element) => void) {
    for (const variant of ['list', 'compact', 'stack'] as const) {
      bo.variant = variant;
      await bo.updateComplete;
      if (variant === 'stack') {
        (part(bo, 'stack') as HTMLButtonElement).click();
        await waitUntil(() => (part(bo, 'popover') as HTMLElement).matches(':popover-open'), 'popover');
        expect(part(bo, 'popover')!.contains(row(bo, adaId))).to.equal(true);
      }
      check(row(bo, adaId)!);
      await expect(bo).to.be.accessible();
      if (variant === 'stack') (part(bo, 'popover') as HTMLElement).hidePopover();
    }
    bo.variant = 'list';
  }

  it("should show the emoji Ada picks in her picker, her text and when it clears, in Bo's panel, in every variant", async () => {
    const [ada, bo] = await adaAndBo();
    // Ada, by her own editor: the picker's 📝, a text, clear after an hour, Save.
    (part(ada, 'me') as HTMLElement).click();
    await waitUntil(() => part(ada, 'status-panel'), 'the editor');
    (part(ada, 'emoji-button') as HTMLButtonElement).click();
    await waitUntil(() => part(ada, 'picker'));
    [...ada.shadowRoot!.querySelectorAll<HTMLElement>('.picker [role=option]')]
      .find((o) => o.textContent === '📝')!
      .click();
    const text = part(ada, 'status-editor') as HTMLInputElement;
    text.value = 'Writing the docs';
    text.dispatchEvent(new Event('input', { bubbles: true }));
    const clear = part(ada, 'clear-after') as HTMLSelectElement;
    clear.value = '1h';
    clear.dispatchEvent(new Event('change', { bubbles: true }));
    (ada.shadowRoot!.querySelector('.pop .primary') as HTMLButtonElement).click();
    await waitUntil(() => !part(ada, 'status-panel'), 'saved and closed');
    const adaId = ada.me!.id;
    const clearAt = ada.me!.clearAt!;
    expect(clearAt - Date.now()).to.be.within(59 * 60_000, 61 * 60_000);
    await waitUntil(
      () => statusOf(bo, adaId) === '📝 Writing the docs',
      `Bo sees it, got "${statusOf(bo, adaId)}"`,
    );
    await everyVariant(bo, adaId, (r) => {
      expect(r.querySelector('[part~="status"]')!.textContent).to.equal('📝 Writing the docs');
      expect(r.querySelector('[part~="time"]')!.textContent).to.equal(`until ${clockTime('en', clearAt)}`);
    });

    // An emoji alone is a status too.
    expect(await ada.setStatus({ text: '', emoji: '🎧' })).to.equal(true);
    await waitUntil(
      () => statusOf(bo, adaId) === '🎧',
      `Bo sees the emoji alone, got "${statusOf(bo, adaId)}"`,
    );
    await everyVariant(bo, adaId, (r) => {
      expect(r.querySelector('[part~="status"]')!.textContent).to.equal('🎧');
      expect(r.querySelector('[part~="time"]'), 'no expiry, just set: nothing to say').to.equal(null);
    });
  });

  it("should show Ada's availability and activity in Bo's panel, with idle-after changed after she connected", async () => {
    const [ada, bo] = await adaAndBo();
    const adaId = ada.me!.id;
    expect(await ada.setStatus('Heads down')).to.equal(true);
    // Do not disturb, from her editor.
    (part(ada, 'me') as HTMLElement).click();
    await waitUntil(() => part(ada, 'availability'));
    const availability = part(ada, 'availability') as HTMLSelectElement;
    availability.value = 'dnd';
    availability.dispatchEvent(new Event('change', { bubbles: true }));
    await waitUntil(
      () => stateOf(bo, adaId) === 'Do not disturb',
      `Bo sees dnd, got "${stateOf(bo, adaId)}"`,
    );
    await everyVariant(bo, adaId, (r) => {
      expect(r.classList.contains('dnd')).to.equal(true);
      expect(r.querySelector('[part~="presence"]')!.textContent).to.equal('Do not disturb');
      expect(r.querySelector('[part~="status"]')!.textContent).to.equal('Heads down');
    });
    (ada.shadowRoot!.querySelector('.pop .link') as HTMLButtonElement).click();
    expect(await ada.setAvailability('auto')).to.equal(true);
    // Away: idle-after set to 1 s now, long after she connected (300 s by default).
    ada.idleAfter = 1;
    await waitUntil(
      () => /^Away since \d/.test(stateOf(bo, adaId)),
      `Bo sees her away, got "${stateOf(bo, adaId)}"`,
      6000,
    );
    await everyVariant(bo, adaId, (r) => {
      expect(r.classList.contains('away')).to.equal(true);
      expect(r.querySelector('[part~="presence"]')!.textContent).to.match(/^Away since \d{1,2}:\d{2}/);
    });
    // Back: no "now" in the time slot (her record's time moved, her status did not).
    ada.idleAfter = 300;
    const moving = setInterval(() => document.dispatchEvent(new MouseEvent('mousemove')), 200);
    try {
      await waitUntil(() => stateOf(bo, adaId) === '', 'active again for Bo', 6000);
    } finally {
      clearInterval(moving);
    }
    expect(row(bo, adaId)!.querySelector('[part~="time"]')).to.equal(null);
  });

  describe('watching people the server plays', () => {
    const others: string[] = [];
    afterEach(async () => {
      for (const id of others.splice(0)) await executeServerCommand('whatsup-person-leave', { id });
      await executeServerCommand('whatsup-people-forget');
    });
    async function person(name: string, status: string, body: Record<string, unknown> = {}): Promise<Member> {
      const user = (await executeServerCommand('whatsup-person', { name, status })) as Member;
      others.push(user.id);
      for (const [path, value] of Object.entries(body))
        await executeServerCommand('whatsup-person-post', { id: user.id, path, body: value });
      return user;
    }

    it('should keep every name, state and time readable at 320 px, my own Invisible too', async () => {
      await setViewport({ width: 320, height: 640 });
      const bo = await person('Bo Lindqvist', 'In a meeting until 3', { '/activity': { activity: 'away' } });
      const chidi = await person('Chidi Okonkwo', 'At lunch, back at 1:30, ping if urgent', {
        '/availability': { availability: 'dnd' },
        '/status': { status: 'At lunch, back at 1:30, ping if urgent', emoji: '🍕', clearAfter: '30m' },
      });
      const el = await guestPanel('Watcher');
      await waitUntil(
        () => stateOf(el, bo.id).startsWith('Away') && stateOf(el, chidi.id) === 'Do not disturb',
      );
      expect(await el.setAvailability('invisible')).to.equal(true);
      await waitUntil(() => el.connectionState === 'connected' && row(el, chidi.id) && row(el, el.me!.id));
      await el.updateComplete;
      for (const r of el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="list"] > [part~="member"]')) {
        const box = r.getBoundingClientRect();
        for (const selector of ['[part~="name"]', '[part~="presence"]', '[part~="time"]']) {
          const e = r.querySelector<HTMLElement>(selector);
          if (!e) continue;
          const b = e.getBoundingClientRect();
          expect(e.scrollWidth, `${selector} of ${r.textContent} is cut`).to.be.at.most(e.clientWidth + 1);
          expect(b.left >= box.left - 1 && b.right <= box.right + 1, `${selector} inside its row`).to.equal(
            true,
          );
        }
        // A long status gives way (ellipsis) but is whole in its title and its row's name.
        const status = r.querySelector<HTMLElement>('[part~="status"]:not(.empty)');
        if (status) expect(status.title).to.contain(status.textContent!.replace(/^🍕 /, ''));
      }
      expect(stateOf(el, el.me!.id)).to.equal('Invisible');
      expect(row(el, chidi.id)!.querySelector('[part~="time"]')!.textContent).to.match(/^until /);
      expect(document.documentElement.scrollWidth).to.be.at.most(320);
      await expect(el).to.be.accessible();
    });

    it('should tell away and do not disturb apart by the shape of the dot, not its colour alone', async () => {
      const bo = await person('Bo', 'b', { '/activity': { activity: 'away' } });
      const cy = await person('Cy', 'c', { '/availability': { availability: 'dnd' } });
      const dee = await person('Dee', 'd');
      const el = await guestPanel('Shapes');
      await waitUntil(
        () => row(el, bo.id)?.classList.contains('away') && row(el, cy.id)?.classList.contains('dnd'),
      );
      await waitUntil(() => row(el, dee.id));
      // The dots' backgrounds with every colour taken out: what is left is their shape.
      const shape = (id: string) => {
        const style = getComputedStyle(row(el, id)!.querySelector('.dot')!);
        return `${style.backgroundImage} ${style.backgroundSize} ${style.boxShadow}`.replace(
          /rgba?\([^)]*\)|#[0-9a-f]+/gi,
          'C',
        );
      };
      const shapes = [shape(bo.id), shape(cy.id), shape(dee.id)];
      expect(new Set(shapes).size, shapes.join(' | ')).to.equal(3);
      // Big enough to see the shape: at least 10 px inside the ring.
      for (const id of [bo.id, cy.id])
        expect(row(el, id)!.querySelector('.dot')!.clientWidth).to.be.at.least(10);
    });

    it('should leave the time slot empty for a status just set, and for someone who came back', async () => {
      const bo = await person('Bo', 'fresh');
      const el = await guestPanel('Timer');
      await waitUntil(() => row(el, bo.id));
      expect(row(el, bo.id)!.querySelector('[part~="time"]')).to.equal(null);
      await executeServerCommand('whatsup-person-post', {
        id: bo.id,
        path: '/activity',
        body: { activity: 'away' },
      });
      await waitUntil(() => stateOf(el, bo.id).startsWith('Away'));
      await executeServerCommand('whatsup-person-post', {
        id: bo.id,
        path: '/activity',
        body: { activity: 'active' },
      });
      await waitUntil(() => stateOf(el, bo.id) === '', 'back', 6000);
      expect(row(el, bo.id)!.querySelector('[part~="time"]'), 'no "now"').to.equal(null);
    });

    it('should ring each avatar of the stack, show their dots, and count in +N only the people not shown', async () => {
      await person('Bo', 'b', { '/activity': { activity: 'away' } });
      await person('Cy', 'c');
      const dee = await person('Dee', 'd');
      const el = await guestPanel('Stack', { variant: 'stack', 'max-visible': '2', 'leave-grace': '30' });
      await waitUntil(() => el.members.length === 4);
      // Dee leaves: greyed in the list for the grace, but no longer counted or stacked.
      await executeServerCommand('whatsup-person-leave', { id: dee.id });
      others.splice(others.indexOf(dee.id), 1);
      await waitUntil(() => el.controller.count === 3);
      await el.updateComplete;
      const stack = part(el, 'stack')!;
      const avatars = [...stack.querySelectorAll<HTMLElement>('.in-stack')];
      expect(avatars).to.have.length(2);
      expect(stack.querySelector('.more')!.textContent).to.equal('+1');
      expect(stack.querySelector('.sr-only')!.textContent).to.equal('Show all 3 people online');
      const bg = getComputedStyle(el.shadowRoot!.querySelector('.stack')!).backgroundColor;
      for (const a of avatars) {
        expect(getComputedStyle(a.querySelector('.avatar')!).boxShadow).to.contain(bg);
        const dot = a.querySelector<HTMLElement>('.dot')!;
        expect(dot.checkVisibility(), 'a presence dot').to.equal(true);
        // Not hidden under the next avatar: the point at the dot's centre is the dot.
        const d = dot.getBoundingClientRect();
        expect(el.shadowRoot!.elementFromPoint(d.left + d.width / 2, d.top + d.height / 2)).to.equal(dot);
      }
      await expect(el).to.be.accessible();
    });
  });
});

// ---- helpers ----

function unique(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 7)}`;
}

function statusOf(el: WhatsupPresence, id: string): string {
  return row(el, id)?.querySelector('[part~="status"]')?.textContent ?? '';
}

function stateOf(el: WhatsupPresence, id: string): string {
  return row(el, id)?.querySelector('[part~="presence"]')?.textContent ?? '';
}
