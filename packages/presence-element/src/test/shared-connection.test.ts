// One connection per browser (issue 24): same-origin frames of the test page share Web Locks and
// BroadcastChannel as tabs do. Each frame loads the element on its own (its own modules, its own
// hub); one of them leads and holds the only WebSocket, counted on the real realtime server.
import { expect, waitUntil as openWcWaitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';

const CHANNEL = 'presence-whatsup-members';
const DEFINE = new URL('../define.ts', import.meta.url).pathname;

const waitUntil = (fn: () => unknown | Promise<unknown>, message: string) =>
  openWcWaitUntil(fn, message, { timeout: 15_000, interval: 50 });
const connections = () => executeServerCommand<number>('whatsup-connections');
const unique = (name: string) => `${name}${Math.random().toString(36).slice(2, 6)}`;

interface Frame {
  iframe: HTMLIFrameElement;
  panels: WhatsupPresence[];
}

/** The Web Locks of this origin named `whatsup:…`: held, and waiting. */
async function locks(): Promise<{ held: number; pending: number }> {
  const { held = [], pending = [] } = await navigator.locks.query();
  const ours = (list: LockInfo[]) => list.filter((l) => l.name?.startsWith('whatsup:')).length;
  return { held: ours(held), pending: ours(pending) };
}

describe('one connection per browser', () => {
  const frames: Frame[] = [];
  const others: string[] = [];

  beforeEach(async () => {
    await fetch('/whatsup/logout', { method: 'POST' });
  });

  afterEach(async () => {
    for (const f of frames.splice(0)) f.iframe.remove();
    await fetch('/whatsup/logout', { method: 'POST' });
    for (const id of others.splice(0)) await executeServerCommand('whatsup-person-leave', { id });
    await executeServerCommand('whatsup-people-forget');
    await waitUntil(async () => (await locks()).held === 0, 'every frame let its lock go');
  });

  /** A frame of this page (a tab, as far as locks and BroadcastChannel go) with `count` panels, signed in. */
  async function frame(attributes = '', count = 1): Promise<Frame> {
    const iframe = document.createElement('iframe');
    const panel = `<whatsup-presence auth-endpoint="/whatsup/usersystem/auth" channel="${CHANNEL}" ${attributes}></whatsup-presence>`;
    iframe.srcdoc = `<script type="module" src="${DEFINE}"></script>${panel.repeat(count)}`;
    document.body.append(iframe);
    await waitUntil(
      () => iframe.contentWindow?.customElements.get('whatsup-presence'),
      'the element defined',
    );
    const panels = [...iframe.contentDocument!.querySelectorAll('whatsup-presence')] as WhatsupPresence[];
    const f = { iframe, panels };
    frames.push(f);
    await Promise.all(panels.map((p) => p.ready));
    await waitUntil(() => panels.every(live), 'signed in and connected');
    return f;
  }

  const live = (p: WhatsupPresence) =>
    p.controller.state === 'signed-in' && p.controller.connectionState === 'connected';
  const allPanels = () => frames.flatMap((f) => f.panels);
  const statusOf = (p: WhatsupPresence, id: string) => p.members.find((m) => m.id === id)?.status;

  async function person(name: string): Promise<Member> {
    const m = (await executeServerCommand('whatsup-person', {
      name: unique(name),
      status: 'here',
    })) as Member;
    others.push(m.id);
    return m;
  }

  async function signIn(): Promise<void> {
    const res = await fetch('/whatsup/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: unique('Tabs'), status: 'in many tabs' }),
    });
    expect(res.status).to.equal(200);
  }

  it('one server connection for three frames and two panels in one of them; all see the same', async () => {
    const bo = await person('Bo');
    await signIn();
    const before = await connections();
    await frame('', 2);
    await frame();
    await frame();
    expect(allPanels()).to.have.length(4);
    await waitUntil(async () => (await connections()) === before + 1, 'one connection for every panel');
    expect(await locks()).to.deep.equal({ held: 1, pending: 2 });
    await waitUntil(
      () => allPanels().every((p) => statusOf(p, bo.id) === 'here'),
      'Bo listed in every panel',
    );

    await executeServerCommand('whatsup-person-status', { id: bo.id, status: 'seen in every tab' });
    await waitUntil(
      () => allPanels().every((p) => statusOf(p, bo.id) === 'seen in every tab'),
      "Bo's new status in every panel",
    );
    const heard = allPanels().map(
      (p) =>
        new Promise<string>((resolve) =>
          p.addEventListener('whatsup-announcement', (e) => resolve(e.detail.message), { once: true }),
        ),
    );
    await executeServerCommand('whatsup-announce', { message: 'to every tab' });
    expect(await Promise.all(heard)).to.deep.equal(Array(4).fill('to every tab'));

    const carol = await person('Carol');
    await waitUntil(
      () => allPanels().every((p) => statusOf(p, carol.id) === 'here'),
      'Carol joins every panel',
    );
    await executeServerCommand('whatsup-person-leave', { id: carol.id });
    await waitUntil(
      () => allPanels().every((p) => p.members.find((m) => m.id === carol.id)?.lastSeen !== undefined),
      'Carol left, in every panel',
    );
    expect(await connections()).to.equal(before + 1);
  });

  it('a frame opened later gets who is here from the leader, without a connection of its own', async () => {
    const bo = await person('Bo');
    await signIn();
    const before = await connections();
    await frame();
    await waitUntil(async () => (await connections()) === before + 1, 'the leader connected');
    const late = await frame();
    expect(statusOf(late.panels[0]!, bo.id)).to.equal('here');
    expect(await connections()).to.equal(before + 1);
  });

  it('the leader frame removed: another leads, live again, still one connection', async () => {
    const bo = await person('Bo');
    await signIn();
    const before = await connections();
    const leader = await frame();
    await frame();
    await frame();
    await waitUntil(async () => (await connections()) === before + 1, 'one connection');
    const started = performance.now();
    leader.iframe.remove();
    frames.splice(frames.indexOf(leader), 1);
    await waitUntil(async () => {
      const l = await locks();
      return l.held === 1 && l.pending === 1;
    }, 'another frame holds the lock');
    await waitUntil(async () => (await connections()) === before + 1, "the new leader's connection");
    await waitUntil(() => allPanels().every(live), 'connected again');
    console.log(
      `hand-over after the leader frame was removed: ${Math.round(performance.now() - started)} ms`,
    );
    await executeServerCommand('whatsup-person-status', { id: bo.id, status: 'after the hand-over' });
    await waitUntil(
      () => allPanels().every((p) => statusOf(p, bo.id) === 'after the hand-over'),
      'news reach every frame through the new leader',
    );
    expect(await connections()).to.equal(before + 1);
  });

  it('logout in one frame signs every frame out', async () => {
    await signIn();
    await frame();
    const [, second] = [await frame(), await frame()];
    await second!.panels[0]!.controller.signOut();
    await waitUntil(
      () => allPanels().every((p) => p.controller.state === 'signed-out'),
      'every frame shows the sign-up form',
    );
  });

  it('shared-connection="off": each frame opens its own connection', async () => {
    await signIn();
    const before = await connections();
    await frame('shared-connection="off"');
    await frame('shared-connection="off"');
    await waitUntil(async () => (await connections()) === before + 2, 'two connections');
    expect(await locks()).to.deep.equal({ held: 0, pending: 0 });
    // And a sharing frame beside them opens one more, its own hub's.
    await frame();
    await waitUntil(async () => (await connections()) === before + 3, 'three connections');
    expect(await locks()).to.deep.equal({ held: 1, pending: 0 });
  });
});
