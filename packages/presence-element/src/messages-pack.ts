import type { Messages } from './messages.js';

/** Configuration errors are for the page's developer: they stay in English. */
export type DeveloperMessage =
  'configMissing' | 'configChannel' | 'configPort' | 'configUrl' | 'configUnreachable';

/** What a language pack must translate: every visitor-facing string. */
export type MessagePack = Omit<Messages, DeveloperMessage>;
