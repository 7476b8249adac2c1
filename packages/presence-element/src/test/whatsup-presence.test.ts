import { expect, fixture, html, oneEvent, waitUntil as openWcWaitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../whatsup-presence.js';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';

const AUTH = '/whatsup/usersystem/auth';
const CHANNEL = 'presence-whatsup-members';
const HOSTILE_NAME = '<img src=x onerror=__pwned=1>';
const HOSTILE_STATUS = '<script>__pwned=2</script><b>b</b>';

describe('<whatsup-presence>', () => {
  const others: string[] = [];

  beforeEach(async () => {
    await fetch('/whatsup/logout', { method: 'POST' });
  });

  afterEach(async () => {
    for (const id of others.splice(0)) await executeServerCommand('whatsup-person-leave', { id });
  });

  describe('when the configuration is missing or wrong', () => {
    it('should show a readable error and fire whatsup-error instead of throwing', async () => {
      const el = await fixture<WhatsupPresence>(html`<whatsup-presence></whatsup-presence>`);
      await waitUntil(() => part(el, 'error'));
      expect(part(el, 'error')!.textContent).to.contain('auth-endpoint and channel');
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
      expect(part(el, 'error')!.textContent).to.contain('presence-');
      el.remove();
    });

    it('should refuse a ws-port that is not a number', async () => {
      const el = await panel({ 'ws-port': 'eighty' });
      await waitUntil(() => part(el, 'error'));
      expect(part(el, 'error')!.textContent).to.contain('ws-port');
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

    it("should show the server's message next to the field when a name is online already", async () => {
      const taken = await person('Takenname', 'here first');
      const el = await panel();
      await waitUntil(() => part(el, 'form'));
      const error = oneEvent(el, 'whatsup-error');
      await signUp(el, 'takenname', 'me too');
      expect((await error).detail.code).to.equal('name.taken');
      const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[name="username"]')!;
      await waitUntil(() => input.getAttribute('aria-invalid') === 'true');
      expect(el.shadowRoot!.querySelector('#name-error')!.textContent).to.contain('online already');
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
      const el = await signedInPanel('Watcher');
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
      const status = el.shadowRoot!.querySelector<HTMLElement>('[part~="me"] [part~="status"]')!;
      status.focus();
      status.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      const editor = await waitUntil(() => part(el, 'status-editor')).then(
        () => part(el, 'status-editor') as HTMLInputElement,
      );
      expect(el.shadowRoot!.activeElement).to.equal(editor);
      expect(el.shadowRoot!.querySelector('#counter')!.textContent).to.equal('6/40');
      await type(editor, 'after');
      editor.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      await waitUntil(async () => (await session()).user?.status === 'after', 'saved on the server');
      expect(el.me!.status).to.equal('after');
      await waitUntil(() => el.shadowRoot!.activeElement?.getAttribute('part') === 'status', 'focus returns');
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
      expect(part(el, 'me')!.querySelector('[role="alert"]')!.textContent).to.contain('at most 40');
    });

    it('should show an announcement as a toast that hides itself', async () => {
      const el = await signedInPanel('Listener');
      el.toastDuration = 400;
      const event = oneEvent(el, 'whatsup-announcement');
      await executeServerCommand('whatsup-announce', { message: 'Lunch <b>now</b>' });
      expect((await event).detail.message).to.equal('Lunch <b>now</b>');
      await waitUntil(() => part(el, 'toast'));
      expect(part(el, 'toast')!.getAttribute('role')).to.equal('status');
      expect(part(el, 'toast')!.querySelector('b')).to.equal(null);
      await expect(el).to.be.accessible();
      await waitUntil(() => !part(el, 'toast'), 'the toast hides itself', { timeout: 3000 });
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

    it('should return to the form on signOut(), firing whatsup-signed-out', async () => {
      const el = await signedInPanel('Leaver');
      const event = oneEvent(el, 'whatsup-signed-out');
      (part(el, 'sign-out') as HTMLButtonElement).click();
      expect((await event).detail.reason).to.equal('user');
      await waitUntil(() => part(el, 'form'));
      expect((await session()).authenticated).to.equal(false);
    });
  });

  describe('builds', () => {
    it('should not throw when the one-file bundle is loaded beside the module', async () => {
      const before = customElements.get('whatsup-presence');
      await import(
        /* @vite-ignore */ `${location.origin}/packages/presence-element/dist/whatsup-presence.bundle.esm.min.js`
      );
      expect(customElements.get('whatsup-presence')).to.equal(before);
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

async function signedInPanel(name: string, status = ''): Promise<WhatsupPresence> {
  await register(`${name}${Math.random().toString(36).slice(2, 6)}`, status);
  const el = await panel();
  await waitUntil(() => el.connectionState === 'connected' && rows(el).length >= 1, 'connected', {
    timeout: 8000,
  });
  return el;
}

async function register(username: string, status: string): Promise<void> {
  const res = await fetch('/whatsup/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, status }),
  });
  if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
}

async function session(): Promise<{ authenticated: boolean; user?: Member }> {
  return (await fetch('/whatsup/isLoggedIn')).json();
}

async function signUp(el: WhatsupPresence, name: string, status: string): Promise<void> {
  const root = el.shadowRoot!;
  root.querySelector<HTMLInputElement>('input[name="username"]')!.value = name;
  root.querySelector<HTMLTextAreaElement>('textarea[name="status"]')!.value = status;
  root.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
}

async function type(input: HTMLInputElement, text: string): Promise<void> {
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
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
    status: row.querySelector('[part~="status"]')!.textContent!,
  }));
}
