import { PreparedFrame, type Connection } from './connection.js';

/** Which connections are subscribed to which channel. A channel exists while it has a subscriber. */
export class ChannelRegistry {
  readonly #channels = new Map<string, Set<Connection>>();

  /** Adds the connection; false when it was already subscribed. */
  add(channel: string, connection: Connection): boolean {
    let members = this.#channels.get(channel);
    if (members === undefined) {
      members = new Set();
      this.#channels.set(channel, members);
    }
    if (members.has(connection)) return false;
    members.add(connection);
    return true;
  }

  /** Removes the connection; false when it was not subscribed. Empty channels are forgotten. */
  remove(channel: string, connection: Connection): boolean {
    const members = this.#channels.get(channel);
    if (members === undefined || !members.delete(connection)) return false;
    if (members.size === 0) this.#channels.delete(channel);
    return true;
  }

  has(channel: string, connection: Connection): boolean {
    return this.#channels.get(channel)?.has(connection) ?? false;
  }

  /** Its subscribers that are no longer open (their close frame came; ws has not emitted 'close' yet). */
  departed(channel: string): Connection[] {
    const departed: Connection[] = [];
    const members = this.#channels.get(channel);
    if (members !== undefined)
      for (const connection of members) if (!connection.open) departed.push(connection);
    return departed;
  }

  subscriptionCount(channel: string): number {
    return this.#channels.get(channel)?.size ?? 0;
  }

  names(): string[] {
    return [...this.#channels.keys()];
  }

  /**
   * Sends one frame to every subscriber but `except`. It is encoded and framed once here (not per
   * socket), and the same bytes go to each: no per-subscriber allocation.
   */
  broadcast(channel: string, frame: string | PreparedFrame, except?: Connection): number {
    const members = this.#channels.get(channel);
    if (members === undefined || (members.size === 1 && except !== undefined && members.has(except)))
      return 0;
    const prepared = typeof frame === 'string' ? new PreparedFrame(frame) : frame;
    let sent = 0;
    for (const connection of members) {
      if (connection === except) continue;
      connection.sendPrepared(prepared);
      sent += 1;
    }
    return sent;
  }
}
