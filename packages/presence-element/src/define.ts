import { WhatsupPresence } from './whatsup-presence.js';

export * from './index.js';

/**
 * Registers `<whatsup-presence>` (or `tag`). A page may load the module and the one-file bundle,
 * or two versions of either: the first to register wins, and a second copy says so in the console
 * with both versions rather than failing silently or throwing.
 */
export function define(tag = 'whatsup-presence'): void {
  const existing = customElements.get(tag) as (CustomElementConstructor & { version?: string }) | undefined;
  if (!existing) customElements.define(tag, WhatsupPresence);
  else if (existing !== WhatsupPresence) {
    console.warn(
      `whatsup: <${tag}> is already defined by @whatsup/presence ${existing.version ?? '(unknown version)'}; this copy (${WhatsupPresence.version}) is not used.`,
    );
  }
}

define();
