import { randomInt } from 'node:crypto';
import { ChannelRegistry } from './channels.js';
import type { Connection, ServerFrame } from './connection.js';
import type { ResolvedOptions } from './options.js';
import { PresenceRegistry } from './presence.js';

/** Events the server emits for observers (debugging, tests, metrics). */
export interface RealtimeEvents {
  connection: [{ socketId: string }];
  disconnection: [{ socketId: string; code: number }];
  subscribed: [{ socketId: string; channel: string }];
  unsubscribed: [{ socketId: string; channel: string }];
  member_added: [{ channel: string; userId: string; info: unknown }];
  member_removed: [{ channel: string; userId: string }];
  client_event: [{ socketId: string; channel: string; event: string }];
}

/** The state every part shares: connections, channels, presence members, signed-in users. */
export class Hub {
  readonly options: ResolvedOptions;
  readonly connections = new Map<string, Connection>();
  readonly channels = new ChannelRegistry();
  readonly presence = new PresenceRegistry();
  /** Signed-in (`pusher:signin`) connections per user id. */
  readonly users = new Map<string, Set<Connection>>();
  readonly emit: <K extends keyof RealtimeEvents>(event: K, ...args: RealtimeEvents[K]) => void;

  constructor(
    options: ResolvedOptions,
    emit: <K extends keyof RealtimeEvents>(event: K, ...args: RealtimeEvents[K]) => void,
  ) {
    this.options = options;
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

  /** Every connection of a user: signed in as them, or in a presence channel as them (both indexed by user). */
  userConnections(userId: string): Connection[] {
    const found = new Set(this.users.get(userId) ?? []);
    for (const socketId of this.presence.userSockets(userId)) {
      const connection = this.connections.get(socketId);
      if (connection !== undefined) found.add(connection);
    }
    return [...found];
  }
}
