// Who am I: POST /register, GET /isLoggedIn, POST and GET /logout.
import type { Router } from 'express';
import { WhatsupError } from '../errors.js';
import { fromAllowedSite } from '../guards.js';
import { publicRecord } from '../records.js';
import { cleanText } from '../text.js';
import { objectBody, wrap, type Kit, type Preambles } from './preamble.js';

export function accountRoutes(router: Router, kit: Kit, pre: Preambles): void {
  const { settings, identity, accounts } = kit;
  const { limits } = settings;

  router.post(
    '/register',
    ...pre.signUp,
    wrap(async (req, res) => {
      if (settings.identify) {
        throw new WhatsupError(
          404,
          'register.disabled',
          'This site signs people in itself; sign in on the site instead.',
        );
      }
      const body = objectBody(req.body);
      const name = cleanText(body.username, 'username', limits.name, true);
      const status = cleanText(body.status, 'status', limits.status, false, limits.statusBytes);
      const record = await accounts.signUp(req, name, status);
      res.json({ success: true, error: false, user: publicRecord(record) });
    }),
  );

  router.get(
    '/isLoggedIn',
    wrap(async (req, res) => {
      const user = await identity.current(req, false);
      res.json(user ? { authenticated: true, user: publicRecord(user) } : { authenticated: false });
    }),
  );

  router.post(
    '/logout',
    ...pre.signOut,
    wrap(async (req, res) => {
      await accounts.signOut(req);
      res.json({ success: true, error: false });
    }),
  );

  router.get(
    '/logout',
    wrap(async (req, res) => {
      // A link on the site itself (the seed's) still signs out; from anywhere else a navigation
      // changes nothing and says how to sign out, so a cross-site link cannot sign anyone out.
      const site = req.get('sec-fetch-site');
      if (site === 'same-origin' && fromAllowedSite(req, settings.origins)) {
        await accounts.signOut(req);
        res.redirect(302, settings.logoutRedirect);
        return;
      }
      res
        .status(200)
        .type('html')
        .set('Content-Security-Policy', "default-src 'none'")
        .send(
          `<!doctype html><meta charset="utf-8"><title>Sign out</title>` +
            `<p>You are still signed in: a link from another page cannot sign you out.` +
            ` Use the Sign out button on <a href="${escapeHtml(settings.logoutRedirect)}">the site</a>.</p>`,
        );
    }),
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
