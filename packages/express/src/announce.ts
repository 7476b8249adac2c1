import { announceOn, type Announcement } from './router.js';
import { createPusherPublisher, type Publisher, type PusherOptions } from './publisher.js';

export interface AnnounceOptions {
  publisher?: Publisher;
  pusher?: PusherOptions;
  /** Default `'presence-whatsup-members'`. */
  channel?: string;
}

/** Server → every open page: publishes an `announcement` that each <whatsup-presence> shows as a toast. */
export function announce(message: string, options: AnnounceOptions): Promise<Announcement> {
  const publisher = options.publisher ?? (options.pusher ? createPusherPublisher(options.pusher) : undefined);
  if (!publisher)
    throw new TypeError('announce needs publisher or pusher: { appId, key, secret, cluster | host }');
  return announceOn(publisher, options.channel ?? 'presence-whatsup-members', message);
}
