import { expect, fixture, oneEvent } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../define.js';
import { define } from '../define.js';
import { PresenceController } from '../controller.js';
import { tick } from '../controllers/clock.js';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';
import { defaultMessages } from '../messages.js';
import { fr } from '../locales/fr.js';
import { es } from '../locales/es.js';
import { de } from '../locales/de.js';
import { ja } from '../locales/ja.js';
import { zhHans } from '../locales/zh-Hans.js';
import { ar } from '../locales/ar.js';
import { AUTH, CHANNEL, panel, part, setViewport, signUp, signedInPanel, waitUntil } from './support.js';

// At most 40 characters (the test server's limit), but wider than a phone's row.
const LONG = 'MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM';

describe('the redesigned panel', () => {
  const others: string[] = [];
  beforeEach(async () => {
    await fetch('/whatsup/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
  });
  afterEach(async () => {
    for (const id of others.splice(0)) await executeServerCommand('whatsup-person-leave', { id });
    await executeServerCommand('whatsup-people-forget');
    await setViewport({ width: 800, height: 600 });
  });
  async function person(name: string, status: string): Promise<Member> {
    const user = (await executeServerCommand('whatsup-person', { name, status })) as Member;
    others.push(user.id);
    return user;
  }

  it('should show compact rows (≤ 44 px), me once with "(you)", and the count once', async () => {
    await person('Bo', LONG);
    const el = await signedInPanel('Ada', {}, 'here');
    await waitUntil(() => rows(el).length === 2);
    const [mine, bo] = [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="member"]')];
    expect(mine!.matches('[part~="me"]')).to.equal(true);
    expect(mine!.textContent).to.contain('(you)');
    expect(el.shadowRoot!.querySelectorAll(`[data-id="${el.me!.id}"]`)).to.have.length(1);
    expect(el.shadowRoot!.querySelector('#list-title')!.textContent).to.equal('2 people online');
    for (const row of [mine!, bo!]) expect(row.getBoundingClientRect().height).to.be.at.most(44);
    const status = bo!.querySelector<HTMLElement>('[part~="status"]')!;
    expect(status.scrollWidth).to.be.greaterThan(status.clientWidth, 'truncated');
    expect(status.title).to.equal(LONG);
    expect(status.textContent).to.equal(LONG);
    await expect(el).to.be.accessible();
  });

  it('should expand a long status by click and collapse it again', async () => {
    await person('Bo', LONG);
    const el = await signedInPanel('Ex');
    await waitUntil(() => rows(el).length === 2);
    const row = () => el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="member"]')[1]!;
    const status = () => row().querySelector<HTMLElement>('[part~="status"]')!;
    const height = row().getBoundingClientRect().height;
    status().click();
    await el.updateComplete;
    expect(row().classList.contains('open')).to.equal(true);
    expect(row().getBoundingClientRect().height).to.be.greaterThan(height);
    status().click();
    await el.updateComplete;
    expect(row().getBoundingClientRect().height).to.equal(height);
  });

  it('should not change any row height when editing starts or ends, or when time passes', async () => {
    await person('Bo', 'coffee');
    const el = await signedInPanel('Edit', {}, 'one');
    await waitUntil(() => rows(el).length === 2);
    const heights = () =>
      [...el.shadowRoot!.querySelectorAll('[part~="member"]')].map((r) => r.getBoundingClientRect().height);
    const panelHeight = () => el.getBoundingClientRect().height;
    const before = [heights(), panelHeight()];
    (part(el, 'me')!.querySelector('[part~="status"]') as HTMLElement).click();
    await waitUntil(() => part(el, 'status-editor'));
    expect([heights(), panelHeight()]).to.deep.equal(before);
    (part(el, 'status-editor') as HTMLInputElement).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }),
    );
    await waitUntil(() => !part(el, 'status-editor'));
    expect([heights(), panelHeight()]).to.deep.equal(before);
    // The shared clock ticks: times are recomputed, heights stay.
    tick();
    await el.updateComplete;
    expect([heights(), panelHeight()]).to.deep.equal(before);
  });

  it('should handle long names and unbroken strings at 320 px without overflow', async () => {
    await setViewport({ width: 320, height: 640 });
    await person('Maximiliane Wolfeschlegelstein', 'x'.repeat(39));
    const el = await signedInPanel('Averylongnamewithoutspaces');
    await waitUntil(() => rows(el).length === 2);
    for (const row of el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="member"]')) {
      expect(row.scrollWidth).to.be.at.most(row.clientWidth + 1);
      expect(row.getBoundingClientRect().height).to.be.at.most(44);
    }
    expect(document.documentElement.scrollWidth).to.be.at.most(320);
  });

  it('should show announcements in the top layer, in the viewport of a scrolled phone, queued, and Escape dismisses', async () => {
    await setViewport({ width: 375, height: 700 });
    const el = await signedInPanel('Phone');
    const spacer = document.createElement('div');
    spacer.style.blockSize = '4000px';
    document.body.append(spacer);
    window.scrollTo(0, 3000);
    try {
      for (const message of ['one', 'two', 'three', 'four'])
        await executeServerCommand('whatsup-announce', { message });
      await waitUntil(() => el.shadowRoot!.querySelectorAll('[part~="toast"]').length === 3, 'three at once');
      const box = part(el, 'toasts') as HTMLElement;
      expect(box.matches(':popover-open')).to.equal(true);
      for (const toast of el.shadowRoot!.querySelectorAll('[part~="toast"]')) {
        const r = toast.getBoundingClientRect();
        expect(r.top).to.be.at.least(0);
        expect(r.bottom).to.be.at.most(window.innerHeight);
        expect(r.left).to.be.at.least(0);
        expect(r.right).to.be.at.most(window.innerWidth);
      }
      await expect(el).to.be.accessible();
      const first = el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="toast"] button')!;
      first.focus();
      first.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
      await waitUntil(() => texts(el).join() === 'two,three,four', `queued: ${texts(el).join()}`);
    } finally {
      spacer.remove();
      window.scrollTo(0, 0);
    }
  });

  it('should hold a toast while hovered or focused, then let it go', async () => {
    const el = await signedInPanel('Hold', { 'toast-duration': '300' }, '');
    await executeServerCommand('whatsup-announce', { message: 'held' });
    await waitUntil(() => part(el, 'toast'));
    part(el, 'toasts')!.dispatchEvent(new FocusEvent('focusin'));
    await new Promise((r) => setTimeout(r, 600));
    expect(part(el, 'toast'), 'still there while focused').to.not.equal(null);
    part(el, 'toasts')!.dispatchEvent(new FocusEvent('focusout'));
    await waitUntil(() => !part(el, 'toast'), 'gone after focus left');
  });

  it('should move focus to my status after Join and to the name field after Sign out', async () => {
    const el = await fixture<WhatsupPresence>(panel());
    await el.ready;
    await el.updateComplete;
    const root = el.shadowRoot!;
    root.querySelector<HTMLInputElement>('input[name="username"]')!.value =
      `Focus${Math.random().toString(36).slice(2, 6)}`;
    root.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitUntil(() => root.activeElement?.matches('[part~="me"]'), 'focus on my row');
    await el.signOut();
    await waitUntil(() => root.activeElement?.matches('input[name="username"]'), 'focus on the name field');
  });

  it('should say the session ended, and clear a refused-status message after the next success', async () => {
    const el = await signedInPanel('Gone', {}, 'a');
    expect(await el.setStatus('x'.repeat(41))).to.equal(false);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('#status-error')).to.not.equal(null);
    expect(el.shadowRoot!.activeElement?.matches('[part~="me"]')).to.equal(true);
    expect(await el.setStatus('fine')).to.equal(true);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('#status-error')).to.equal(null);
    await executeServerCommand('whatsup-expire-sessions');
    const out = oneEvent(el, 'whatsup-signed-out');
    await el.setStatus('after expiry');
    expect((await out).detail.reason).to.equal('expired');
    await el.updateComplete;
    expect(part(el, 'notice')!.textContent).to.contain('session ended');
    await expect(el).to.be.accessible();
  });

  it('should show no Sign out of its own in identify mode, or the logout-url link', async () => {
    document.cookie = `whatsup-test-user=id-${Date.now()}~${encodeURIComponent('Site User')}; path=/`;
    try {
      const el = await fixture<WhatsupPresence>(
        panel({
          'auth-endpoint': '/whatsup-id/usersystem/auth',
          channel: 'presence-whatsup-identified',
        }),
      );
      await el.ready;
      expect(el.state).to.equal('signed-in');
      expect(part(el, 'sign-out')).to.equal(null);
      el.logoutUrl = '/site/logout';
      await el.updateComplete;
      expect(part(el, 'sign-out')!.getAttribute('href')).to.equal('/site/logout');
      await expect(el).to.be.accessible();
    } finally {
      document.cookie = 'whatsup-test-user=; path=/; max-age=0';
    }
  });

  it('should offer an avatar stack with +N whose button opens the full list in a popover', async () => {
    await person('Bo', 'b');
    await person('Cy', 'c');
    await person('Dee', 'd');
    const el = await signedInPanel('Stacky', { variant: 'stack', 'max-visible': '2' }, '');
    await waitUntil(() => el.members.length === 4);
    await el.updateComplete;
    const button = part(el, 'stack') as HTMLButtonElement;
    expect(button.querySelector('.sr-only')!.textContent).to.equal('Show all 4 people online');
    expect(button.querySelectorAll('.av')).to.have.length(2);
    expect(button.querySelector('.more')!.textContent).to.equal('+2');
    await expect(el).to.be.accessible();
    button.click();
    const popover = part(el, 'popover') as HTMLElement;
    await waitUntil(() => popover.matches(':popover-open'), 'open');
    expect(popover.querySelectorAll('[part~="member"]')).to.have.length(4);
    await expect(el).to.be.accessible();
    popover.hidePopover();
  });

  it('should lay out a compact variant with one line per person', async () => {
    await person('Bo', 'coffee');
    const el = await signedInPanel('Compact', { variant: 'compact' }, 'here');
    await waitUntil(() => rows(el).length === 2);
    for (const row of el.shadowRoot!.querySelectorAll('[part~="member"]')) {
      expect(row.getBoundingClientRect().height).to.be.at.most(33);
    }
    await expect(el).to.be.accessible();
  });

  it('should pass axe in the identify-required state of every variant', async () => {
    for (const variant of ['list', 'compact', 'stack']) {
      const hint = await fixture<WhatsupPresence>(
        panel({
          variant,
          'auth-endpoint': '/whatsup-id/usersystem/auth',
          channel: 'presence-whatsup-identified',
        }),
      );
      await hint.ready;
      expect(hint.state).to.equal('identify-required');
      await expect(hint).to.be.accessible();
    }
  });

  it('should lay out right to left for Arabic', async () => {
    const el = await signedInPanel('Rtl', { lang: 'ar' }, 'مرحبا');
    const panelBox = el.shadowRoot!.querySelector('.panel')!;
    expect(getComputedStyle(panelBox).direction).to.equal('rtl');
    const row = part(el, 'me')!;
    const avatar = row.querySelector('.av')!.getBoundingClientRect();
    const name = row.querySelector('[part~="name"]')!.getBoundingClientRect();
    expect(avatar.left).to.be.greaterThan(name.left, 'the avatar is on the right');
  });

  it('should warn with both versions when a second copy meets the tag taken', () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      customElements.define('whatsup-other', class extends HTMLElement {});
      define('whatsup-other');
    } finally {
      console.warn = warn;
    }
    expect(warnings[0]).to.match(
      /already defined by @whatsup\/presence \(unknown version\); this copy \(\d+\.\d+\.\d+\)/,
    );
  });

  it('should drive the headless example page (examples/headless.html) from the bundle', async () => {
    await person('Bo', 'from the example');
    await signUp('Ex', 'mine');
    const frame = document.createElement('iframe');
    frame.src = '/packages/presence-element/examples/headless.html';
    document.body.append(frame);
    try {
      const doc = () => frame.contentDocument;
      await waitUntil(
        () =>
          [...(doc()?.querySelectorAll('#people li') ?? [])].some(
            (li) => li.textContent === 'Bo — from the example',
          ),
        'Bo listed by the example',
      );
      expect(doc()!.querySelector('#count')!.textContent).to.match(/^\d+ online$/);
      expect((doc()!.querySelector('#mine') as HTMLFormElement).hidden).to.equal(false);
    } finally {
      frame.remove();
    }
  });

  it('should run headless: a controller without the element', async () => {
    await person('Bo', 'headless');
    await signUp('Head', 'no element');
    const presence = PresenceController.standalone({ authEndpoint: AUTH, channel: CHANNEL });
    const joined: string[] = [];
    presence.host.addEventListener('whatsup-member-joined', (e) =>
      joined.push((e as CustomEvent).detail.member.name),
    );
    presence.connect();
    await presence.ready;
    try {
      expect(presence.state).to.equal('signed-in');
      expect(presence.others.map((m) => [m.name, m.status])).to.deep.include(['Bo', 'headless']);
      expect(presence.count).to.equal(presence.others.length + 1);
      await person('Late', 'joining');
      await waitUntil(() => joined.includes('Late'), 'joined event');
      expect(presence.others.map((m) => m.name)).to.include('Late');
    } finally {
      presence.disconnect();
    }
  });
});

describe('message packs', () => {
  const developerOnly = ['configMissing', 'configChannel', 'configPort', 'configUrl', 'configUnreachable'];
  const visitorKeys = Object.keys(defaultMessages)
    .filter((k) => !developerOnly.includes(k))
    .sort();
  const packs = { fr, es, de, ja, 'zh-Hans': zhHans, ar };
  const heading: Record<string, string> = {
    fr: '1 personne en ligne',
    es: '1 persona conectada',
    de: '1 Person online',
    ja: '1 人がオンライン',
    'zh-Hans': '1 人在线',
    ar: 'شخص واحد متصل',
  };

  for (const [lang, pack] of Object.entries(packs)) {
    it(`should translate every visitor-facing string and render in ${lang}`, async () => {
      expect(Object.keys(pack).sort()).to.deep.equal(visitorKeys);
      for (const [key, value] of Object.entries(pack)) {
        if (typeof value === 'string') expect(value, key).to.not.equal('');
      }
      await fetch('/whatsup/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const el = await signedInPanel(`L${lang.slice(0, 2)}`, { lang });
      expect(el.shadowRoot!.querySelector('#list-title')!.textContent).to.equal(heading[lang]);
      expect(part(el, 'me')!.querySelector('.you')!.textContent).to.equal(pack.you);
      const direction = getComputedStyle(el.shadowRoot!.querySelector('.panel')!).direction;
      expect(direction).to.equal(lang === 'ar' ? 'rtl' : 'ltr');
      await expect(el).to.be.accessible();
    });
  }

  it('should load a pack as a classic script beside the one-file bundle', async () => {
    await fetch('/whatsup/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const dist = '/packages/presence-element/dist';
    const frame = document.createElement('iframe');
    frame.srcdoc = `<!doctype html><html lang="fr"><title>fr</title>
      <script src="${dist}/whatsup-presence.bundle.min.js"></script>
      <script src="${dist}/locales/fr.bundle.min.js"></script>
      <whatsup-presence auth-endpoint="${AUTH}" channel="${CHANNEL}"></whatsup-presence>`;
    document.body.append(frame);
    try {
      const title = () =>
        frame.contentDocument?.querySelector('whatsup-presence')?.shadowRoot?.querySelector('#form-title')
          ?.textContent;
      await waitUntil(() => title() === fr.signUpTitle, `French form title, got "${title()}"`);
    } finally {
      frame.remove();
    }
  });

  it('should use the nearest lang and follow a region subtag to its language (fr-CA → fr)', async () => {
    const wrapper = document.createElement('div');
    wrapper.lang = 'fr-CA';
    document.body.append(wrapper);
    try {
      await signUp('Ca', '');
      const el = document.createElement('whatsup-presence');
      el.setAttribute('auth-endpoint', AUTH);
      el.setAttribute('channel', CHANNEL);
      wrapper.append(el);
      await el.ready;
      await el.updateComplete;
      expect(part(el, 'sign-out')!.textContent!.trim()).to.equal('Se déconnecter');
      el.messages = { signOut: 'Au revoir' };
      await el.updateComplete;
      expect(part(el, 'sign-out')!.textContent!.trim()).to.equal('Au revoir', 'messages overrides the pack');
    } finally {
      wrapper.remove();
    }
  });
});

function texts(el: WhatsupPresence): string[] {
  return [...el.shadowRoot!.querySelectorAll('[part~="toast"] .toast-text')].map((t) => t.textContent ?? '');
}

function rows(el: WhatsupPresence): string[] {
  return [...el.shadowRoot!.querySelectorAll('[part~="member"] [part~="name"]')].map(
    (n) => n.textContent ?? '',
  );
}
