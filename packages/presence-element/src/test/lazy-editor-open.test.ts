import { expect } from '@open-wc/testing';
import { post, signedInPanel, waitUntil } from './support.js';

// Issue 23: the status editor opened before its module is here (no hover or focus fetched it
// ahead: a click from a script, an Enter forwarded by a test). My row says "Loading…" while it
// comes, then the editor opens with focus in it, as it does when it was here already. A page of
// its own (this file), so the module is not loaded before. (A failed load and the retry on the next
// open: e2e/lazy-editor.test.ts, where the network can refuse it.)

describe('the status editor, opened before it is loaded', () => {
  beforeEach(async () => {
    await post('/whatsup/logout', {});
  });

  it('should say "Loading…" by my row, then open with focus in it, its styles applied', async () => {
    const el = await signedInPanel('Early', {}, 'here');
    const part = (name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
    const rows = () => [...el.shadowRoot!.querySelectorAll('[part~="member"]')].length;
    const before = rows();

    // Enter on my row (no focusin: a keydown sent to it): the module is asked for now.
    part('me')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await el.updateComplete;
    const loading = el.shadowRoot!.querySelector('.loading');
    expect(loading?.textContent, 'said while it loads').to.equal('Loading…');
    expect(loading!.getAttribute('role')).to.equal('status');
    expect(part('status-panel'), 'no half-made editor').to.equal(null);
    expect(rows(), 'the list stays').to.equal(before);

    await waitUntil(() => part('status-panel'), 'open once here');
    expect(el.shadowRoot!.querySelector('.loading'), '"Loading…" gone').to.equal(null);
    await waitUntil(() => el.shadowRoot!.activeElement === part('status-editor'), 'focus in the editor');
    expect((part('status-editor') as HTMLInputElement).value).to.equal('here');
    expect(getComputedStyle(part('status-panel')!).display).to.equal('grid');
    // The picker and presets came with it.
    part('emoji-button')!.click();
    await waitUntil(() => part('picker'), 'the picker');
    expect(el.shadowRoot!.querySelectorAll('.picker [role=option]').length).to.be.above(20);
  });
});
