import { expect, fixture, html, oneEvent, waitUntil as openWcWaitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../define.js';
import { PALETTE } from '../views/avatar.js';
import { tick } from '../controllers/clock.js';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';
import { session, type } from './support.js';

const AUTH = '/whatsup/usersystem/auth';
const CHANNEL = 'presence-whatsup-members';
const HOSTILE_NAME = '<img src=x onerror=__pwned=1>';
const HOSTILE_STATUS = '<script>__pwned=2</script><b>b</b>';
const BUNDLE = '/packages/presence-element/dist/whatsup-presence.bundle.min.js';
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('<whatsup-presence>', () => {
  const others: string[] = [];
  /** What the panel told the page's developer (console.error) during the test. */
  let developer: string[] = [];
  const consoleError = console.error;

  beforeEach(async () => {
    developer = [];
    console.error = (...args: unknown[]) => developer.push(args.join(' '));
    await fetch('/whatsup/logout', { method: 'POST' });
  });

  afterEach(async () => {
    console.error = consoleError;
    for (const id of others.splice(0)) await executeServerCommand('whatsup-person-leave', { id });
    await executeServerCommand('whatsup-people-forget');
  });

  /** Visitors read plain words; the developer reads the diagnosis, with its fix, in the console. */
  function expectDiagnosis(el: WhatsupPresence, words: string, ...diagnosis: string[]): void {
    expect(part(el, 'error')!.textContent).to.equal(words);
    for (const text of diagnosis) expect(developer.join('\n')).to.contain(text);
  }
  const UNAVAILABLE = "Who's online can't be shown right now.";

  describe('when the configuration is missing or wrong', () => {
    it('should show a readable error and fire whatsup-error instead of throwing', async () => {
      const el = await fixture<WhatsupPresence>(html`<whatsup-presence></whatsup-presence>`);
      await waitUntil(() => part(el, 'error'));
      expectDiagnosis(el, UNAVAILABLE, 'config.invalid', 'set the auth-endpoint and channel attributes');
      await expect(el).to.be.accessible();
    });

    it('should refuse a channel that is not a presence channel', async () => {
      const el = document.createElement('whatsup-presence');
      el.setAttribute('auth-endpoint', AUTH);
      el.setAttribute('channel', 'my-channel');
      const event = oneEvent(el, 'whatsup-error');
      document.body.append(el);
      const { detail } = await event;
      expect(detail.code).to.equal('config.invalid');
      expect(detail.message).to.contain('presence-');
      expectDiagnosis(el, UNAVAILABLE, 'the channel must start with "presence-", got "my-channel"');
      el.remove();
    });

    it('should refuse a ws-port that is not a number', async () => {
      const el = await panel({ 'ws-port': 'eighty' });
      await waitUntil(() => part(el, 'error'));
      expectDiagnosis(el, UNAVAILABLE, 'ws-port must be a port number');
    });

    it('should take attribute changes after the first render', async () => {
      const el = await panel({ channel: 'nope' });
      await waitUntil(() => part(el, 'error'));
      el.channel = CHANNEL;
      await waitUntil(() => part(el, 'form'), 'the form after fixing the channel');
    });
  });

  describe('when signed out', () => {
    it('should show an accessible sign-up form with the server limits', async () => {
      const el = await panel();
      await waitUntil(() => part(el, 'form'));
      const status = el.shadowRoot!.querySelector('textarea')!;
      expect(status.maxLength).to.equal(40);
      await expect(el).to.be.accessible();
    });

    it("should show the server's message next to the field when a name is taken already", async () => {
      const taken = await person('Takenname', 'here first');
      const el = await panel();
      await waitUntil(() => part(el, 'form'));
      const error = oneEvent(el, 'whatsup-error');
      await signUp(el, 'takenname', 'me too');
      expect((await error).detail.code).to.equal('name.taken');
      const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[name="username"]')!;
      await waitUntil(() => input.getAttribute('aria-invalid') === 'true');
      expect(el.shadowRoot!.querySelector('#name-error')!.textContent).to.contain('is taken');
      expect(el.shadowRoot!.activeElement).to.equal(input, 'focus moves to the field in error');
      await expect(el).to.be.accessible();
      expect(taken.name).to.equal('Takenname');
    });

    it('should use the messages property for every visible string', async () => {
      const el = await panel();
      el.messages = { join: 'Entrar', nameLabel: 'Nombre' };
      await waitUntil(() => part(el, 'form'));
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('button[type="submit"]')!.textContent!.trim()).to.equal('Entrar');
      expect(el.shadowRoot!.querySelector('label[for="name"]')!.textContent).to.equal('Nombre');
    });
  });

  describe('when signed in', () => {
    it('should fire whatsup-signed-in and show me first in an accessible list', async () => {
      const el = await panel();
      await waitUntil(() => part(el, 'form'));
      const signedIn = oneEvent(el, 'whatsup-signed-in');
      await signUp(el, 'Ann', 'writing tests');
      expect((await signedIn).detail.user.name).to.equal('Ann');
      await waitUntil(() => el.connectionState === 'connected' && rows(el).length >= 1);
      expect(rows(el)[0]).to.deep.equal({ name: 'Ann', status: 'writing tests' });
      expect(el.me!.name).to.equal('Ann');
      expect(el.shadowRoot!.querySelector('ul[part="list"] > li')).to.not.equal(null);
      await expect(el).to.be.accessible();
    });

    it('should go straight to the list after a reload (isLoggedIn)', async () => {
      await register('Reloaded', 'still here');
      const el = await panel();
      await waitUntil(() => part(el, 'me'));
      expect(part(el, 'form')).to.equal(null);
      await waitUntil(() => rows(el).some((r) => r.name === 'Reloaded'));
    });

    it('should show another person join, change status and leave, with events', async () => {
      // No leave grace: the leave shows at once (presence-states.test.ts covers the grace).
      const el = await signedInPanel('Watcher', '', { 'leave-grace': '0' });
      const joined = oneEvent(el, 'whatsup-member-joined');
      const bo = await person('Bo', 'coffee');
      expect((await joined).detail.member.name).to.equal('Bo');
      await waitUntil(() => rows(el).some((r) => r.name === 'Bo' && r.status === 'coffee'));
      const changed = oneEvent(el, 'whatsup-status-changed');
      await executeServerCommand('whatsup-person-status', { id: bo.id, status: 'in a meeting' });
      const { detail } = await changed;
      expect([detail.member.status, detail.previous]).to.deep.equal(['in a meeting', 'coffee']);
      await waitUntil(() => rows(el).some((r) => r.name === 'Bo' && r.status === 'in a meeting'));
      expect(el.shadowRoot!.querySelector(`[data-id="${bo.id}"]`)!.classList.contains('flash')).to.equal(
        true,
      );
      const left = oneEvent(el, 'whatsup-member-left');
      await executeServerCommand('whatsup-person-leave', { id: bo.id });
      expect((await left).detail.member.id).to.equal(bo.id);
      await waitUntil(() => !rows(el).some((r) => r.name === 'Bo'));
      await waitUntil(() =>
        (el.shadowRoot!.querySelector('[data-live]')!.textContent ?? '').includes('Bo left'),
      );
    });

    it('should show a late joiner the current status, not the one from sign-in', async () => {
      const cy = await person('Cy', 'at sign-in');
      await executeServerCommand('whatsup-person-status', { id: cy.id, status: 'changed since' });
      const el = await signedInPanel('Late');
      await waitUntil(() => rows(el).some((r) => r.name === 'Cy' && r.status === 'changed since'));
    });

    it('should render hostile names and statuses as text, creating no element', async () => {
      await person(HOSTILE_NAME, HOSTILE_STATUS);
      const el = await signedInPanel('Target');
      await waitUntil(() => rows(el).some((r) => r.name === HOSTILE_NAME && r.status === HOSTILE_STATUS));
      const root = el.shadowRoot!;
      expect(root.querySelectorAll('script, b, img[src="x"]').length).to.equal(0);
      expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
    });

    it('should edit my status by keyboard: Enter to edit, Enter to save', async () => {
      const el = await signedInPanel('Keys', 'before');
      const mine = part(el, 'me') as HTMLElement;
      mine.focus();
      mine.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      const editor = await waitUntil(() => part(el, 'status-editor')).then(
        () => part(el, 'status-editor') as HTMLInputElement,
      );
      expect(el.shadowRoot!.activeElement).to.equal(editor);
      expect(el.shadowRoot!.querySelector('#counter')!.textContent).to.equal('6/40');
      await type(editor, 'after');
      editor.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      await waitUntil(async () => (await session()).user?.status === 'after', 'saved on the server');
      expect(el.me!.status).to.equal('after');
      await waitUntil(() => el.shadowRoot!.activeElement === part(el, 'me'), 'focus returns to my row');
    });

    it('should cancel with Escape and save on blur', async () => {
      const el = await signedInPanel('Blur', 'kept');
      (part(el, 'me')!.querySelector('[part~="status"]') as HTMLElement).click();
      await waitUntil(() => part(el, 'status-editor'));
      let editor = part(el, 'status-editor') as HTMLInputElement;
      await type(editor, 'discarded');
      editor.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      await waitUntil(() => !part(el, 'status-editor'));
      expect(el.me!.status).to.equal('kept');
      (part(el, 'me')!.querySelector('[part~="status"]') as HTMLElement).click();
      await waitUntil(() => part(el, 'status-editor'));
      editor = part(el, 'status-editor') as HTMLInputElement;
      await type(editor, 'blurred');
      editor.blur();
      await waitUntil(async () => (await session()).user?.status === 'blurred');
    });

    it('should roll back and explain when the server refuses a status', async () => {
      const el = await signedInPanel('Rollback', 'short');
      const error = oneEvent(el, 'whatsup-error');
      await el.setStatus('x'.repeat(41));
      expect((await error).detail.code).to.equal('status.too_long');
      expect(el.me!.status).to.equal('short');
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('#status-error[role="alert"]')!.textContent).to.contain(
        'at most 40',
      );
    });

    it('should show an announcement as an accessible toast', async () => {
      const el = await signedInPanel('Listener');
      const event = oneEvent(el, 'whatsup-announcement');
      await executeServerCommand('whatsup-announce', { message: 'Lunch <b>now</b>' });
      expect((await event).detail.message).to.equal('Lunch <b>now</b>');
      await waitUntil(() => part(el, 'toast'));
      expect(part(el, 'toast')!.getAttribute('role')).to.equal('status');
      expect(part(el, 'toast')!.querySelector('b')).to.equal(null);
      await expect(el).to.be.accessible();
      expect(part(el, 'toast'), 'still there: toast-duration is 5 s by default').to.not.equal(null);
    });

    it('should show Reconnecting… when the server drops connections, keep the list, and recover', async () => {
      const dee = await person('Dee', 'steady');
      const el = await signedInPanel('Drop');
      await waitUntil(() => rows(el).some((r) => r.name === 'Dee'));
      const states: string[] = [];
      el.addEventListener('whatsup-connection-change', (e) => states.push(e.detail.current));
      // The reconnect can be quick on one machine: watch for the indicator instead of polling for it.
      const seen: string[] = [];
      let listKept = true;
      const observer = new MutationObserver(() => {
        const indicator = part(el, 'connection');
        if (indicator) {
          seen.push(indicator.textContent ?? '');
          listKept &&= rows(el).some((r) => r.name === 'Dee');
        }
      });
      observer.observe(el.shadowRoot!, { childList: true, subtree: true, characterData: true });
      await executeServerCommand('whatsup-drop-all');
      await waitUntil(() => seen.length > 0, `Reconnecting… shown (states: ${states.join(' → ')})`);
      observer.disconnect();
      expect(seen[0]).to.contain('Reconnecting');
      expect(listKept).to.equal(true, 'the list is kept while reconnecting');
      await waitUntil(() => el.connectionState === 'connected' && !part(el, 'connection'), 'recovered', {
        timeout: 10000,
      });
      expect(states).to.include('connected');
      await waitUntil(() => rows(el).some((r) => r.name === 'Dee'), 'Dee is back after the resubscribe', {
        timeout: 10000,
      });
      await executeServerCommand('whatsup-person-status', { id: dee.id, status: 'after the drop' });
      await waitUntil(() => rows(el).some((r) => r.name === 'Dee' && r.status === 'after the drop'));
    });

    it('should be accessible while reconnecting', async () => {
      const el = await signedInPanel('Axe reconnect');
      // A real refused connection, so the panel stays in its reconnecting state while axe looks:
      // every new socket goes to a port where nothing listens until the network "comes back".
      const RealWebSocket = window.WebSocket;
      window.WebSocket = class extends RealWebSocket {
        constructor(_url: string | URL, protocols?: string | string[]) {
          super('ws://127.0.0.1:9/', protocols);
        }
      };
      try {
        await executeServerCommand('whatsup-drop-all');
        await waitUntil(() => part(el, 'connection') !== null, 'Reconnecting… shown');
        await expect(el).to.be.accessible();
        expect(part(el, 'connection'), 'axe looked at the reconnecting state').to.not.equal(null);
      } finally {
        window.WebSocket = RealWebSocket;
      }
      await waitUntil(() => el.connectionState === 'connected' && !part(el, 'connection'), 'recovered', {
        timeout: 30000,
      });
    });

    it('should return to the form on signOut(), firing whatsup-signed-out', async () => {
      const el = await signedInPanel('Leaver');
      const event = oneEvent(el, 'whatsup-signed-out');
      (part(el, 'sign-out') as HTMLButtonElement).click();
      expect((await event).detail.reason).to.equal('user');
      await waitUntil(() => part(el, 'form'));
      expect((await session()).authenticated).to.equal(false);
    });

    it('should edit with Space too, and leave focus where it went when saved on blur', async () => {
      const el = await signedInPanel('Spacey', 'one');
      const mine = part(el, 'me') as HTMLElement;
      mine.focus();
      mine.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
      await waitUntil(() => part(el, 'status-editor'));
      await expect(el).to.be.accessible();
      const editor = part(el, 'status-editor') as HTMLInputElement;
      await type(editor, 'two');
      const signOut = part(el, 'sign-out') as HTMLButtonElement;
      signOut.focus(); // what Tab does: the editor blurs
      await waitUntil(async () => (await session()).user?.status === 'two', 'saved on blur');
      expect(el.shadowRoot!.activeElement).to.equal(signOut, 'focus stays where the visitor put it');
    });

    it('should show my change at once and fire whatsup-status-changed when the server has it', async () => {
      const el = await signedInPanel('Quick', 'old');
      const changed = oneEvent(el, 'whatsup-status-changed');
      const saving = el.setStatus('new <i>one</i>');
      await el.updateComplete;
      expect(el.me!.status).to.equal('new <i>one</i>', 'optimistic');
      expect(rows(el)[0]!.status).to.equal('new <i>one</i>');
      expect(await saving).to.equal(true);
      const { detail } = await changed;
      expect([detail.member.status, detail.previous]).to.deep.equal(['new <i>one</i>', 'old']);
      expect(part(el, 'me')!.querySelector('i')).to.equal(null);
    });

    it('should sort me first, then the others by name', async () => {
      await person('Zed', 'z');
      await person('Amy Bee', 'a');
      const el = await signedInPanel('Mmm');
      await waitUntil(() => rows(el).length === 3);
      expect(rows(el).map((r) => r.name.slice(0, 3))).to.deep.equal(['Mmm', 'Amy', 'Zed']);
      expect(Object.isFrozen(el.members)).to.equal(true);
      expect(el.members.map((m) => m.name.slice(0, 3))).to.deep.equal(['Mmm', 'Amy', 'Zed']);
      const amy = el.shadowRoot!.querySelectorAll('[part~="member"]')[1]!;
      const avatar = amy.querySelector('[part~="avatar"]')!;
      expect([
        avatar.textContent,
        avatar.closest('[aria-hidden]')?.getAttribute('aria-hidden'),
      ]).to.deep.equal(['AB', 'true']);
      expect(PALETTE).to.include(
        (avatar as HTMLElement).style.background.startsWith('rgb')
          ? rgbToHex((avatar as HTMLElement).style.background)
          : (avatar as HTMLElement).style.background,
      );
    });

    it('should batch joins into one polite announcement', async () => {
      const el = await signedInPanel('Ear');
      const region = el.shadowRoot!.querySelector('[aria-live="polite"]')!;
      const texts: string[] = [];
      const observer = new MutationObserver(() => texts.push(region.textContent ?? ''));
      observer.observe(region, { childList: true, characterData: true, subtree: true });
      await Promise.all([person('Uno', ''), person('Dos', '')]);
      await waitUntil(() => texts.some((t) => t.includes('Uno joined') && t.includes('Dos joined')));
      observer.disconnect();
      expect(texts.filter((t) => t.includes('joined'))).to.have.length(1);
    });

    it('should render my own hostile name and status as text', async () => {
      await register(HOSTILE_NAME, HOSTILE_STATUS);
      const el = await panel();
      await waitUntil(() => part(el, 'me'));
      expect(part(el, 'me')!.querySelector('[part~="name"]')!.textContent).to.equal(HOSTILE_NAME);
      expect(el.shadowRoot!.querySelectorAll('script, b, img').length).to.equal(0);
      expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
    });

    it('should return to the form when my other tab signs out (signed-out event)', async () => {
      const tab1 = await signedInPanel('Twotabs');
      const tab2 = await panel();
      // Its GET /members must be back first: a request cut off by the logout is a 401 ("expired").
      await tab2.ready;
      expect([tab2.connectionState, Boolean(part(tab2, 'me'))]).to.deep.equal(['connected', true]);
      await waitUntil(() => rows(tab1).length === 1, 'two tabs are one member');
      const signedOut = oneEvent(tab2, 'whatsup-signed-out');
      await tab1.signOut();
      expect((await signedOut).detail.reason).to.equal('other-tab');
      await waitUntil(() => part(tab2, 'form'));
      expect(tab2.connectionState).to.equal('disconnected');
    });

    it('should go back to the form when the session expired (401)', async () => {
      const el = await signedInPanel('Expiring', 'fresh');
      await executeServerCommand('whatsup-expire-sessions');
      const signedOut = oneEvent(el, 'whatsup-signed-out');
      expect(await el.setStatus('too late')).to.equal(false);
      expect((await signedOut).detail.reason).to.equal('expired');
      await waitUntil(() => part(el, 'form'));
      expect(el.me).to.equal(null);
    });

    it('should refuse setStatus() when signed out, with whatsup-error and no exception', async () => {
      const el = await panel();
      await waitUntil(() => part(el, 'form'));
      const error = oneEvent(el, 'whatsup-error');
      expect(await el.setStatus('nope')).to.equal(false);
      expect((await error).detail.code).to.equal('auth.signed_out');
    });

    it('should dismiss a toast with its button, hostile text and all', async () => {
      const el = await signedInPanel('Dismisser');
      const event = oneEvent(el, 'whatsup-announcement');
      await executeServerCommand('whatsup-announce', { message: HOSTILE_STATUS });
      await event;
      await waitUntil(() => part(el, 'toast'));
      expect(part(el, 'toast')!.textContent).to.contain(HOSTILE_STATUS);
      expect(part(el, 'toast')!.querySelectorAll('script, b').length).to.equal(0);
      const dismiss = part(el, 'toast')!.querySelector('button')!;
      expect(dismiss.getAttribute('aria-label')).to.equal('Dismiss');
      dismiss.focus();
      dismiss.click();
      await waitUntil(() => !part(el, 'toast'));
      expect(el.shadowRoot!.activeElement, 'focus stays in the panel').to.not.equal(null);
    });
  });

  describe('when the site signs people in itself (identify)', () => {
    afterEach(() => {
      document.cookie = 'whatsup-test-user=; max-age=0; path=/';
    });

    it('should never show the form, only a hint, when nobody is signed in', async () => {
      const el = await identifiedPanel();
      await waitUntil(() => part(el, 'hint'));
      expect(part(el, 'form')).to.equal(null);
      expect(part(el, 'hint')!.textContent).to.contain('Sign in on this site');
      await expect(el).to.be.accessible();
    });

    it("should show the site's user with their avatar picture, and refuse unsafe avatar URLs", async () => {
      document.cookie = `whatsup-test-user=site-${Date.now()}~${encodeURIComponent('Grace Hopper')}~${encodeURIComponent(PIXEL)}; path=/`;
      const signedIn = new Promise<Member>((resolve) =>
        document.addEventListener('whatsup-signed-in', (e) => resolve(e.detail.user), { once: true }),
      );
      const el = await identifiedPanel();
      expect((await signedIn).name).to.equal('Grace Hopper', 'the event bubbles out of the shadow root');
      await waitUntil(() => el.connectionState === 'connected' && rows(el).length === 1);
      const img = part(el, 'me')!.querySelector('img[part~="avatar"]')!;
      expect([img.getAttribute('src'), img.getAttribute('alt')]).to.deep.equal([PIXEL, '']);
      await expect(el).to.be.accessible();
      el.remove();
      document.cookie = `whatsup-test-user=site-x${Date.now()}~Mallory~${encodeURIComponent('javascript:alert(1)')}; path=/`;
      const bad = await identifiedPanel();
      await waitUntil(() => part(bad, 'me'));
      expect(part(bad, 'me')!.querySelector('img')).to.equal(null);
      expect(part(bad, 'me')!.querySelector('[part~="avatar"]')!.textContent).to.equal('M');
    });

    it('should keep 1,000 members responsive: a window of keyed rows, a filter, one row changes per status', async function (this: {
      timeout(ms: number): void;
    }) {
      this.timeout(180_000);
      document.cookie = `whatsup-test-user=watcher-${Date.now()}~${encodeURIComponent('A watcher')}; path=/`;
      const el = await identifiedPanel();
      el.leaveGrace = 0;
      await waitUntil(() => el.connectionState === 'connected' && rows(el).length === 1);
      const joined = performance.now();
      // In steps: one server command must answer within wtr's 20 s, and the machine may be busy.
      for (let count = 100; count <= 1000; count += 100) {
        await executeServerCommand('whatsup-crowd', { count });
      }
      await waitUntil(() => el.members.length === 1001, 'all 1,000 listed', { timeout: 60_000 });
      await el.updateComplete;
      const joinMs = performance.now() - joined;
      const shown = () => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="member"]')];
      // Only the rows in view (and a margin) are in the DOM; each says where it is in the whole list.
      const first = shown();
      expect(first.length).to.be.within(10, 80);
      expect(first[0]!.querySelector('[part~="name"]')!.textContent).to.equal('A watcher');
      first.slice(1).forEach((li, i) => {
        expect(li.getAttribute('aria-setsize')).to.equal('1001');
        expect(li.getAttribute('aria-posinset')).to.equal(String(i + 2));
        expect(li.getAttribute('data-id')).to.equal(`crowd-${i}`);
      });
      const list = el.shadowRoot!.querySelector<HTMLElement>('.scroller')!;
      expect(list.scrollHeight).to.be.above(900 * 40, 'the list is as tall as 1,000 rows');
      // Scrolled to the end, the last people are rendered with their places.
      list.scrollTop = list.scrollHeight;
      await waitUntil(
        () => shown().some((li) => li.getAttribute('data-id') === 'crowd-999'),
        'scrolled to the end',
      );
      const last = shown().find((li) => li.getAttribute('data-id') === 'crowd-999')!;
      expect(last.getAttribute('aria-posinset')).to.equal('1001');
      // The filter finds one person among 1,000 (case and accents aside).
      const filter = el.shadowRoot!.querySelector<HTMLInputElement>('[part~="filter"]')!;
      expect(filter.getAttribute('aria-label')).to.equal('Find a person');
      filter.value = 'crowd 050';
      filter.dispatchEvent(new Event('input'));
      await waitUntil(() => shown().length === 11, 'me and Crowd 0500…0509');
      const before = shown();
      expect(before[1]!.getAttribute('aria-setsize')).to.equal('11');
      const target = before.find((li) => li.getAttribute('data-id') === 'crowd-500')!;
      const changed = performance.now();
      await executeServerCommand('whatsup-crowd-status', { index: 500, status: 'busy, very busy' });
      await waitUntil(() => target.querySelector('[part~="status"]')?.textContent === 'busy, very busy');
      const changeMs = performance.now() - changed;
      const after = shown();
      expect(after.every((li, i) => li === before[i])).to.equal(true, 'no row was re-created');
      expect(target.classList.contains('flash')).to.equal(true);
      filter.value = 'nobody like this';
      filter.dispatchEvent(new Event('input'));
      await waitUntil(() => part(el, 'hint')?.textContent === 'Nobody by that name is online.');
      console.log(
        `1,000 members: joined and listed in ${Math.round(joinMs)} ms; a status change shown in ${Math.round(changeMs)} ms`,
      );
      await executeServerCommand('whatsup-crowd-leave');
      await waitUntil(() => el.members.length === 1, 'everyone left', { timeout: 60_000 });
      expect(el.shadowRoot!.querySelector('[part~="filter"]')).to.equal(null, 'no filter in a small room');
    });
  });

  describe('api-base attribute', () => {
    it('should find the routes beside the auth endpoint when not given, and fail readably', async () => {
      const el = await panel({ 'auth-endpoint': '/custom-auth' });
      const { detail } = await oneEvent(el, 'whatsup-error');
      expect(detail.code).to.equal('config.unreachable');
      await waitUntil(() => part(el, 'error'));
      // The fix names where /config was looked for, and the api-base attribute.
      expectDiagnosis(el, UNAVAILABLE, 'config.unreachable', 'Fix: /config must answer', 'api-base');
      expect(developer, 'each diagnosis once').to.have.length(1);
    });

    it('should take the routes from api-base, and keep authorizing at auth-endpoint', async () => {
      const el = await panel({ 'auth-endpoint': '/custom-auth', 'api-base': '/whatsup/' });
      await waitUntil(() => part(el, 'form'));
      await signUp(el, `Based${Math.random().toString(36).slice(2, 6)}`, 'via api-base');
      await waitUntil(() => el.connectionState === 'connected' && rows(el).length === 1, 'subscribed');
    });

    it('should show the loading state accessibly while the server has not answered', async () => {
      const el = await panel({ 'api-base': '/whatsup-hang' });
      expect(el.state).to.equal('loading');
      expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent).to.equal('Loading…');
      await expect(el).to.be.accessible();
    });

    it('should refuse a URL that is not http(s)', async () => {
      const el = await panel({ 'api-base': 'javascript:alert(1)' });
      await waitUntil(() => part(el, 'error'));
      expectDiagnosis(el, UNAVAILABLE, 'api-base must be a path or an http(s) URL');
    });
  });

  describe('connection attributes (key, cluster, ws-host, ws-port, force-tls)', () => {
    let sockets: { urls: string[]; restore(): void };
    beforeEach(() => (sockets = watchSockets()));
    afterEach(() => sockets.restore());

    it('should connect where ws-host and ws-port say', async () => {
      const { wsPort } = await (await fetch('/whatsup/config')).json();
      const el = await signedInPanel('Hosted', '', { 'ws-host': 'localhost', 'ws-port': String(wsPort) });
      expect(el.connectionState).to.equal('connected');
      expect(new URL(sockets.urls[0]!).host).to.equal(`localhost:${wsPort}`);
    });

    it('should refuse a ws-port out of range', async () => {
      const el = await panel({ 'ws-port': '70000' });
      await waitUntil(() => part(el, 'error'));
      expectDiagnosis(el, UNAVAILABLE, '"70000"');
    });

    it('should use the key attribute, and show the server refusing a wrong one', async () => {
      await register(`Keyed${Math.random().toString(36).slice(2, 6)}`, '');
      const el = await panel({ key: 'wrong-key' });
      const { detail } = await oneEvent(el, 'whatsup-error');
      expect(detail.code).to.equal('connection.refused');
      expect(new URL(sockets.urls[0]!).pathname).to.equal('/app/wrong-key');
      await waitUntil(() => part(el, 'error'));
      expect(part(el, 'me'), 'still signed in').to.not.equal(null);
      expectDiagnosis(
        el,
        "Live updates aren't available right now.",
        'refused the connection',
        'Fix: the realtime server does not take this app',
      );
      await expect(el).to.be.accessible();
    });

    it('should use wss:// with force-tls', async () => {
      await register(`Tls${Math.random().toString(36).slice(2, 6)}`, '');
      await panel({ 'force-tls': '' });
      await waitUntil(() => sockets.urls.length > 0);
      expect(new URL(sockets.urls[0]!).protocol).to.equal('wss:');
    });

    it("should go to Pusher Channels' host for a cluster given without ws-host", async () => {
      await register(`Eu${Math.random().toString(36).slice(2, 6)}`, '');
      await panel({ cluster: 'eu' });
      await waitUntil(() => sockets.urls.length > 0);
      expect(new URL(sockets.urls[0]!).hostname).to.equal('ws-eu.pusher.com');
    });
  });

  describe('channel attribute', () => {
    it('should resubscribe when it changes after render, showing a channel the server refuses', async () => {
      const el = await signedInPanel('Switcher');
      const error = oneEvent(el, 'whatsup-error');
      el.setAttribute('channel', 'presence-not-allowed');
      expect((await error).detail.code).to.equal('subscription.failed');
      await waitUntil(() => part(el, 'error'));
      expectDiagnosis(
        el,
        "Live updates aren't available right now.",
        'Could not join',
        `allow it with whatsup({ channels: ['presence-not-allowed'] })`,
      );
      el.setAttribute('channel', CHANNEL);
      await waitUntil(
        () => el.connectionState === 'connected' && rows(el).length === 1 && !part(el, 'error'),
      );
    });
  });

  describe('lang attribute', () => {
    it('should say how old a status is in its language once a minute has passed, following changes and ancestors', async () => {
      const el = await signedInPanel('Polyglot', 'hola', { lang: 'de' });
      const time = () => part(el, 'time')?.textContent ?? '';
      expect(time(), 'nothing worth saying for a status just set').to.equal('');
      // Ten minutes on, by the page's clock: the shared clock ticks.
      const realNow = Date.now;
      const later = realNow() + 10 * 60_000;
      Date.now = () => later;
      try {
        tick();
        await waitUntil(() => time().includes('vor 10'), `German, got "${time()}"`);
        el.setAttribute('lang', 'fr');
        await waitUntil(() => time().includes('il y a 10'), `French, got "${time()}"`);
        el.removeAttribute('lang');
        const wrapper = document.createElement('div');
        wrapper.lang = 'es';
        // Moving the element restarts it (loading, then the list again): no time for a moment.
        el.replaceWith(wrapper);
        wrapper.append(el);
        await waitUntil(() => time().includes('hace 10'), `Spanish from the ancestor, got "${time()}"`);
        wrapper.remove();
      } finally {
        Date.now = realNow;
      }
    });
  });

  describe('toast-duration attribute', () => {
    it('should hide the toast after that many milliseconds', async () => {
      const el = await signedInPanel('Timer', '', { 'toast-duration': '300' });
      expect(el.toastDuration).to.equal(300);
      await executeServerCommand('whatsup-announce', { message: 'short one' });
      await waitUntil(() => part(el, 'toast'));
      await waitUntil(() => !part(el, 'toast'), 'hidden', { timeout: 3000 });
    });
  });

  describe('builds', () => {
    it('should not throw when both one-file bundles are loaded beside the module', async () => {
      const before = customElements.get('whatsup-presence');
      const errors: string[] = [];
      const onError = (e: ErrorEvent) => errors.push(e.message);
      window.addEventListener('error', onError);
      await import(/* @vite-ignore */ `${location.origin}${BUNDLE.replace('.min.js', '.esm.min.js')}`);
      const script = document.createElement('script');
      script.src = BUNDLE;
      const loaded = oneEvent(script, 'load');
      document.head.append(script);
      await loaded;
      window.removeEventListener('error', onError);
      script.remove();
      expect(errors).to.deep.equal([]);
      expect(customElements.get('whatsup-presence')).to.equal(before);
    });

    it('should work from a plain page with only <script src> and the element', async () => {
      const frame = document.createElement('iframe');
      frame.srcdoc = `<!doctype html><html lang="en"><title>plain</title>
        <script src="${BUNDLE}"></script>
        <whatsup-presence auth-endpoint="${AUTH}" channel="${CHANNEL}"></whatsup-presence>`;
      document.body.append(frame);
      try {
        const inner = () =>
          frame.contentDocument?.querySelector('whatsup-presence') as WhatsupPresence | null | undefined;
        await waitUntil(() => inner()?.shadowRoot?.querySelector('[part~="form"]'), 'the form', {
          timeout: 10000,
        });
        await signUp(inner()!, `Plain${Math.random().toString(36).slice(2, 6)}`, 'from a script tag');
        await waitUntil(
          () => inner()!.connectionState === 'connected' && rows(inner()!).length === 1,
          'live',
        );
        expect(inner()!.constructor).to.not.equal(customElements.get('whatsup-presence'));
      } finally {
        frame.remove();
      }
    });
  });

  // ---- helpers ----

  async function person(name: string, status: string): Promise<Member> {
    const user = (await executeServerCommand('whatsup-person', { name, status })) as Member;
    others.push(user.id);
    return user;
  }
});

async function panel(attributes: Record<string, string> = {}): Promise<WhatsupPresence> {
  const el = document.createElement('whatsup-presence');
  el.setAttribute('auth-endpoint', AUTH);
  el.setAttribute('channel', CHANNEL);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  return fixture<WhatsupPresence>(el);
}

async function signedInPanel(
  name: string,
  status = '',
  attributes: Record<string, string> = {},
): Promise<WhatsupPresence> {
  await register(`${name}${Math.random().toString(36).slice(2, 6)}`, status);
  const el = await panel(attributes);
  // Settles once subscribed with everyone's current status (events before it would be missed).
  await el.ready;
  expect(el.connectionState).to.equal('connected');
  return el;
}

async function identifiedPanel(): Promise<WhatsupPresence> {
  return panel({ 'auth-endpoint': '/whatsup-id/usersystem/auth', channel: 'presence-whatsup-identified' });
}

function rgbToHex(rgb: string): string {
  return `#${(rgb.match(/\d+/g) ?? []).map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`;
}

/** Records the URL of every WebSocket the page opens (they are real WebSockets all the same). */
function watchSockets(): { urls: string[]; restore(): void } {
  const Original = window.WebSocket;
  const urls: string[] = [];
  window.WebSocket = class extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      urls.push(String(url));
      super(url, protocols);
    }
  };
  return { urls, restore: () => (window.WebSocket = Original) };
}

async function register(username: string, status: string): Promise<void> {
  const res = await fetch('/whatsup/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, status }),
  });
  if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
}

async function signUp(el: WhatsupPresence, name: string, status: string): Promise<void> {
  const root = el.shadowRoot!;
  root.querySelector<HTMLInputElement>('input[name="username"]')!.value = name;
  root.querySelector<HTMLTextAreaElement>('textarea[name="status"]')!.value = status;
  root.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
}

/** waitUntil with room for real network round trips (open-wc's default is 1 s). */
function waitUntil(
  predicate: () => unknown | Promise<unknown>,
  message?: string,
  options: { timeout?: number } = {},
): Promise<void> {
  return openWcWaitUntil(predicate, message, { interval: 30, timeout: options.timeout ?? 5000 });
}

function part(el: WhatsupPresence, name: string): Element | null {
  return el.shadowRoot!.querySelector(`[part~="${name}"]`);
}

function rows(el: WhatsupPresence): { name: string; status: string }[] {
  return [...el.shadowRoot!.querySelectorAll('[part~="member"]')].map((row) => ({
    name: row.querySelector('[part~="name"]')!.textContent!,
    // No status, no status element (mine says "Set a status" and is not counted as one).
    status: row.querySelector('[part~="status"]:not(.empty)')?.textContent ?? '',
  }));
}
