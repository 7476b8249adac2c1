import { PreparedFrame } from './connection.js';

/** One member of a presence channel: a user, with every socket (tab) they joined from. */
interface Member {
  /**
   * `"<id>":<user_info>` — this member's entry of the members hash, serialized once at the join.
   * `user_info` of the user's first connection; later tabs do not change it (Pusher docs: first tab wins).
   * Kept as a string, not the parsed object: smaller, and the snapshot is then a concatenation.
   */
  entry: string;
  /** The one socket, or a set once the user has several tabs (the rare case pays for the Set). */
  sockets: string | Set<string>;
}

/** One presence channel: its members, and the `subscription_succeeded` frame built from them, cached. */
interface Room {
  members: Map<string, Member>;
  /**
   * `"a"`, `"b"` and `"a":{…}`, `"b":{…}`, appended at each join; undefined after a leave until rebuilt.
   * Arrays, joined when the frame is built: strings appended at each join were a chain of two
   * concatenation nodes per member (~80 bytes each, held as long as the room; heap snapshots).
   */
  ids: string[] | undefined;
  hash: string[] | undefined;
  /** The whole frame for the current members; dropped at every join and leave. */
  frame: PreparedFrame | undefined;
}

/**
 * Presence bookkeeping per distinct user id, not per socket: the first tab of a user is the join,
 * the last tab to leave is the leave. This only keeps the books and says which it was; what a join
 * or a leave then sends, and to whom, is `presence.ts`. Also indexes presence sockets by user, so
 * "every connection of a user" does not walk every connection.
 */
export class PresenceRegistry {
  readonly #rooms = new Map<string, Room>();
  /**
   * user id → socket id → how many presence channels that socket is in as that user; the common case,
   * one socket in one channel, is the socket id alone (a Map per member was ~180 bytes of heap).
   */
  readonly #byUser = new Map<string, string | Map<string, number>>();

  /** Records the socket; true when this is the user's first socket in the channel (a new member). */
  join(channel: string, userId: string, info: unknown, socketId: string): boolean {
    let room = this.#rooms.get(channel);
    if (room === undefined) {
      room = { members: new Map(), ids: [], hash: [], frame: undefined };
      this.#rooms.set(channel, room);
    }
    const member = room.members.get(userId);
    if (member !== undefined) {
      if (member.sockets === socketId || (typeof member.sockets !== 'string' && member.sockets.has(socketId)))
        return false;
      if (typeof member.sockets === 'string') member.sockets = new Set([member.sockets, socketId]);
      else member.sockets.add(socketId);
      this.#index(userId, socketId, 1);
      return false;
    }
    const id = JSON.stringify(userId);
    const entry = `${id}:${JSON.stringify(info) ?? 'null'}`;
    room.members.set(userId, { entry, sockets: socketId });
    if (room.ids !== undefined && room.hash !== undefined) {
      room.ids.push(id);
      room.hash.push(entry);
    }
    room.frame = undefined;
    this.#index(userId, socketId, 1);
    return true;
  }

  /** Forgets the socket; true when it was the user's last one (the member is gone). */
  leave(channel: string, userId: string, socketId: string): boolean {
    const room = this.#rooms.get(channel);
    const member = room?.members.get(userId);
    if (room === undefined || member === undefined) return false;
    if (typeof member.sockets === 'string') {
      if (member.sockets !== socketId) return false;
    } else {
      if (!member.sockets.delete(socketId)) return false;
      this.#index(userId, socketId, -1);
      if (member.sockets.size > 0) return false;
    }
    if (typeof member.sockets === 'string') this.#index(userId, socketId, -1);
    room.members.delete(userId);
    room.ids = undefined;
    room.hash = undefined;
    room.frame = undefined;
    if (room.members.size === 0) this.#rooms.delete(channel);
    return true;
  }

  has(channel: string, userId: string): boolean {
    return this.#rooms.get(channel)?.members.has(userId) ?? false;
  }

  userCount(channel: string): number {
    return this.#rooms.get(channel)?.members.size ?? 0;
  }

  userIds(channel: string): string[] {
    return [...(this.#rooms.get(channel)?.members.keys() ?? [])];
  }

  /** Socket ids in any presence channel as this user. */
  userSockets(userId: string): string[] {
    const sockets = this.#byUser.get(userId);
    if (sockets === undefined) return [];
    return typeof sockets === 'string' ? [sockets] : [...sockets.keys()];
  }

  /**
   * The `pusher_internal:subscription_succeeded` frame of a presence channel, whose data is
   * `{"presence":{"ids":[…],"hash":{…},"count":n}}`. Built once per change of members and shared by
   * every subscriber until the next one, so a reconnect storm or a second tab costs nothing to encode.
   */
  subscriptionSucceeded(channel: string): PreparedFrame {
    const room = this.#rooms.get(channel);
    if (room === undefined) return succeededFrame(channel, '', '', 0);
    if (room.frame !== undefined) return room.frame;
    if (room.ids === undefined || room.hash === undefined) {
      const ids: string[] = [];
      const entries: string[] = [];
      for (const [id, member] of room.members) {
        ids.push(JSON.stringify(id));
        entries.push(member.entry);
      }
      room.ids = ids;
      room.hash = entries;
    }
    room.frame = succeededFrame(channel, room.ids.join(','), room.hash.join(','), room.members.size);
    return room.frame;
  }

  #index(userId: string, socketId: string, delta: 1 | -1): void {
    const sockets = this.#byUser.get(userId);
    if (sockets === undefined) {
      if (delta > 0) this.#byUser.set(userId, socketId);
      return;
    }
    if (typeof sockets === 'string') {
      if (sockets !== socketId) {
        if (delta > 0)
          this.#byUser.set(
            userId,
            new Map([
              [sockets, 1],
              [socketId, 1],
            ]),
          );
      } else if (delta > 0) {
        this.#byUser.set(userId, new Map([[socketId, 2]]));
      } else {
        this.#byUser.delete(userId);
      }
      return;
    }
    const count = (sockets.get(socketId) ?? 0) + delta;
    if (count > 0) sockets.set(socketId, count);
    else sockets.delete(socketId);
    if (sockets.size === 0) this.#byUser.delete(userId);
    else if (sockets.size === 1) {
      // back to one socket in one channel: the compact form again
      const [[only, n]] = sockets;
      if (n === 1) this.#byUser.set(userId, only!);
    }
  }
}

function succeededFrame(channel: string, ids: string, hash: string, count: number): PreparedFrame {
  // JSON member names are strings, so a user id like '__proto__' stays an ordinary key for the client
  const data = `{"presence":{"ids":[${ids}],"hash":{${hash}},"count":${count}}}`;
  return new PreparedFrame(
    `{"event":"pusher_internal:subscription_succeeded","channel":${JSON.stringify(channel)},"data":${JSON.stringify(data)}}`,
  );
}
