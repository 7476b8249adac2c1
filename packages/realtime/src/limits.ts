import type { Limits } from './options.js';
import { quote } from './json.js';

export { quote };

/** Pusher's channel-name character set (`#` is reserved for `#server-to-user-…`). */
const CHANNEL_NAME = /^[-a-zA-Z0-9_=@,.;]+$/;
const SERVER_TO_USER = '#server-to-user-';
const SOCKET_ID = /^\d+\.\d+$/;

export type ChannelKind = 'public' | 'private' | 'presence' | 'user';

export function channelKind(name: string): ChannelKind {
  if (name.startsWith('presence-')) return 'presence';
  if (name.startsWith('private-')) return 'private';
  if (name.startsWith(SERVER_TO_USER)) return 'user';
  return 'public';
}

/** The user a `#server-to-user-{id}` channel belongs to. */
export function serverToUserId(name: string): string {
  return name.slice(SERVER_TO_USER.length);
}

export function serverToUserChannel(userId: string): string {
  return SERVER_TO_USER + userId;
}

/** Why a channel name is refused, or undefined when it is fine. Quotes the bad value (truncated). */
export function channelNameProblem(name: unknown, limits: Limits): string | undefined {
  if (typeof name !== 'string' || name === '')
    return `Invalid channel name: ${quote(name)} (a non-empty string is needed)`;
  if (name.length > limits.channelNameLength) {
    return `The channel name is longer than the allowed ${limits.channelNameLength} characters: ${quote(name)}`;
  }
  const body = name.startsWith(SERVER_TO_USER) ? serverToUserId(name) : name;
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

export function isSocketId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && SOCKET_ID.test(value);
}

/** Fixed one-second window per connection: enough to enforce "10 client events per second". */
export class RateWindow {
  #windowStart = 0;
  #count = 0;
  readonly #perSecond: number;

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
  }

  /** Counts one event; false when it is over the limit (and is then not counted). */
  take(now = Date.now()): boolean {
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count >= this.#perSecond) return false;
    this.#count += 1;
    return true;
  }
}
