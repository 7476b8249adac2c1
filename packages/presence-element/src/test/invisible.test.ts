// Invisible pages (issue 20) in real browsers against the real middleware and realtime server:
// while I am invisible nobody sees me, yet my panel stays live — it follows the channel through my
// own follow channel (GET /members names it) and hears joins, leaves, statuses and announcements
// there. My other tabs follow me into and out of invisible.
import { expect, fixture } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { WhatsupPresence } from '../whatsup-presence.js';
import type { Member } from '../types.js';
import { CHANNEL, panel, people, post, row, signedInPanel, waitUntil } from './support.js';

describe('invisible pages', () => {
  const { person, view, forget, leave } = people();
  beforeEach(async () => {
    await post('/whatsup/logout', {});
  });
  afterEach(async () => {
    await post('/whatsup/availability', { availability: 'auto' });
    await leave();
  });

  it('should keep my panel live while invisible: joins, statuses, leaves and announcements', async () => {
    const bo = await person('Bo');
    // A short leave grace on this panel: the realtime server's own (3 s) still applies first.
    const el = await signedInPanel('Shade', { 'leave-grace': '0.3' });
    await waitUntil(() => row(el, bo.id), 'Bo listed');
    expect(await el.setAvailability('invisible')).to.equal(true);
    await waitUntil(() => el.connectionState === 'connected' && follows(), 'on my follow channel');
    const me = el.me!.id;
    await waitUntil(async () => !(await view(bo.id)).ids.includes(me), 'gone for Bo');
    expect(row(el, bo.id), 'I still see Bo').to.not.equal(null);

    // Someone who signed up and never connected is not here, for an invisible page either.
    const ghost = (await executeServerCommand('whatsup-sign-up-only', { name: 'Gone' })) as Member;
    el.controller.resubscribe(); // a fresh start on the follow channel, with the ghost's record there
    await waitUntil(() => el.connectionState === 'connected' && row(el, bo.id), 'following again');
    await el.ready;
    expect(row(el, ghost.id)).to.equal(null);
    const joined: string[] = [];
    const left: string[] = [];
    el.addEventListener('whatsup-member-joined', (e) => joined.push(e.detail.member.id));
    el.addEventListener('whatsup-member-left', (e) => left.push(e.detail.member.id));
    const cy = await person('Cy');
    await waitUntil(() => row(el, cy.id), 'Cy’s join reaches me');
    expect(joined).to.deep.equal([cy.id]);

    await executeServerCommand('whatsup-person-status', { id: bo.id, status: 'lunch <b>now</b>' });
    await waitUntil(() => row(el, bo.id)?.textContent?.includes('lunch <b>now</b>'), 'Bo’s status, as text');
    expect(el.shadowRoot!.querySelectorAll('b')).to.have.length(0);

    const announced = new Promise<string>((resolve) =>
      el.addEventListener('whatsup-announcement', (e) => resolve(e.detail.message), { once: true }),
    );
    await executeServerCommand('whatsup-announce', { message: 'fire drill' });
    expect(await announced).to.equal('fire drill');

    await executeServerCommand('whatsup-person-leave', { id: cy.id });
    forget(cy.id);
    await waitUntil(() => !row(el, cy.id), 'Cy’s leave reaches me', 10_000);
    expect(left).to.deep.equal([cy.id]);
    expect(el.controller.count).to.equal(2, 'Bo and me');
    expect(el.state).to.equal('signed-in');
    expect(el.shadowRoot!.querySelector('[part~="error"]')).to.equal(null);
  });

  it('should take my other tab along into invisible and back', async () => {
    const bo = await person('Bo');
    const first = await signedInPanel('Twin');
    const second = await fixture<WhatsupPresence>(panel());
    await second.ready;
    const me = first.me!.id;
    await waitUntil(async () => (await view(bo.id)).ids.includes(me), 'both tabs in the channel');

    // Invisible in the first tab: the server ends the second's connection (4009), which follows.
    expect(await first.setAvailability('invisible')).to.equal(true);
    await waitUntil(() => second.me?.availability === 'invisible', 'the other tab knows', 10_000);
    await waitUntil(() => second.connectionState === 'connected' && row(second, bo.id));
    await waitUntil(async () => !(await view(bo.id)).ids.includes(me), 'gone for Bo');

    // Visible again in the first tab: the second hears it on its follow channel and joins too.
    expect(await first.setAvailability('auto')).to.equal(true);
    await waitUntil(() => second.me?.availability === undefined, 'the other tab is visible', 10_000);
    await waitUntil(async () => (await view(bo.id)).ids.includes(me), 'back for Bo');
    first.remove();
    // Only the second tab is left: Bo must still see me (the second tab rejoined the channel).
    await new Promise((r) => setTimeout(r, 500));
    await waitUntil(async () => (await view(bo.id)).ids.includes(me), 'still there through the second tab');
    expect(second.state).to.equal('signed-in');
  });
});

/** Whether this page asked GET /members for the channel, as an invisible page does to find its follow channel. */
function follows(): boolean {
  return performance
    .getEntriesByType('resource')
    .some((e) => e.name.includes('/whatsup/members?channel=') && e.name.includes(CHANNEL));
}
