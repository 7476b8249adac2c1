// Themes, the connection failing, and attributes changed after the panel connected (issue 22).
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../define.js';
import { guestPanel, waitUntil } from './support.js';
import { clockTime } from '../localize.js';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';

const DARK_BG = 'rgb(28, 27, 34)';
const LIGHT_BG = 'rgb(255, 255, 255)';

describe('themes', () => {
  afterEach(() => document.documentElement.style.removeProperty('--whatsup-bg'));

  it('should be light, dark, or follow the system, as theme says, and pass axe in each', async () => {
    const systemDark = matchMedia('(prefers-color-scheme: dark)').matches;
    for (const [theme, bg, scheme] of [
      ['light', LIGHT_BG, 'light'],
      ['dark', DARK_BG, 'dark'],
      ['auto', systemDark ? DARK_BG : LIGHT_BG, systemDark ? 'dark' : 'light'],
    ] as const) {
      const el = await guestPanel('Themed', { theme });
      const panel = el.shadowRoot!.querySelector('.panel')!;
      expect([theme, getComputedStyle(panel).backgroundColor]).to.deep.equal([theme, bg]);
      // Form controls (the editor's selects, the filter) follow it too.
      expect(getComputedStyle(el).colorScheme).to.equal(scheme);
      await expect(el).to.be.accessible();
      el.remove();
    }
  });

  it('should take the documented custom properties from :root, in either theme', async () => {
    document.documentElement.style.setProperty('--whatsup-bg', 'rgb(1, 2, 3)');
    for (const theme of ['light', 'dark']) {
      const el = await guestPanel('Custom', { theme });
      expect(getComputedStyle(el.shadowRoot!.querySelector('.panel')!).backgroundColor).to.equal(
        'rgb(1, 2, 3)',
      );
      el.remove();
    }
  });

  it('should keep its dark greys in the accent’s hue family (no blue-grey card under a violet accent)', async () => {
    const el = await guestPanel('Hues', { theme: 'dark' });
    const hue = (property: string) => hsl(getComputedStyle(el).getPropertyValue(property));
    const accent = hue('--_accent');
    for (const property of ['--_bg', '--_fg', '--_muted', '--_border', '--_highlight']) {
      const [h, chroma] = hue(property);
      const distance = Math.min(Math.abs(h - accent[0]), 360 - Math.abs(h - accent[0]));
      expect(distance, `${property} hue ${h}° vs the accent's ${accent[0]}°`).to.be.below(15);
      expect(chroma, `${property} stays a grey`).to.be.below(property === '--_highlight' ? 0.25 : 0.08);
    }
  });

  it('should show an announcement as a labelled card with an icon, in the panel’s colours, in dark too', async () => {
    const el = await guestPanel('Toasty', { theme: 'dark' });
    await executeServerCommand('whatsup-announce', { message: 'Lunch is served' });
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="toast"]'));
    const toast = el.shadowRoot!.querySelector<HTMLElement>('[part~="toast"]')!;
    expect(toast.querySelector('.toast-label')!.textContent).to.equal('Announcement');
    expect(toast.querySelector('svg.toast-icon')!.getAttribute('aria-hidden')).to.equal('true');
    expect(toast.querySelector('.toast-text')!.textContent).to.equal('Lunch is served');
    expect(getComputedStyle(toast).backgroundColor).to.equal(DARK_BG);
    await expect(el).to.be.accessible();
  });
});

describe('the connection failing', () => {
  const others: string[] = [];
  const RealWebSocket = window.WebSocket;
  afterEach(async () => {
    window.WebSocket = RealWebSocket;
    for (const id of others.splice(0)) await executeServerCommand('whatsup-person-leave', { id });
    await executeServerCommand('whatsup-people-forget');
  });

  it('should say the live server cannot be reached and that it tries again, never "left" or "nobody else"', async function (this: {
    timeout(ms: number): void;
  }) {
    this.timeout(30_000);
    // Nothing listens on port 9: pusher-js says "unavailable" after its 10 s.
    const el = await guestPanel('Lonely', { 'ws-port': '9' }, false);
    await waitUntil(() => el.state === 'signed-in');
    await el.updateComplete;
    expect(text(el, 'hint')).to.equal('Connecting…');
    expect(text(el, 'connection'), 'the first try is still going').to.equal('');
    await waitUntil(() => el.connectionState === 'unavailable', 'unavailable', 15_000);
    await el.updateComplete;
    expect(text(el, 'connection')).to.match(
      /^Can't reach the live server\. (Trying again…|Next try in \d+ sec\.)/,
    );
    const mine = el.shadowRoot!.querySelector('[part~="me"]')!;
    expect(mine.classList.contains('left')).to.equal(false);
    expect(mine.textContent).to.not.contain('Left');
    expect(text(el, 'hint'), 'the notice says it all').to.equal('');
    await expect(el).to.be.accessible();
  });

  it('should keep the list when the connection drops, marked as of when, count down to the next try, and recover', async () => {
    const bo = (await executeServerCommand('whatsup-person', { name: 'Bo', status: 'steady' })) as Member;
    others.push(bo.id);
    const el = await guestPanel('Dropped');
    await waitUntil(() => el.shadowRoot!.querySelector(`[data-id="${bo.id}"]`));
    const seen: string[] = [];
    const observer = new MutationObserver(() => seen.push(text(el, 'connection')));
    observer.observe(el.shadowRoot!, { childList: true, subtree: true, characterData: true });
    // Every new socket goes where nothing listens, then the server drops this one (4100: back off 1 s).
    window.WebSocket = class extends RealWebSocket {
      constructor(_url: string | URL, protocols?: string | string[]) {
        super('ws://127.0.0.1:9/', protocols);
      }
    };
    const lost = Date.now();
    await executeServerCommand('whatsup-drop-all');
    await waitUntil(
      () => seen.some((t) => /Next try in 1 sec\./.test(t)),
      `a countdown: ${seen.join(' / ')}`,
    );
    const notice = text(el, 'connection');
    expect(notice).to.contain(`Reconnecting… Showing who was here at ${clockTime('en', lost)}.`);
    expect(el.shadowRoot!.querySelector(`[data-id="${bo.id}"]`), 'the list is kept').to.not.equal(null);
    expect(el.shadowRoot!.querySelector('.scroller')!.classList.contains('stale')).to.equal(true);
    expect(el.shadowRoot!.querySelector('[part~="me"]')!.classList.contains('left')).to.equal(false);
    await expect(el).to.be.accessible();
    window.WebSocket = RealWebSocket;
    await waitUntil(() => el.connectionState === 'connected' && !text(el, 'connection'), 'recovered', 20_000);
    observer.disconnect();
    expect(el.shadowRoot!.querySelector('.scroller')!.classList.contains('stale')).to.equal(false);
  });
});

describe('attributes changed after the panel connected', () => {
  it('should follow variant, theme, max-visible and toast-duration at once', async () => {
    const el = await guestPanel('Later');
    const row = () => el.shadowRoot!.querySelector('[part~="me"]')!.getBoundingClientRect().height;
    expect(row()).to.be.above(40);
    el.setAttribute('variant', 'compact');
    await el.updateComplete;
    expect(row()).to.be.at.most(33);
    el.setAttribute('theme', 'dark');
    await el.updateComplete;
    expect(getComputedStyle(el.shadowRoot!.querySelector('.panel')!).backgroundColor).to.equal(DARK_BG);
    el.setAttribute('variant', 'stack');
    el.setAttribute('max-visible', '1');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('.in-stack')).to.have.length(1);
    el.setAttribute('toast-duration', '200');
    await executeServerCommand('whatsup-announce', { message: 'brief' });
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="toast"]'));
    await waitUntil(() => !el.shadowRoot!.querySelector('[part~="toast"]'), 'gone after 200 ms', 2000);
  });
});

// ---- helpers ----

function text(el: WhatsupPresence, partName: string): string {
  return (el.shadowRoot!.querySelector(`[part~="${partName}"]`)?.textContent ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** [hue in degrees, chroma 0–1] of a #rrggbb colour. */
function hsl(hex: string): [number, number] {
  const [r, g, b] = (hex.trim().match(/[0-9a-f]{2}/gi) ?? []).map((x) => Number.parseInt(x, 16) / 255) as [
    number,
    number,
    number,
  ];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  const h = d === 0 ? 0 : max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return [(h * 60 + 360) % 360, d];
}
