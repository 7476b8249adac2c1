import { randomUUID } from 'node:crypto';
import { DEFAULT_CHANNEL, EVENTS, type Announcement } from '@whatsup/protocol';
import { WhatsupError } from './errors.js';
import { createPusherPublisher, type Publisher, type PusherOptions } from './publisher.js';
import { cleanText } from './text.js';

export interface AnnounceOptions {
  publisher?: Publisher;
  pusher?: PusherOptions;
  /** Default `'presence-whatsup-members'`. */
  channel?: string;
  /** The longest announcement, in characters. Default 280. */
  maxLength?: number;
}

export type { Announcement };

/** Server → every open page: publishes an `announcement` that each <whatsup-presence> shows as a toast. */
export function announce(message: string, options: AnnounceOptions): Promise<Announcement> {
  const publisher = options.publisher ?? (options.pusher ? createPusherPublisher(options.pusher) : undefined);
  if (!publisher)
    throw new TypeError('announce needs publisher or pusher: { appId, key, secret, cluster | host }');
  return announceOn(publisher, options.channel ?? DEFAULT_CHANNEL, message, options.maxLength);
}

/**
 * Publishes an `announcement` and returns what was sent. The text is cleaned like a status
 * (one line, no control characters, NFC), but its errors speak of the announcement
 * (`announcement.required`, `announcement.too_long`, …) so a CLI user is not told about a status.
 */
export async function announceOn(
  publisher: Pick<Publisher, 'trigger'>,
  channel: string,
  message: string,
  max = 280,
): Promise<Announcement> {
  const announcement = { id: randomUUID(), message: cleanAnnouncement(message, max), sentAt: Date.now() };
  await publisher.trigger(channel, EVENTS.announcement, announcement);
  return announcement;
}

function cleanAnnouncement(message: unknown, max: number): string {
  try {
    return cleanText(message, 'status', max, true);
  } catch (err) {
    if (!(err instanceof WhatsupError) || !err.code.startsWith('status.')) throw err;
    throw new WhatsupError(
      err.status,
      `announcement.${err.code.slice('status.'.length)}`,
      err.message.replace(/^The status/, 'The announcement'),
      { field: 'message' },
    );
  }
}
