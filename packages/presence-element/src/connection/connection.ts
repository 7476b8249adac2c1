import type { EventName } from '@whatsup/protocol';

/** A presence member as the connection hands it over: the user id and the `user_info` it joined with. */
export interface PresenceMember {
  id: unknown;
  info: unknown;
}

/** What a connection tells its owner. Nothing is called after `disconnect()`. */
export interface ConnectionEvents {
  /** The connection's state: `connecting`, `connected`, `unavailable`, `failed`, `disconnected`… */
  state(current: string): void;
  /** The server sent an error or closed the connection with a Pusher code (4000–4999). */
  error(code: number, message: string): void;
  /** The next attempt to connect is `seconds` away (pusher-js's `connecting_in`). */
  retrying(seconds: number): void;
}

/** What a subscribed presence channel tells its owner. Nothing is called after `disconnect()`. */
export interface ChannelEvents {
  /** Subscribed (again after every reconnect): everyone in the channel now. */
  subscribed(members: PresenceMember[]): void;
  /** The authorization was refused, with the auth endpoint's HTTP status when there was one. */
  refused(status: number | undefined): void;
  added(member: PresenceMember): void;
  removed(id: string): void;
  /** One of the server's events (`EVENTS`), with its data as sent. */
  event(name: EventName, data: unknown): void;
}

/**
 * The realtime side as the panel uses it: one presence channel, its events, the connection's
 * state, and an end. `openPusher()` is the one implementation (a pusher-js client of this tab).
 */
export interface Connection {
  subscribe(channel: string, on: ChannelEvents): void;
  /**
   * The server answers again (HTTP came back after failing): if the connection is still waiting
   * to retry, try now. Nothing happens while connected.
   */
  reconnect(): void;
  /** Closes the connection; no callback runs after this. */
  disconnect(): void;
}
