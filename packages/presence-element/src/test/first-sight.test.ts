// Presence at first sight (issue 23) in real Chromium against the real middleware and realtime
// server: the panel's first request (GET /bootstrap) draws the list before the connection is
// subscribed, the subscription then reconciles it without a row that comes and goes, and a
// visitor who is not signed in sees the form after that same single request. Requests are
// counted from the browser's own resource timing.
import { expect, fixture } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';
import { AUTH, CHANNEL, panel, part, people, post, row, signUp, waitUntil } from './support.js';

/**
 * Where this test's requests start: resource timing entries are added when a response ends, so in
 * Firefox and WebKit a request made before `performance.clearResourceTimings()` can still be
 * listed after it. Requests are counted from this time instead.
 */
let since = 0;

describe('first sight', () => {
  const { person: someone, forget, leave } = people();
  const person = (name: string, status = '') => someone(name, status);
  beforeEach(async () => {
    await post('/whatsup/logout', {});
  });
  afterEach(async () => {
    await executeServerCommand('whatsup-gate', { open: true });
    await leave();
  });

  it('should draw the members from one request, before the subscription, and keep the rows once live', async () => {
    const bo = await person('Bo', 'reviewing');
    await signUp('Sight');
    const watch = await openPanel({ 'auth-endpoint': AUTH, channel: CHANNEL }, bo.id);
    await watch.row;
    const before = requests(0, watch.rowAt);
    // pusher-js loads beside the bootstrap request (once per page): the row does not wait for it.
    const pusher = before.filter((e) => path(e).startsWith('/node_modules/pusher-js/'));
    expect(pusher.length, 'pusher-js asked at most once, beside it').to.be.at.most(1);
    expect(
      before.filter((e) => !pusher.includes(e)).map(path),
      'the requests before the first row',
    ).to.deep.equal([`/whatsup/bootstrap?channel=${CHANNEL}`]);
    const el = watch.el;
    expect(row(el, bo.id)!.querySelector('[part~="status"]')!.textContent).to.equal('reviewing');
    expect(el.controller.count, 'Bo and me').to.equal(2);

    await el.ready;
    const auth = requests().find((e) => path(e) === AUTH);
    expect(auth, 'the subscription was authorized').to.not.equal(undefined);
    // The channel can be subscribed only once its authorization has answered.
    expect(watch.rowAt, 'the row before the authorization was even asked').to.be.below(auth!.startTime);
    expect(el.connectionState).to.equal('connected');
    expect(watch.removed, 'no row came and went').to.deep.equal([]);
    expect(row(el, bo.id), 'the same row, live').to.equal(watch.first);
    await expect(el).to.be.accessible();
  });

  it('should drop who left and add who came between the snapshot and the subscription, without flicker', async () => {
    const ann = await person('Ann', 'here all along');
    const cy = await person('Cy', 'about to go');
    await signUp('Between');
    await executeServerCommand('whatsup-gate', { open: false });
    // The routes at /whatsup, the authorization through a gate the test opens.
    const watch = await openPanel(
      { 'auth-endpoint': '/gated-auth', 'api-base': '/whatsup', channel: CHANNEL },
      ann.id,
    );
    await watch.row;
    const el = watch.el;
    expect(ids(el)).to.include.members([ann.id, cy.id]);
    const annsRow = row(el, ann.id);

    // Cy leaves and Dee comes while the panel's subscription waits for its authorization.
    forget(cy.id);
    await executeServerCommand('whatsup-person-leave', { id: cy.id });
    const dee = await person('Dee', 'just came');
    expect(
      requests().some((e) => path(e) === '/gated-auth'),
      'not subscribed yet: the authorization has not answered',
    ).to.equal(false);
    expect(ids(el), 'still the snapshot').to.include(cy.id).and.not.include(dee.id);
    const joined: string[] = [];
    const left: string[] = [];
    el.addEventListener('whatsup-member-joined', (e) => joined.push(e.detail.member.id));
    el.addEventListener('whatsup-member-left', (e) => left.push(e.detail.member.id));

    await executeServerCommand('whatsup-gate', { open: true });
    await el.ready;
    await el.updateComplete;
    expect(ids(el).sort()).to.deep.equal([ann.id, dee.id].sort());
    expect(row(el, dee.id)!.querySelector('[part~="status"]')!.textContent).to.equal('just came');
    expect(el.controller.count).to.equal(3);
    expect(row(el, ann.id), 'Ann’s row stayed').to.equal(annsRow);
    expect(watch.removed, 'only Cy’s row went').to.deep.equal([cy.id]);
    expect(
      el.members.some((m) => m.id === cy.id && m.lastSeen !== undefined),
      'Cy not greyed either',
    ).to.equal(false);
    // The first subscription is the start, not news: no join or leave to announce.
    expect({ joined, left }).to.deep.equal({ joined: [], left: [] });
  });

  it('should not list someone who signed up and never connected, not even for a moment', async () => {
    const bo = await person('Bo', 'here');
    const ghost = (await executeServerCommand('whatsup-sign-up-only', { name: 'Gone' })) as Member;
    await signUp('Looker');
    const watch = await openPanel({ 'auth-endpoint': AUTH, channel: CHANNEL }, bo.id);
    await watch.row;
    expect(row(watch.el, ghost.id), 'not in the snapshot: the realtime server says who is here').to.equal(
      null,
    );
    await watch.el.ready;
    expect(ids(watch.el)).to.not.include(ghost.id);
    expect(watch.removed, 'no row came and went').to.deep.equal([]);
  });

  it('should show a visitor who is not signed in the form after one request', async () => {
    since = performance.now();
    const el = await fixture<WhatsupPresence>(panel());
    await waitUntil(() => part(el, 'form'), 'the sign-up form');
    expect(requests().map(path)).to.deep.equal([`/whatsup/bootstrap?channel=${CHANNEL}`]);
    await el.ready;
    expect(requests().length, 'nothing more').to.equal(1);
    expect(el.connectionState, 'no connection for a visitor').to.equal('initialized');
  });

  it('should follow the channel at once while invisible, with the follow channel the bootstrap names', async () => {
    const bo = await person('Bo', 'visible');
    await signUp('Hidden');
    expect((await post('/whatsup/availability', { availability: 'invisible' })).status).to.equal(200);
    const watch = await openPanel({ 'auth-endpoint': AUTH, channel: CHANNEL }, bo.id);
    await watch.row;
    expect(requests(0, watch.rowAt).map(path)).to.deep.equal([`/whatsup/bootstrap?channel=${CHANNEL}`]);
    const el = watch.el;
    await el.ready;
    expect(el.me!.availability).to.equal('invisible');
    // Straight to the follow channel's authorization: no GET /members to learn its name first.
    const paths = requests().map(path);
    expect(paths.slice(0, 2)).to.deep.equal([`/whatsup/bootstrap?channel=${CHANNEL}`, AUTH]);
    // Bo's status change reaches the invisible page through its follow channel.
    await executeServerCommand('whatsup-person-status', { id: bo.id, status: 'seen by a ghost' });
    await waitUntil(
      () => row(el, bo.id)?.querySelector('[part~="status"]')?.textContent === 'seen by a ghost',
      'Bo’s new status',
    );
    expect(watch.removed).to.deep.equal([]);
    await post('/whatsup/availability', { availability: 'auto' });
  });

  it('should start the old way (GET /config, then /isLoggedIn) from a middleware without /bootstrap', async () => {
    since = performance.now();
    const el = await fixture<WhatsupPresence>(panel({ 'api-base': '/whatsup-old' }));
    await waitUntil(() => part(el, 'form'), 'the sign-up form');
    expect(requests().map(path)).to.deep.equal([
      `/whatsup-old/bootstrap?channel=${CHANNEL}`,
      '/whatsup-old/config',
      '/whatsup-old/isLoggedIn',
    ]);
    expect(el.state).to.equal('signed-out');
  });
});

/**
 * A panel appended now, watched from its first render: when the row of `id` first appeared, and
 * the ids of every row that left the list after that.
 */
async function openPanel(attributes: Record<string, string>, id: string) {
  since = performance.now();
  const el = document.createElement('whatsup-presence');
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  document.body.append(el);
  const watch = {
    el,
    rowAt: 0,
    first: null as Element | null,
    removed: [] as string[],
    row: undefined as unknown as Promise<void>,
  };
  let shown: () => void;
  watch.row = new Promise<void>((resolve) => (shown = resolve));
  // A MutationObserver's callback runs right after the render that made the row, before any
  // network event can: the time it reads is when the row was there.
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      for (const node of r.removedNodes) {
        const gone = node instanceof Element && node.getAttribute('data-id');
        // A row moved elsewhere in the list is back in by now: only a row taken out counts.
        if (gone && !node.isConnected && r.target instanceof Element && r.target.matches('[part~="list"]'))
          watch.removed.push(gone === el.me?.id ? 'me' : gone);
      }
    }
    if (!watch.first && row(el, id)) {
      watch.rowAt = performance.now();
      watch.first = row(el, id);
      shown();
    }
  });
  observer.observe(el.shadowRoot!, { childList: true, subtree: true });
  after(() => {
    observer.disconnect();
    el.remove();
  });
  return watch;
}

const cleanups: (() => void)[] = [];
function after(fn: () => void): void {
  cleanups.push(fn);
}
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

/** The requests this page made since `since`, started between `from` and `to`. */
function requests(from = 0, to = Infinity): PerformanceResourceTiming[] {
  return (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(
    (e) => e.startTime >= Math.max(from, since) && e.startTime < to,
  );
}

function path(e: PerformanceEntry): string {
  const url = new URL(e.name);
  return url.pathname + url.search;
}

/** The ids of the others listed (not me). */
function ids(el: WhatsupPresence): string[] {
  return [...el.shadowRoot!.querySelectorAll('[part~="list"] > [data-id]')]
    .map((li) => li.getAttribute('data-id')!)
    .filter((id) => id !== el.me?.id);
}
