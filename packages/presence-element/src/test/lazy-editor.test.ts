import { expect, fixture } from '@open-wc/testing';
import type { WhatsupPresence } from '../whatsup-presence.js';
import { panel, part as partOf, post, signedInPanel, waitUntil } from './support.js';

// Issue 23, "load only what is needed to see": the status editor, its emoji picker and presets are
// a module of their own (views/status-editor.ts, the bundles' whatsup-presence.editor.min.js),
// fetched when the pointer comes over my row or focus comes to it, else on the first open. Each
// test file is a page of its own, so nothing here has loaded it before this file's first test.
// (The bundles' chunk, same-origin and from a CDN path: e2e/lazy-editor.test.ts.)

describe('the status editor, loaded when needed', () => {
  beforeEach(async () => {
    await post('/whatsup/logout', {});
  });

  it('should not be fetched for the list, but on a hover of my row, once, and then open at once', async () => {
    const el = await signedInPanel('Hover', {}, 'around');
    // Another panel of mine on the page: it shares the one load.
    const second = await fixture<WhatsupPresence>(panel());
    await second.ready;
    await el.updateComplete;
    expect(part(el, 'me'), 'my row').to.not.equal(null);
    expect(editorFetches(), 'not fetched to draw the list').to.deep.equal([]);

    // The pointer over somebody else's part of the panel: still nothing.
    part(el, 'list')!.dispatchEvent(new PointerEvent('pointerover', { bubbles: true, composed: true }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(editorFetches()).to.deep.equal([]);

    // Over my row (its status text): fetched ahead, before any open.
    part(el, 'me')!
      .querySelector('[part~="status"]')!
      .dispatchEvent(new PointerEvent('pointerover', { bubbles: true, composed: true }));
    await waitUntil(() => editorFetches().length === 1, 'fetched on hover');
    expect(part(el, 'status-panel'), 'not opened by a hover').to.equal(null);
    await waitUntil(() => loaded(el), 'here');

    // Now a click opens it in the same update: no "Loading…" on the way.
    part(el, 'me')!.click();
    await el.updateComplete;
    expect(part(el, 'status-panel'), 'open at once').to.not.equal(null);
    expect(el.shadowRoot!.querySelector('.loading')).to.equal(null);
    await waitUntil(() => el.shadowRoot!.activeElement === part(el, 'status-editor'), 'focus in the editor');
    // Its styles came with it: the dialog is the editor's grid.
    expect(getComputedStyle(part(el, 'status-panel')!).display).to.equal('grid');
    keydown(part(el, 'status-editor')!, 'Escape');
    await waitUntil(() => !part(el, 'status-panel'), 'closed');

    // The other panel opens the same module: no second fetch, its styles too.
    part(second, 'me')!.focus();
    part(second, 'me')!.click();
    await waitUntil(() => part(second, 'status-panel'), 'the second panel editing');
    expect(getComputedStyle(part(second, 'status-panel')!).display).to.equal('grid');
    keydown(part(second, 'status-editor')!, 'Escape');
    await waitUntil(() => !part(second, 'status-panel'));
    part(el, 'me')!.click();
    await waitUntil(() => part(el, 'status-panel'), 'reopened');
    keydown(part(el, 'status-editor')!, 'Escape');
    expect(editorFetches(), 'the module once').to.have.length(1);
  });
});

/** The editor's module, each time this page fetched it. */
function editorFetches(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((entry) => new URL(entry.name).pathname)
    .filter((path) => /\/views\/status-editor\.(ts|js)$/.test(path));
}
/** Whether this panel has the editor (its styles are in its shadow root). */
function loaded(el: WhatsupPresence): boolean {
  return el.shadowRoot!.adoptedStyleSheets.some((sheet) =>
    [...sheet.cssRules].some((rule) => rule.cssText.includes('.emo')),
  );
}
function keydown(target: Element, key: string): void {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true }));
}
function part(el: WhatsupPresence, name: string): HTMLElement | null {
  return partOf(el, name) as HTMLElement | null;
}
