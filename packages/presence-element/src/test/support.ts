// What the element's browser tests share: the guest mount of test-support/whatsup-server.mjs, a
// signed-in panel on this page, other people (real pusher-js clients on the server) and lookups in
// the panel's shadow DOM.
import { fixture, waitUntil as openWcWaitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../define.js';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';

export const AUTH = '/whatsup/usersystem/auth';
export const CHANNEL = 'presence-whatsup-members';

/** A JSON POST from this page (its cookies): the middleware's routes as the panel calls them. */
export function post(path: string, body: unknown): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** open-wc's waitUntil, asking every 30 ms, 5 s by default (the servers are real). */
export function waitUntil(predicate: () => unknown, message?: string, timeout = 5000): Promise<void> {
  return openWcWaitUntil(predicate, message, { interval: 30, timeout });
}

/** Signs this page up as `name` and a few random letters (names are unique). */
export async function signUp(name: string, status = ''): Promise<void> {
  const res = await post('/whatsup/register', {
    username: `${name}${Math.random().toString(36).slice(2, 6)}`,
    status,
  });
  if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
}

/** A `<whatsup-presence>` on the guest mount and channel, not yet in the document. */
export function panel(attributes: Record<string, string> = {}): WhatsupPresence {
  const el = document.createElement('whatsup-presence') as WhatsupPresence;
  el.setAttribute('auth-endpoint', AUTH);
  el.setAttribute('channel', CHANNEL);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}

/** Signs up as `name`, then a panel in the document, ready (subscribed, statuses loaded). */
export async function signedInPanel(
  name: string,
  attributes: Record<string, string> = {},
  status = '',
): Promise<WhatsupPresence> {
  await signUp(name, status);
  const el = await fixture<WhatsupPresence>(panel(attributes));
  await el.ready;
  await el.updateComplete;
  return el;
}

/** Signs out whoever this page was, then `signedInPanel(name, attributes)` (`ready`: wait for it). */
export async function guestPanel(
  name: string,
  attributes: Record<string, string> = {},
  ready = true,
): Promise<WhatsupPresence> {
  await post('/whatsup/logout', {});
  if (ready) return signedInPanel(name, attributes);
  await signUp(name);
  const el = await fixture<WhatsupPresence>(panel(attributes));
  await el.updateComplete;
  return el;
}

/** What the middleware says of this page's session (GET /isLoggedIn). */
export async function session(): Promise<{ authenticated: boolean; user?: Member }> {
  return (await fetch('/whatsup/isLoggedIn')).json();
}

/** Types into a field as a person would, as far as the panel can tell (value, then `input`). */
export function type(input: HTMLInputElement, text: string): void {
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

/**
 * Sets the page's viewport (the config's `whatsup-viewport` command): @web/test-runner-commands'
 * `setViewport` knows puppeteer and playwright pages only, not WebKit's WebDriver session.
 */
export async function setViewport(size: { width: number; height: number }): Promise<void> {
  await executeServerCommand('whatsup-viewport', size);
}

export function part(el: WhatsupPresence, name: string): Element | null {
  return el.shadowRoot!.querySelector(`[part~="${name}"]`);
}

/** The row of person `id` in the list (the online part, not "Recently here"). */
export function row(el: WhatsupPresence, id: string): Element | null {
  return el.shadowRoot!.querySelector(`[part~="list"] > [data-id="${CSS.escape(id)}"]`);
}

/** What another person's browser saw: the ids in their channel, the names listed, the statuses. */
export interface View {
  ids: string[];
  listed: string[];
  updates: Member[];
}

/**
 * Other people for a test: `person()` makes one (signed up, subscribed, status "around"),
 * `view()` asks what one saw, `leave()` (in `afterEach`) takes them all away and forgets them
 * (`forget(id)`: one the test took away itself).
 */
export function people() {
  const ids: string[] = [];
  return {
    async person(name: string, status = 'around'): Promise<Member> {
      const user = (await executeServerCommand('whatsup-person', { name, status })) as Member;
      ids.push(user.id);
      return user;
    },
    /** `id` left by the test's own doing: not to be taken away again. */
    forget(id: string): void {
      if (ids.includes(id)) ids.splice(ids.indexOf(id), 1);
    },
    view(id: string): Promise<View> {
      return executeServerCommand('whatsup-person-view', { id });
    },
    async leave(): Promise<void> {
      for (const id of ids.splice(0)) await executeServerCommand('whatsup-person-leave', { id });
      await executeServerCommand('whatsup-people-forget');
    },
  };
}
