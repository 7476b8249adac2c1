import { createHmac } from 'node:crypto';
import { WEBHOOK_HEADERS } from '@whatsup/protocol';
import { debug } from '../debug.js';
import type { ResolvedWebhookTarget } from './options.js';

/** `X-Pusher-Signature`: HMAC-SHA256 hex of the raw body with the app secret. */
export function webhookSignature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** What one POST needs besides the body. */
export interface PostOptions {
  target: ResolvedWebhookTarget;
  key: string;
  secret: string;
  timeoutMs: number;
  /** Aborted by the queue when the server closes, and here when `timeoutMs` passes. */
  abort: AbortController;
}

/**
 * POSTs one signed body, as Pusher does: `X-Pusher-Key`, `X-Pusher-Signature`, JSON. True on a 2xx
 * answer; false on anything else (network error, timeout, redirect, non-2xx), which the queue retries.
 */
export async function postWebhook(body: string, options: PostOptions): Promise<boolean> {
  const { target, key, secret, timeoutMs, abort } = options;
  const url = target.url;
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  timer.unref();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        ...target.headers,
        'Content-Type': 'application/json',
        [WEBHOOK_HEADERS.key]: key,
        [WEBHOOK_HEADERS.signature]: webhookSignature(secret, body),
      },
      body,
      signal: abort.signal,
      // a redirect would turn the POST into a GET elsewhere; a moved receiver is a failure to fix
      redirect: 'manual',
    });
    // the body is not needed; reading it frees the connection for reuse
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return true;
    debug('webhooks: %s answered %d', url, response.status);
    return false;
  } catch (error) {
    debug('webhooks: POST %s failed: %s', url, (error as Error)?.message ?? String(error));
    return false;
  } finally {
    clearTimeout(timer);
  }
}
