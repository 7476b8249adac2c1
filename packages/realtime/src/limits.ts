import { CHANNEL_NAME, SERVER_TO_USER_PREFIX } from '@whatsup/protocol';
import type { Limits } from './options.js';
import { quote } from './json.js';

export { channelKind, isSocketId, type ChannelKind } from '@whatsup/protocol';
export { quote };

/** The user a `#server-to-user-{id}` channel belongs to. */
export function serverToUserId(name: string): string {
  return name.slice(SERVER_TO_USER_PREFIX.length);
}

export function serverToUserChannel(userId: string): string {
  return SERVER_TO_USER_PREFIX + userId;
}

/** Why a channel name is refused, or undefined when it is fine. Quotes the bad value (truncated). */
export function channelNameProblem(name: unknown, limits: Limits): string | undefined {
  if (typeof name !== 'string' || name === '')
    return `Invalid channel name: ${quote(name)} (a non-empty string is needed)`;
  if (name.length > limits.channelNameLength) {
    return `The channel name is longer than the allowed ${limits.channelNameLength} characters: ${quote(name)}`;
  }
  const body = name.startsWith(SERVER_TO_USER_PREFIX) ? serverToUserId(name) : name;
  if (!CHANNEL_NAME.test(body)) {
    return `Invalid channel name: ${quote(name)} (allowed: letters, digits and - _ = @ , . ;)`;
  }
  return undefined;
}

export function eventNameProblem(name: unknown, limits: Limits): string | undefined {
  if (typeof name !== 'string' || name === '')
    return `Invalid event name: ${quote(name)} (a non-empty string is needed)`;
  if (name.length > limits.eventNameLength) {
    return `The event name is longer than the allowed ${limits.eventNameLength} characters: ${quote(name)}`;
  }
  return undefined;
}

/**
 * A fixed window per connection: at most `limit` takes per `windowMs`. Made on first use, so a
 * connection that never sends what it counts pays nothing for it.
 */
export class RateWindow {
  #windowStart = 0;
  #count = 0;
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one; false when it is over the limit (and is then not counted). */
  take(now = Date.now()): boolean {
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count >= this.#limit) return false;
    this.#count += 1;
    return true;
  }
}
