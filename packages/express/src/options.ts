// Option checks that run once, when whatsup() is called (express-session's and ws's way): a
// mistake throws a TypeError that says how to fix it, before any request is served.
import Pusher from 'pusher';
import { createPusherPublisher, publisherFromPusherClient, type Publisher } from './publisher.js';
import type { ChannelRule, WhatsupOptions } from './router.js';

/** Pusher's channel-name characters. */
export const CHANNEL_NAME = /^[-a-zA-Z0-9_=@,.;]+$/;

export function resolvePublisher(options: WhatsupOptions): Publisher {
  if (options.publisher && options.pusher) {
    throw new TypeError('pass either the pusher option (credentials) or the publisher option, not both');
  }
  if (options.pusher) return createPusherPublisher(options.pusher);
  const publisher = options.publisher;
  if (publisher instanceof Pusher) return publisherFromPusherClient(publisher);
  if (!publisher) {
    throw new TypeError(
      'whatsup needs somewhere to publish: pass pusher: { appId, key, secret, cluster | host } ' +
        'or publisher: createRealtimeServer({ appId, key, secret, server }) from @whatsup/realtime',
    );
  }
  if (typeof publisher.trigger !== 'function' || typeof publisher.authorizeChannel !== 'function') {
    throw new TypeError(
      'publisher must have trigger(channel, event, data) and authorizeChannel(socketId, channel, presenceData)',
    );
  }
  return publisher;
}

/** The key and secret webhooks are signed with: given, or those of the pusher option or client. */
export function resolveWebhookCredentials(
  options: WhatsupOptions,
): { key: string; secret: string } | undefined {
  const given = options.webhooks || {};
  if (given.key !== undefined || given.secret !== undefined) {
    if (typeof given.key !== 'string' || !given.key || typeof given.secret !== 'string' || !given.secret)
      throw new TypeError('webhooks.key and webhooks.secret must both be non-empty strings');
    return { key: given.key, secret: given.secret };
  }
  if (options.pusher?.key && options.pusher.secret)
    return { key: options.pusher.key, secret: options.pusher.secret };
  if (options.publisher instanceof Pusher) {
    const token = (options.publisher as unknown as { config: { token: { key: string; secret: string } } })
      .config.token;
    return { key: token.key, secret: token.secret };
  }
  return undefined;
}

export function resolveChannels(rule: ChannelRule | undefined = 'presence-whatsup-members') {
  if (typeof rule === 'function') {
    return { first: undefined as string | undefined, list: undefined as string[] | undefined, test: rule };
  }
  const list = Array.isArray(rule) ? rule : [rule];
  if (
    list.length === 0 ||
    list.some((c) => typeof c !== 'string' || !CHANNEL_NAME.test(c) || c.length > 200)
  ) {
    throw new TypeError(
      `channels option must be a channel name, a list of them, or a function (name, user, req) => boolean; got ${JSON.stringify(rule)}`,
    );
  }
  const set = new Set(list);
  return { first: list[0], list: [...set], test: (channel: string) => set.has(channel) };
}
