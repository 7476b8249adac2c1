import type { PanelConfig } from '@whatsup/protocol';

// The shapes the panel shares with the server are @whatsup/protocol's, exported here under the names
// this package has always used.
export type {
  Availability,
  ClearAfter,
  Member,
  PanelConfig,
  StatusChange,
  StatusPreset,
} from '@whatsup/protocol';

/**
 * What GET /config returns, as the panel reads it: any field may be missing (an older server, or
 * none at all when the page gives its own `key`). The full shape is `PanelConfig`.
 */
export type ServerConfig = Partial<PanelConfig>;

export type PanelState = 'loading' | 'signed-out' | 'identify-required' | 'signed-in' | 'error';
