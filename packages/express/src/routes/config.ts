// GET /config: what the element needs to connect and to draw its forms (never the secret).
import { CLEAR_AFTER, type PanelConfig } from '@whatsup/protocol';
import type { Router } from 'express';
import type { Settings } from '../options.js';
import { wrap, type Kit } from './preamble.js';

export function configRoute(router: Router, kit: Kit): void {
  router.get(
    '/config',
    wrap(async (_req, res) => {
      res.json(panelConfig(kit.settings));
    }),
  );
}

/** The panel's settings, as GET /config and GET /bootstrap give them. */
export function panelConfig(settings: Settings): PanelConfig {
  const { limits } = settings;
  return {
    cluster: 'mt1',
    forceTLS: true,
    ...settings.publisher.clientConfig?.(),
    ...settings.client,
    channel: settings.defaultChannel,
    mode: settings.identify ? 'identify' : 'guest',
    limits: { name: limits.name, status: limits.status, statusBytes: limits.statusBytes },
    presets: settings.presets,
    clearAfter: CLEAR_AFTER,
  } as PanelConfig;
}
