// GET /bootstrap?channel=: the panel's first request, all it needs to draw in one round trip: the
// settings (GET /config), who I am (GET /isLoggedIn) and, signed in, the channel's members as
// GET /members?channel= gives them. Per session, revalidated with an ETag.
import { createHash } from 'node:crypto';
import type { BootstrapAnswer } from '@whatsup/protocol';
import type { Request, Response, Router } from 'express';
import { publicRecord } from '../records.js';
import { panelConfig } from './config.js';
import { askedChannel, membersFor, onlineIn } from './members.js';
import { wrap, type Kit } from './preamble.js';

export function bootstrapRoute(router: Router, kit: Kit): void {
  router.get(
    '/bootstrap',
    wrap(async (req, res) => {
      // Checked for everyone, so a wrong attribute shows before anyone signs in.
      askedChannel(req.query.channel);
      const user = await kit.identity.current(req, false);
      const answer: BootstrapAnswer = { config: panelConfig(kit.settings), authenticated: Boolean(user) };
      if (user) {
        const { members, truncated, total, follow } = await membersFor(kit, req, user, req.query.channel);
        Object.assign(answer, { user: publicRecord(user), members }, truncated ? { truncated, total } : {});
        if (follow) answer.follow = follow;
        const channel = askedChannel(req.query.channel);
        const online = channel === undefined ? undefined : await onlineIn(kit, channel);
        if (online) answer.online = online;
      }
      sendRevalidated(req, res, JSON.stringify(answer));
    }),
  );
}

/**
 * The body with an ETag of its bytes: cached by this browser only (`private`) and asked again
 * every time (`no-cache`), a 304 without a body when it did not change.
 */
function sendRevalidated(req: Request, res: Response, body: string): void {
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('ETag', etag);
  if (matches(req.get('if-none-match'), etag)) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(body);
}

/** Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for GET). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}
