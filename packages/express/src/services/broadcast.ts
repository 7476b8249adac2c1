// Everything the router publishes goes through here, because a channel has two audiences: the
// people in the presence channel, and the invisible people following it, each through a follow
// channel of their own (`presence-whatsup-invisible-…`, see the README's "Invisible"). An event
// about the channel or a visible person reaches both; an event about an invisible person reaches
// only that person's own follow channels.
import { createHash } from 'node:crypto';
import { debuglog } from 'node:util';
import { FOLLOW_CHANNEL_PREFIX, LIMITS } from '@whatsup/protocol';
import { WhatsupError } from '../errors.js';
import type { WhatsupIndex } from '../indexes.js';
import type { Publisher } from '../publisher.js';

const debug = debuglog('whatsup');

/**
 * The follow channel of person `id` for presence channel `channel`: the prefix and 32 characters
 * of base64url SHA-256, so any channel name and user id give a valid, fixed-length name. Not a
 * secret: the authorization route lets only `id` subscribe to it.
 */
export function followChannel(channel: string, id: string): string {
  const digest = createHash('sha256').update(`${channel}\n${id}`).digest('base64url');
  return FOLLOW_CHANNEL_PREFIX + digest.slice(0, 32);
}

export class Broadcast {
  readonly #publisher: Publisher;
  readonly #index: WhatsupIndex;

  constructor(publisher: Publisher, index: WhatsupIndex) {
    this.#publisher = publisher;
    this.#index = index;
  }

  /**
   * Publishes to the channels and to the follow channels of everyone invisible in them. Rejects
   * with 502 `publish.failed` when the realtime service cannot be reached.
   */
  async toChannels(channels: string | string[], event: string, data: unknown): Promise<void> {
    const list = [channels].flat();
    const targets = [...list];
    for (const channel of list) {
      for (const id of await this.#index.invisibleIn(channel)) targets.push(followChannel(channel, id));
    }
    // One channel given as a string goes out as one (as announce() always sent it).
    await this.#send(typeof channels === 'string' && targets.length === 1 ? channels : targets, event, data);
  }

  /** Publishes only to the follow channels of invisible people in `channels` (member joins and leaves). */
  async toFollowers(channels: string[], event: string, data: unknown): Promise<void> {
    const targets: string[] = [];
    for (const channel of channels) {
      for (const id of await this.#index.invisibleIn(channel)) targets.push(followChannel(channel, id));
    }
    if (targets.length > 0) await this.#send(targets, event, data);
  }

  /** Publishes to person `id`'s own follow channels: what their own pages must hear while invisible. */
  async toOwnPages(id: string, channels: string[], event: string, data: unknown): Promise<void> {
    await this.#send(
      channels.map((channel) => followChannel(channel, id)),
      event,
      data,
    );
  }

  async #send(targets: string | string[], event: string, data: unknown): Promise<void> {
    try {
      if (typeof targets === 'string') await this.#publisher.trigger(targets, event, data);
      // Pusher takes at most 100 channels per event.
      else
        for (let i = 0; i < targets.length; i += LIMITS.channelsPerEvent) {
          await this.#publisher.trigger(targets.slice(i, i + LIMITS.channelsPerEvent), event, data);
        }
    } catch (err) {
      debug('publish %s to %o failed: %o', event, targets, err);
      throw new WhatsupError(
        502,
        'publish.failed',
        'Saved, but the realtime service could not be reached: others will see it after their next refresh.',
      );
    }
  }
}
