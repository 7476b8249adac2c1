// GET /config: what the element needs to connect and to draw its forms (never the secret).
import { CLEAR_AFTER, type PanelConfig } from '@whatsup/protocol';
import type { Router } from 'express';
import { wrap, type Kit } from './preamble.js';

export function configRoute(router: Router, kit: Kit): void {
  const { settings } = kit;
  const { limits } = settings;
  router.get(
    '/config',
    wrap(async (_req, res) => {
      const config: PanelConfig = {
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
      res.json(config);
    }),
  );
}
