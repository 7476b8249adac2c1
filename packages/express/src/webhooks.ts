// POST /webhooks: verify (signature, age, shape, never twice) → the presence service.
import { debuglog } from 'node:util';
import type { WebhookBody } from '@whatsup/protocol';
import type { RequestHandler } from 'express';
import Pusher from 'pusher';
import { WhatsupError } from './errors.js';
import type { WhatsupIndex } from './indexes.js';
import type { WebhookSettings } from './options.js';
import { boundBody, readBody, textParser } from './read-body.js';
import type { PresenceService } from './services/presence.js';

const debug = debuglog('whatsup');

export type { WebhookOptions } from './options.js';

/**
 * The receiver: checks the signature with the `pusher` library's `webhook()` (X-Pusher-Key,
 * X-Pusher-Signature = HMAC-SHA256 of the raw body), the body's age and shape, and that the same
 * signed body was not accepted before (remembered in the index for the whole window in which it
 * would pass the age check: shared by every instance with a Redis store). Then it hands the
 * events to the service; hooks are called, not awaited, so a slow hook never makes the sender
 * time out and retry.
 */
export function webhookReceiver(
  options: WebhookSettings,
  bodyTimeoutMs: number,
  index: WhatsupIndex,
  service: PresenceService,
): RequestHandler[] {
  const { maxAgeMs, limit } = options;
  const verifier = new Pusher({
    appId: 'webhooks',
    key: options.key,
    secret: options.secret,
    cluster: 'mt1',
  });
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
  const handle: RequestHandler = (req, res, next) => {
    const rawBody = typeof req.body === 'string' ? req.body : '';
    const signature = req.get('x-pusher-signature') ?? '';
    const webhook = verifier.webhook({
      // The library compares the type exactly; a charset parameter is still JSON.
      headers: {
        'x-pusher-key': req.get('x-pusher-key') ?? '',
        'x-pusher-signature': signature,
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
    const age = Date.now() - time;
    if (Math.abs(age) > maxAgeMs) {
      return next(
        new WhatsupError(
          401,
          'webhook.stale',
          `The webhook is ${Math.round(age / 1000)} s old; only ${maxAgeMs / 1000} s are accepted.`,
        ),
      );
    }
    // Remembered until its time_ms leaves the window: after that the age check refuses it anyway.
    index
      .firstTime(`webhook:${signature.toLowerCase()}`, maxAgeMs - age + 1000)
      .then((first) => {
        if (!first) {
          debug('webhook refused: already accepted');
          throw new WhatsupError(409, 'webhook.replayed', 'This webhook body was accepted already.');
        }
        return service.applyWebhook(body as WebhookBody);
      })
      .then(() => res.json({ success: true, error: false }))
      .catch(next);
  };
  return [boundBody(limit), jsonOnly, readBody(textParser(limit), limit, bodyTimeoutMs), handle];
}

/** Checks a parsed webhook body has Pusher's shape; says what is wrong otherwise. */
export function webhookBodyProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object';
  const { time_ms: time, events } = body as Record<string, unknown>;
  if (typeof time !== 'number' || !Number.isFinite(time)) return 'time_ms must be a number';
  if (!Array.isArray(events)) return 'events must be an array';
  if (events.length > 1000) return 'at most 1000 events per body';
  for (const event of events) {
    if (typeof event !== 'object' || event === null) return 'every event must be an object';
    const e = event as Record<string, unknown>;
    if (typeof e.name !== 'string' || typeof e.channel !== 'string')
      return 'every event needs a name and a channel';
    if (e.user_id !== undefined && typeof e.user_id !== 'string' && typeof e.user_id !== 'number')
      return 'user_id must be a string';
  }
  return undefined;
}
