/** One member of a presence channel: a user, with every socket (tab) they joined from. */
interface Member {
  /** `user_info` of the user's first connection; later tabs do not change it (Pusher docs: first tab wins). */
  info: unknown;
  sockets: Set<string>;
}

/**
 * Presence bookkeeping per distinct user id, not per socket: the first tab of a user is the join
 * (`member_added`), the last tab to leave is the leave (`member_removed`). What happens when a member
 * leaves is decided here and nowhere else.
 */
export class PresenceRegistry {
  readonly #channels = new Map<string, Map<string, Member>>();

  /** Records the socket; true when this is the user's first socket in the channel (a new member). */
  join(channel: string, userId: string, info: unknown, socketId: string): boolean {
    let members = this.#channels.get(channel);
    if (members === undefined) {
      members = new Map();
      this.#channels.set(channel, members);
    }
    const member = members.get(userId);
    if (member !== undefined) {
      member.sockets.add(socketId);
      return false;
    }
    members.set(userId, { info, sockets: new Set([socketId]) });
    return true;
  }

  /** Forgets the socket; true when it was the user's last one (the member is gone). */
  leave(channel: string, userId: string, socketId: string): boolean {
    const members = this.#channels.get(channel);
    const member = members?.get(userId);
    if (members === undefined || member === undefined || !member.sockets.delete(socketId)) return false;
    if (member.sockets.size > 0) return false;
    members.delete(userId);
    if (members.size === 0) this.#channels.delete(channel);
    return true;
  }

  has(channel: string, userId: string): boolean {
    return this.#channels.get(channel)?.has(userId) ?? false;
  }

  userCount(channel: string): number {
    return this.#channels.get(channel)?.size ?? 0;
  }

  userIds(channel: string): string[] {
    return [...(this.#channels.get(channel)?.keys() ?? [])];
  }

  /** The `presence` object of `pusher_internal:subscription_succeeded`. */
  snapshot(channel: string): { ids: string[]; hash: Record<string, unknown>; count: number } {
    const members = this.#channels.get(channel) ?? new Map<string, Member>();
    // no prototype: a user id like '__proto__' must stay an ordinary key
    const hash = Object.create(null) as Record<string, unknown>;
    for (const [id, member] of members) hash[id] = member.info;
    return { ids: [...members.keys()], hash, count: members.size };
  }
}
