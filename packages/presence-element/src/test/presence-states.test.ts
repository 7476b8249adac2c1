// Rich presence (issue 14) in real Chromium against the real middleware and realtime server:
// away after a (shortened) idle time and back on input, the tabs of one browser agreeing, a hidden
// page, DND and invisible people, and the leave grace.
import { expect, fixture } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';
import { panel, part, people, post, row, signedInPanel, waitUntil } from './support.js';

describe('presence states', () => {
  const { person: someone, forget, leave } = people();
  const person = (name: string) => someone(name, '');
  beforeEach(async () => {
    await post('/whatsup/logout', {});
    performance.clearResourceTimings();
  });
  afterEach(leave);

  it('should go away after the idle time, report it once, and come back at once on input', async () => {
    // Listened for before the panel connects, and timed from there: on a loaded machine the panel
    // may be ready only after its idle second has passed, so "not away yet" is a time, not a state.
    const changes: Member[] = [];
    let awayAfter = 0;
    const start = performance.now();
    const onChange = (e: GlobalEventHandlersEventMap['whatsup-activity-changed']) => {
      changes.push(e.detail.member);
      if (e.detail.member.activity === 'away') awayAfter ||= performance.now() - start;
    };
    document.addEventListener('whatsup-activity-changed', onChange);
    let el: WhatsupPresence;
    try {
      el = await signedInPanel('Idle', { 'idle-after': '1' });
      await waitUntil(() => el.controller.away, 'away after 1 s', 4000);
      await waitUntil(() => el.me?.activity === 'away', 'the server has it');
    } finally {
      document.removeEventListener('whatsup-activity-changed', onChange);
    }
    await el.updateComplete;
    const mine = part(el, 'me')!;
    expect(mine.classList.contains('away')).to.equal(true);
    expect(mine.querySelector('[part~="presence"]')!.textContent).to.match(/^Away since \d/);
    expect(changes.map((m) => m.activity)).to.deep.equal(['away']);
    expect(awayAfter, 'not away before the idle second').to.be.at.least(1000);
    document.body.dispatchEvent(new MouseEvent('mousemove', { bubbles: true }));
    expect(el.controller.away, 'active at once').to.equal(false);
    // Someone at the page keeps moving (the idle time is only 1 s); the server coalesces a change
    // within 2 s of the last one and publishes it at the window's end.
    const moving = setInterval(() => document.dispatchEvent(new MouseEvent('mousemove')), 200);
    try {
      await waitUntil(() => el.me?.activity === undefined, 'active again on the server', 5000);
    } finally {
      clearInterval(moving);
    }
    expect(reports()).to.equal(2);
    await expect(el).to.be.accessible();
  });

  it('should report at most once for 1,000 mouse moves (none while already active)', async () => {
    const el = await signedInPanel('Throttle', { 'idle-after': '1' });
    const burst = () => {
      for (let i = 0; i < 1000; i++) document.dispatchEvent(new MouseEvent('mousemove', { clientX: i }));
    };
    burst();
    await new Promise((r) => setTimeout(r, 300));
    expect(reports(), 'active and still active: nothing to say').to.equal(0);
    await waitUntil(() => reports() === 1, 'the away report', 4000);
    burst();
    await new Promise((r) => setTimeout(r, 500));
    expect(reports(), 'one report for the whole burst').to.equal(2);
    expect(el.controller.away).to.equal(false);
  });

  it('should tell the server I am back when a page opens while it has me away', async () => {
    await post('/whatsup/register', {
      username: `Back${Math.random().toString(36).slice(2, 6)}`,
      status: '',
    });
    const away = await post('/whatsup/activity', { activity: 'away' });
    expect(away.status).to.equal(200);
    // A fetch's resource timing is filed once its body is read (Chromium), or a moment after
    // (Firefox, WebKit): clear this report of mine only once it is, so the count below is the
    // element's alone.
    await away.text();
    await waitUntil(() => reports() === 1, 'my own report filed', 2000);
    performance.clearResourceTimings();
    const el = await fixture<WhatsupPresence>(panel());
    await el.ready;
    // The deferred report lands at the end of the server's 2 s window.
    await waitUntil(() => el.me && el.me.activity === undefined, 'active on the server', 5000);
    expect(reports()).to.equal(1);
  });

  it('should stay active while another tab of mine is, and go away when that tab closes', async () => {
    const el = await signedInPanel('Tabs', { 'idle-after': '1' });
    // Another tab of this browser, through the same real BroadcastChannel the element listens on.
    const other = new BroadcastChannel('whatsup-activity');
    const heard: unknown[] = [];
    other.onmessage = (e) => heard.push(e.data);
    try {
      other.postMessage({ t: 'other-tab', u: el.me!.id, a: false, h: 1 });
      await waitUntil(() => heard.length > 0, 'the element answers a new tab');
      await new Promise((r) => setTimeout(r, 1800));
      expect(reports(), 'this tab is idle, the other is not: still active').to.equal(0);
      expect(el.controller.away).to.equal(false);
      other.postMessage({ t: 'other-tab', u: el.me!.id, g: 1 });
      await waitUntil(() => el.controller.away && reports() === 1, 'away once the other tab went');
      // A tab of somebody else (another user id) changes nothing.
      other.postMessage({ t: 'stranger', u: 'someone-else', a: false });
      await new Promise((r) => setTimeout(r, 200));
      expect(el.controller.away).to.equal(true);
    } finally {
      other.close();
    }
  });

  it('should go away while the page is hidden, whatever input arrives, and come back when shown', async () => {
    const el = await signedInPanel('Hidden', { 'idle-after': '1' });
    // Headless Chromium never hides a page (another tab brought to front, a minimized window and
    // CDP lifecycle states all leave visibilityState 'visible'): the one simulated part here is
    // document.visibilityState, with the real visibilitychange event the browser would fire.
    const setHidden = (hidden: boolean) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => (hidden ? 'hidden' : 'visible'),
      });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    const keepMoving = setInterval(() => document.dispatchEvent(new MouseEvent('mousemove')), 100);
    try {
      setHidden(true);
      await waitUntil(() => el.controller.away, 'away 1 s after hiding', 4000);
      setHidden(false);
      expect(el.controller.away, 'active as soon as it shows').to.equal(false);
    } finally {
      clearInterval(keepMoving);
      delete (document as unknown as Record<string, unknown>)['hidden'];
      delete (document as unknown as Record<string, unknown>)['visibilityState'];
    }
  });

  it("should show others' away and do-not-disturb with words, and tell the page", async () => {
    const bo = await person('Bo');
    const el = await signedInPanel('Watcher');
    await waitUntil(() => row(el, bo.id));
    const events: [Member, Member][] = [];
    el.addEventListener('whatsup-activity-changed', (e) => events.push([e.detail.member, e.detail.previous]));
    const res = await executeServerCommand('whatsup-person-post', {
      id: bo.id,
      path: '/activity',
      body: { activity: 'away' },
    });
    expect((res as { status: number }).status).to.equal(200);
    await waitUntil(() => row(el, bo.id)?.classList.contains('away'), 'away shown');
    expect(label(el, bo.id)).to.match(/^Away since \d{1,2}:\d{2}/);
    await executeServerCommand('whatsup-person-post', {
      id: bo.id,
      path: '/availability',
      body: { availability: 'dnd' },
    });
    await waitUntil(() => row(el, bo.id)?.classList.contains('dnd'), 'dnd shown');
    expect(label(el, bo.id)).to.equal('Do not disturb');
    expect(events.map(([m, p]) => [m.activity, m.availability, p.availability])).to.deep.equal([
      ['away', undefined, undefined],
      ['away', 'dnd', undefined],
    ]);
    await expect(el).to.be.accessible();
  });

  it('should not show or count an invisible person, nor their anonymous connection', async () => {
    const bo = await person('Bo');
    const el = await signedInPanel('Seer', { 'leave-grace': '0.3' });
    await waitUntil(() => row(el, bo.id));
    const joined: string[] = [];
    el.addEventListener('whatsup-member-joined', (e) => joined.push(e.detail.member.id));
    await executeServerCommand('whatsup-person-post', {
      id: bo.id,
      path: '/availability',
      body: { availability: 'invisible' },
    });
    await waitUntil(() => !row(el, bo.id), 'gone after the grace');
    // Bo's page connects again: invisible, it follows the channel through his own follow channel.
    await executeServerCommand('whatsup-person-reload', { id: bo.id });
    await new Promise((r) => setTimeout(r, 500));
    expect(joined).to.deep.equal([]);
    expect(el.controller.count).to.equal(1);
    expect(el.shadowRoot!.querySelectorAll('[part~="member"]')).to.have.length(1);
  });

  it('should reconnect as invisible when the server ends my connection (4009), and see everyone', async () => {
    const bo = await person('Bo');
    const el = await signedInPanel('Ghost');
    await waitUntil(() => row(el, bo.id));
    const res = await post('/whatsup/availability', { availability: 'invisible' });
    expect(res.status).to.equal(200);
    await waitUntil(() => el.me?.availability === 'invisible', 'my record says invisible', 5000);
    await waitUntil(() => el.connectionState === 'connected' && row(el, bo.id), 'connected again', 5000);
    expect(el.state).to.equal('signed-in');
    expect(label(el, el.me!.id)).to.equal('Invisible');
    expect(el.controller.count).to.equal(2);
    // Visible again: the page asks for a new authorization, under my own id.
    await post('/whatsup/availability', { availability: 'auto' });
    el.controller.resubscribe();
    await waitUntil(() => el.me?.availability === undefined && el.connectionState === 'connected');
    await el.ready;
  });

  it('should show the signed-out state when the server ends my connection (4009) and my session is gone', async () => {
    const el = await signedInPanel('Removed');
    await post('/whatsup/availability', { availability: 'invisible' });
    await waitUntil(() => el.me?.availability === 'invisible' && el.connectionState === 'connected');
    const signedOut = new Promise<string>((resolve) =>
      el.addEventListener('whatsup-signed-out', (e) => resolve(e.detail.reason), { once: true }),
    );
    // No signed-out event: only the 4009 close tells, and the session is gone when the page asks.
    await executeServerCommand('whatsup-expire-sessions');
    await executeServerCommand('whatsup-drop-all', { code: 4009, reason: 'Ended by the server' });
    expect(await signedOut).to.equal('expired');
    expect(el.state).to.equal('signed-out');
    expect(el.controller.sessionEnded).to.equal(true);
  });

  it('should sign out an invisible page when the app removes the person', async () => {
    const el = await signedInPanel('Removed');
    await post('/whatsup/availability', { availability: 'invisible' });
    await waitUntil(() => el.me?.availability === 'invisible' && el.connectionState === 'connected');
    // Connected is not yet subscribed: on the follow channel once an announcement reaches the page.
    let heard = false;
    el.addEventListener('whatsup-announcement', () => (heard = true));
    for (let i = 0; !heard && i < 50; i++) {
      await executeServerCommand('whatsup-announce', { message: 'following' });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(heard, 'the page follows the channel').to.equal(true);
    const signedOut = new Promise<string>((resolve) =>
      el.addEventListener('whatsup-signed-out', (e) => resolve(e.detail.reason), { once: true }),
    );
    // Invisible, the page is on its follow channel: the removal's signed-out reaches it there, and
    // the 4009 close right after it; whichever the browser hands over first signs the page out.
    await executeServerCommand('whatsup-remove', { id: el.me!.id });
    expect(['other-tab', 'expired']).to.include(await signedOut);
    expect(el.state).to.equal('signed-out');
    expect((await (await fetch('/whatsup/isLoggedIn')).json()).authenticated).to.equal(false);
  });

  it('should show no leave and no join for a reload within the grace', async () => {
    const bo = await person('Bo');
    const el = await signedInPanel('Stay', { 'leave-grace': '5' });
    await waitUntil(() => row(el, bo.id));
    const events: string[] = [];
    el.addEventListener('whatsup-member-left', () => events.push('left'));
    el.addEventListener('whatsup-member-joined', () => events.push('joined'));
    const greyed = waitUntil(() => row(el, bo.id)?.classList.contains('left'), 'greyed in between');
    const reload = executeServerCommand('whatsup-person-reload', { id: bo.id, afterMs: 600 });
    await greyed;
    expect(label(el, bo.id)).to.equal('Left just now');
    expect(el.controller.count, 'a left row is not counted').to.equal(1);
    await reload;
    await waitUntil(() => !row(el, bo.id)?.classList.contains('left'), 'restored');
    await new Promise((r) => setTimeout(r, 300));
    expect(events).to.deep.equal([]);
    expect(el.controller.count).to.equal(2);
  });

  it('should show "Left just now" on a close, then drop the row after the grace and list them in Recently here', async () => {
    const bo = await person('Bo');
    // 3.5 s: longer than the realtime server's own leave grace (3 s), after which the record has lastSeen.
    const el = await signedInPanel('See', { 'leave-grace': '3.5', 'show-recent': '' });
    await waitUntil(() => row(el, bo.id));
    const left: Member[] = [];
    el.addEventListener('whatsup-member-left', (e) => left.push(e.detail.member));
    await executeServerCommand('whatsup-person-leave', { id: bo.id });
    forget(bo.id);
    await waitUntil(() => label(el, bo.id) === 'Left just now', 'greyed');
    expect(left).to.have.length(0);
    expect(el.shadowRoot!.querySelector('#list-title')!.textContent).to.equal('1 person online');
    await expect(el).to.be.accessible();
    await waitUntil(() => !row(el, bo.id), 'gone after the grace', 6000);
    expect(left.map((m) => m.id)).to.deep.equal([bo.id]);
    await waitUntil(() => el.controller.recent.some((m) => m.id === bo.id), 'recently here', 4000);
    await el.updateComplete;
    const recent = part(el, 'recent') as HTMLDetailsElement;
    expect(recent.open).to.equal(false);
    expect(recent.querySelector('summary')!.textContent).to.match(/^Recently here \(\d+\)$/);
    const bosRow = recent.querySelector(`[data-id="${bo.id}"]`)!;
    expect(bosRow.querySelector('[part~="presence"]')!.textContent).to.match(/^Left /);
    recent.open = true;
    await expect(el).to.be.accessible();
  });
});

function reports(): number {
  return performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/whatsup/activity')).length;
}

function label(el: WhatsupPresence, id: string): string | undefined {
  return row(el, id)?.querySelector('[part~="presence"]')?.textContent ?? undefined;
}
