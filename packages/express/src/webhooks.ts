import { debuglog } from 'node:util';
import express from 'express';
import type { Request, RequestHandler, Response } from 'express';
import Pusher from 'pusher';
import { WhatsupError } from './errors.js';
import { webhookBodyProblem, type PresenceService, type WebhookBody } from './presence.js';

const debug = debuglog('whatsup');

export interface WebhookOptions {
  /** Where the receiver listens, relative to the router. Default `'/webhooks'`; `false` turns it off. */
  path?: string | false;
  /** The app key and secret webhooks are signed with. Default: those of the `pusher` option or client. */
  key?: string;
  secret?: string;
  /** Bodies whose `time_ms` is further than this from now are refused as stale. Default 5 minutes. */
  maxAgeMs?: number;
  /** Largest body accepted (body-parser syntax). Default `'256kb'`. */
  limit?: string | number;
  /**
   * Hold each `member_removed` this long (ms, 0–60000) and drop it with a `member_added` of the
   * same user and channel that follows within it, so a reload fires no hooks. Default 0: Pusher
   * Channels and @whatsup/realtime already wait before sending member_removed; soketi does not,
   * so with soketi set it (3000 is Pusher's order of magnitude).
   */
  leaveGraceMs?: number;
}

/**
 * The receiver: checks the signature with the `pusher` library's `webhook()` (X-Pusher-Key,
 * X-Pusher-Signature = HMAC-SHA256 of the raw body), then hands the events to the service.
 * Hooks are called, not awaited: a slow hook never makes the sender time out and retry.
 */
export function webhookReceiver(
  options: WebhookOptions & { key: string; secret: string },
  service: PresenceService,
): RequestHandler[] {
  const maxAgeMs = options.maxAgeMs ?? 5 * 60 * 1000;
  if (!Number.isFinite(maxAgeMs) || maxAgeMs <= 0)
    throw new TypeError(`webhooks.maxAgeMs must be a positive number, got ${maxAgeMs}`);
  const verifier = new Pusher({
    appId: 'webhooks',
    key: options.key,
    secret: options.secret,
    cluster: 'mt1',
  });
  const raw = express.text({ type: () => true, limit: options.limit ?? '256kb' });
  const jsonOnly: RequestHandler = (req, _res, next) => {
    if (req.is('application/json')) return next();
    next(
      new WhatsupError(
        415,
        'webhook.unsupported_type',
        'Webhooks are JSON (Content-Type: application/json).',
      ),
    );
  };
  const handle: RequestHandler = (req: Request, res: Response, next) => {
    const rawBody = typeof req.body === 'string' ? req.body : '';
    const webhook = verifier.webhook({
      // The library compares the type exactly; a charset parameter is still JSON.
      headers: {
        'x-pusher-key': req.get('x-pusher-key') ?? '',
        'x-pusher-signature': req.get('x-pusher-signature') ?? '',
        'content-type': 'application/json',
      },
      rawBody,
    });
    if (!webhook.isBodyValid()) {
      return next(new WhatsupError(400, 'webhook.invalid', 'The webhook body is not valid JSON.'));
    }
    if (!webhook.isValid()) {
      debug('webhook refused: bad key or signature');
      return next(
        new WhatsupError(
          401,
          'webhook.invalid_signature',
          'The webhook signature does not match: check that the app key and secret are the same on both sides.',
        ),
      );
    }
    const body = webhook.getData() as unknown;
    const problem = webhookBodyProblem(body);
    if (problem) return next(new WhatsupError(400, 'webhook.invalid', `Malformed webhook: ${problem}.`));
    const { time_ms: time } = body as WebhookBody;
    if (Math.abs(Date.now() - time) > maxAgeMs) {
      return next(
        new WhatsupError(
          401,
          'webhook.stale',
          `The webhook is ${Math.round((Date.now() - time) / 1000)} s old; only ${maxAgeMs / 1000} s are accepted.`,
        ),
      );
    }
    service
      .applyWebhook(body as WebhookBody)
      .then(() => res.json({ success: true, error: false }))
      .catch(next);
  };
  return [jsonOnly, raw, handle];
}
