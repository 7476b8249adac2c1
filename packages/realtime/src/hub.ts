import { randomInt } from 'node:crypto';
import type { WebhookBody } from '@whatsup/protocol';
import { ChannelRegistry } from './channels.js';
import type { Connection, ServerFrame } from './connection.js';
import type { ResolvedOptions } from './options.js';
import { PresenceRegistry } from './presence-registry.js';
import type { Webhooks } from './webhooks/bodies.js';

/** Revocations remembered at most (oldest forgotten first), whatever connections stay open. */
const MAX_REVOCATIONS = 100_000;

/** Events the server emits for observers (debugging, tests, metrics). */
export interface RealtimeEvents {
  connection: [{ socketId: string }];
  disconnection: [{ socketId: string; code: number }];
  subscribed: [{ socketId: string; channel: string }];
  unsubscribed: [{ socketId: string; channel: string }];
  member_added: [{ channel: string; userId: string; info: unknown }];
  member_removed: [{ channel: string; userId: string }];
  client_event: [{ socketId: string; channel: string; event: string; data: string; userId?: string }];
  /** A webhook body as Pusher would POST it (after the member_removed grace), with or without webhook URLs. */
  webhook: [WebhookBody];
}

/** Signed-in (`pusher:signin`) connections per user id; only `signin.ts` adds and removes. */
export class SignIns {
  readonly #users = new Map<string, Set<Connection>>();

  /** The connections signed in as `userId`. */
  connections(userId: string): ReadonlySet<Connection> {
    return this.#users.get(userId) ?? NONE;
  }

  add(userId: string, connection: Connection): void {
    let sockets = this.#users.get(userId);
    if (sockets === undefined) {
      sockets = new Set();
      this.#users.set(userId, sockets);
    }
    sockets.add(connection);
  }

  remove(userId: string, connection: Connection): void {
    const sockets = this.#users.get(userId);
    sockets?.delete(connection);
    if (sockets?.size === 0) this.#users.delete(userId);
  }
}

const NONE: ReadonlySet<Connection> = new Set();

/** The state every part shares: connections, channels, presence members, signed-in users. */
export class Hub {
  readonly options: ResolvedOptions;
  readonly connections = new Map<string, Connection>();
  readonly channels = new ChannelRegistry();
  readonly presence = new PresenceRegistry();
  readonly signIns = new SignIns();
  /** Where channel, member and client events become webhook bodies. */
  readonly webhooks: Webhooks;
  /** Serial of the newest connection when each user was terminated (`terminateUserConnections`). */
  readonly #terminated = new Map<string, number>();
  #serial = 0;
  readonly emit: <K extends keyof RealtimeEvents>(event: K, ...args: RealtimeEvents[K]) => void;

  constructor(
    options: ResolvedOptions,
    webhooks: Webhooks,
    emit: <K extends keyof RealtimeEvents>(event: K, ...args: RealtimeEvents[K]) => void,
  ) {
    this.options = options;
    this.webhooks = webhooks;
    this.emit = emit;
  }

  /** `${int}.${int}` from crypto randomness (what pusher's `/^\d+\.\d+$/` accepts), unique among live sockets. */
  newSocketId(): string {
    for (;;) {
      const id = `${randomInt(1, 2 ** 31)}.${randomInt(1, 2 ** 31)}`;
      if (!this.connections.has(id)) return id;
    }
  }

  /** Sends one event to every subscriber of each channel, except the socket that caused it. */
  publish(channels: readonly string[], event: string, data: string, exceptSocketId?: string): void {
    const except = exceptSocketId === undefined ? undefined : this.connections.get(exceptSocketId);
    for (const channel of channels) {
      const frame: ServerFrame = { event, channel, data };
      // serialized once per channel; broadcast frames it once and writes the same bytes to each socket
      this.channels.broadcast(channel, JSON.stringify(frame), except);
    }
  }

  nextSerial(): number {
    this.#serial += 1;
    return this.#serial;
  }

  /**
   * Remembers that a user's access ended now: a connection opened before this moment may hold a
   * signature made for it earlier, so presence subscribe and pusher:signin as this user are refused there.
   */
  revoke(userId: string): void {
    this.#terminated.delete(userId);
    this.#terminated.set(userId, this.#serial);
    // an entry matters only while a connection older than it is open; entries are in time order
    // connections are added as their serial is drawn (lifecycle.ts), so the Map's first is the oldest
    const oldest = this.connections.values().next().value?.serial ?? Infinity;
    for (const [id, serial] of this.#terminated) {
      if (serial >= oldest && this.#terminated.size <= MAX_REVOCATIONS) break;
      this.#terminated.delete(id);
    }
  }

  /** Whether `userId` was terminated after `connection` opened. */
  revoked(userId: string, connection: Connection): boolean {
    const serial = this.#terminated.get(userId);
    return serial !== undefined && connection.serial <= serial;
  }

  /** Every connection of a user: signed in as them, or in a presence channel as them (both indexed by user). */
  userConnections(userId: string): Connection[] {
    const found = new Set(this.signIns.connections(userId));
    for (const socketId of this.presence.userSockets(userId)) {
      const connection = this.connections.get(socketId);
      if (connection !== undefined) found.add(connection);
    }
    return [...found];
  }
}
