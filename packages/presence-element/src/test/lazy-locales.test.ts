// Issue 23, "load only what is needed to see": the language packs we ship load on first use. A panel
// whose language has no pack registered shows English, imports the pack (here the module build's
// `./locales/<lang>.js`; the one-file bundles' files are e2e/lazy-locales.test.ts's), and every panel
// in that language re-renders once it registers. A pack the page registered wins; English fetches
// nothing. Each language loads once per page, so each test here takes a language of its own.
import { expect, fixture } from '@open-wc/testing';
import '../define.js';
import { addMessages } from '../localize.js';
import { shippedPack } from '../load-locale.js';
import { defaultMessages } from '../messages.js';
import type { WhatsupPresence } from '../whatsup-presence.js';
import { panel, waitUntil } from './support.js';

/** The page's requests for language packs so far (Resource Timing), by file name. */
function packRequests(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((entry) => entry.name)
    .map((url) => /\/locales\/([\w-]+\.js)$/.exec(new URL(url).pathname)?.[1])
    .filter((name) => name !== undefined);
}

const signOut = () =>
  fetch('/whatsup/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
const text = (el: WhatsupPresence, selector: string) =>
  el.shadowRoot!.querySelector(selector)?.textContent?.trim() ?? '';

describe('language packs loaded on first use', () => {
  before(async () => {
    performance.setResourceTimingBufferSize(10_000);
    await signOut();
  });

  it('should find the pack we ship as packFor would: by primary language, zh-* to zh-Hans, none for English', () => {
    const found = ['fr-CA', 'zh-Hans-CN', 'zh', 'zh-TW', 'AR-eg', 'de', 'es-419', 'ja-JP'].map(shippedPack);
    expect(found).to.deep.equal(['fr', 'zh-Hans', 'zh-Hans', 'zh-Hans', 'ar', 'de', 'es', 'ja']);
    for (const lang of ['en', 'en-US', 'pt-BR', 'frr', 'dex', '', 'x-fr', 'sv'])
      expect(shippedPack(lang), lang).to.equal(undefined);
  });

  it('should fetch nothing for an English panel', async () => {
    const el = await fixture<WhatsupPresence>(panel({ lang: 'en-GB' }));
    await waitUntil(() => text(el, '#form-title'), 'the sign-up form');
    expect(text(el, '#form-title')).to.equal(defaultMessages.signUpTitle);
    expect(packRequests()).to.deep.equal([]);
  });

  it('should render in English, load the pack once, then re-render every panel in that language', async () => {
    const wrapper = await fixture<HTMLDivElement>('<div lang="ja-JP"></div>');
    const first = panel();
    wrapper.append(first);
    await first.updateComplete;
    // The first render, before the pack can have arrived: English, nothing missing.
    expect(text(first, '.loading')).to.equal(defaultMessages.loading);
    const second = panel({ lang: 'ja' });
    document.body.append(second);
    try {
      const ja = { signUpTitle: '参加して、いま何をしているかみんなに伝えましょう' }; // ja.ts's
      await waitUntil(
        () => text(first, '#form-title') === ja.signUpTitle && text(second, '#form-title') === ja.signUpTitle,
        `both panels in Japanese, got "${text(first, '#form-title')}" and "${text(second, '#form-title')}"`,
      );
      expect(packRequests()).to.deep.equal(['ja.js']);
    } finally {
      second.remove();
    }
  });

  it('should use a pack the page registered and fetch nothing', async () => {
    addMessages('es', { ...defaultMessages, signUpTitle: 'Nuestro título' });
    const el = await fixture<WhatsupPresence>(panel({ lang: 'es-MX' }));
    await waitUntil(
      () => text(el, '#form-title') === 'Nuestro título',
      `the page's pack, got "${text(el, '#form-title')}"`,
    );
    expect(packRequests()).to.not.include('es.js');
  });

  it('should re-render a panel when a pack for its language is added later', async () => {
    const el = await fixture<WhatsupPresence>(panel({ lang: 'pt' }));
    await waitUntil(() => text(el, '#form-title') === defaultMessages.signUpTitle, 'English first');
    addMessages('pt', { ...defaultMessages, signUpTitle: 'Entre e diga o que está fazendo' });
    await waitUntil(() => text(el, '#form-title') === 'Entre e diga o que está fazendo', 'Portuguese');
    expect(packRequests().some((name) => name.startsWith('pt'))).to.equal(false, 'we ship no pt');
  });
});
