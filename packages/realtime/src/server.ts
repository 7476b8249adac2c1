import { EventEmitter } from 'node:events';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { channelKind, isSocketId, type ClientConfig as ProtocolClientConfig } from '@whatsup/protocol';
import { debug } from './debug.js';
import { CloseCode, WhatsupError } from './errors.js';
import { warnIfPublishedSecret } from './guard.js';
import { HttpApi } from './http-api.js';
import { Hub, type RealtimeEvents } from './hub.js';
import { quote } from './json.js';
import { Lifecycle } from './lifecycle.js';
import { channelNameProblem } from './limits.js';
import { resolveOptions, type ResolvedOptions, type RealtimeServerOptions } from './options.js';
import { settle, settleAll } from './presence.js';
import { publish, validateEvent } from './publish.js';
import { authorizeChannel } from './signatures.js';
import { Webhooks } from './webhooks/bodies.js';
import type { WebhookStats } from './webhooks/queue.js';

/**
 * What `clientConfig()` returns: pusher-js options for this server (spread them into
 * `new Pusher(key, …)`), `@whatsup/protocol`'s `ClientConfig` with the transports always set.
 */
export type ClientConfig = ProtocolClientConfig & { enabledTransports: Array<'ws' | 'wss'> };

export interface ChannelInfo {
  name: string;
  occupied: boolean;
  subscriptionCount: number;
  /** Presence channels only: distinct users. */
  userCount?: number;
}

/** The embedded Pusher-protocol server. Create it with `createRealtimeServer(options)`. */
export class RealtimeServer extends EventEmitter<RealtimeEvents> {
  /** Resolves once the server accepts connections (at once when attached to a host server). */
  readonly ready: Promise<void>;
  readonly #options: ResolvedOptions;
  readonly #hub: Hub;
  readonly #lifecycle: Lifecycle;
  readonly #api: HttpApi;
  readonly #server: Server;
  readonly #webhooks: Webhooks;
  readonly #attached: boolean;
  #unhook: () => void = () => {};
  #closing: Promise<void> | undefined;

  constructor(options: RealtimeServerOptions) {
    super();
    this.#options = resolveOptions(options);
    const { key, secret } = this.#options;
    this.#webhooks = new Webhooks(this.#options.webhooks, key, secret, (body) => this.emit('webhook', body));
    this.#hub = new Hub(this.#options, this.#webhooks, (event, ...args) => {
      (this.emit as (name: string, ...rest: unknown[]) => boolean)(event, ...args);
    });
    this.#lifecycle = new Lifecycle(this.#hub);
    this.#api = new HttpApi(this.#hub, (userId) => this.terminateUserConnections(userId));
    this.#attached = this.#options.server !== undefined;
    if (this.#options.server !== undefined) {
      this.#server = this.#options.server;
      this.#attach(this.#options.server);
      this.ready = Promise.resolve();
      const host = this.#options.server;
      const check = (): boolean => warnIfPublishedSecret(this.#options.secret, host.address());
      if (host.listening) check();
      else host.once('listening', check);
    } else {
      this.#server = createServer((req, res) => this.#standaloneRequest(req, res));
      this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
        this.#lifecycle.handleUpgrade(req, socket, head, true),
      );
      this.ready = new Promise((resolve, reject) => {
        this.#server.once('error', reject);
        this.#server.listen(this.#options.port, this.#options.host, () => {
          this.#server.off('error', reject);
          debug('listening on %s', this.url);
          warnIfPublishedSecret(this.#options.secret, this.address());
          resolve();
        });
      });
    }
  }

  /** The listening address (the host server's when attached), or null before it listens. */
  address(): AddressInfo | null {
    const address = this.#server.address();
    return address !== null && typeof address === 'object' ? address : null;
  }

  get port(): number {
    return this.address()?.port ?? 0;
  }

  /** `http://host:port{path}`: where pusher-js (ws://) and the pusher library (http://) reach this server. */
  get url(): string {
    const address = this.address();
    const host =
      address === null
        ? this.#options.host
        : address.family === 'IPv6'
          ? `[${address.address}]`
          : address.address;
    return `http://${host}:${this.port}${this.#options.path}`;
  }

  /** pusher-js options. Attached: no wsHost/wsPort, meaning "the page's own host and port". */
  clientConfig(): ClientConfig {
    const config: ClientConfig = {
      key: this.#options.key,
      cluster: 'local',
      forceTLS: false,
      enabledTransports: ['ws', 'wss'],
    };
    if (this.#options.path !== '') config.wsPath = this.#options.path;
    if (!this.#attached) {
      config.wsHost = this.#options.host;
      config.wsPort = this.port;
      config.wssPort = this.port;
    }
    return config;
  }

  /** The Publisher interface of @whatsup/express, in-process: same validation and limits as the HTTP API. */
  async trigger(
    channel: string | string[],
    event: string,
    data: unknown,
    params?: { socket_id?: string },
  ): Promise<Record<string, never>> {
    const channels = Array.isArray(channel) ? channel : [channel];
    publish(
      this.#hub,
      validateEvent(this.#hub, { name: event, data, channels, socket_id: params?.socket_id }),
    );
    return {};
  }

  /** `{auth, channel_data?}` exactly as the pusher library's `authorizeChannel` makes it. */
  authorizeChannel(
    socketId: string,
    channel: string,
    presenceData?: { user_id: string; user_info?: unknown },
  ): { auth: string; channel_data?: string } {
    if (!isSocketId(socketId))
      throw new WhatsupError(400, 'socket_id.invalid', `Invalid socket id: ${quote(socketId)}`);
    const problem = channelNameProblem(channel, this.#options.limits);
    if (problem !== undefined) throw new WhatsupError(400, 'channel_name.invalid', problem);
    return authorizeChannel(this.#options.key, this.#options.secret, socketId, channel, presenceData);
  }

  /** Distinct user ids in a presence channel. */
  async channelUsers(channel: string): Promise<string[]> {
    settle(this.#hub, channel);
    return this.#hub.presence.userIds(channel);
  }

  /** Occupied channel names. */
  channels(): string[] {
    settleAll(this.#hub);
    return this.#hub.channels.names().filter((name) => !name.startsWith('#'));
  }

  channelInfo(name: string): ChannelInfo {
    settle(this.#hub, name);
    const subscriptionCount = this.#hub.channels.subscriptionCount(name);
    const info: ChannelInfo = { name, occupied: subscriptionCount > 0, subscriptionCount };
    if (channelKind(name) === 'presence') info.userCount = this.#hub.presence.userCount(name);
    return info;
  }

  /** Number of open connections. */
  get connectionCount(): number {
    return this.#hub.connections.size;
  }

  /** Delivery counters per webhook URL (queued, sent, failures, dropped). */
  webhookStats(): WebhookStats[] {
    return this.#webhooks.stats();
  }

  /** Drops every connection (default 4200: pusher-js reconnects at once). */
  async disconnectAll(code: number = CloseCode.RECONNECT, reason = 'Reconnect now'): Promise<void> {
    await this.#lifecycle.closeConnections([...this.#hub.connections.values()], code, reason);
  }

  /**
   * Closes every connection of a user (signed in as them or a presence member as them) with 4009: they
   * leave presence at once, and connections opened before this call can no longer join presence or
   * sign in as that user, even with an authorization obtained earlier.
   */
  async terminateUserConnections(userId: string): Promise<void> {
    const id = String(userId);
    const connections = this.#hub.userConnections(id);
    debug('terminating %d connection(s) of user %s', connections.length, id);
    this.#hub.revoke(id);
    // the others see member_removed now, not after the close handshake (up to a second later)
    for (const connection of connections) this.#lifecycle.retire(connection);
    await this.#lifecycle.closeConnections(
      connections,
      CloseCode.UNAUTHORIZED,
      'You got disconnected by the app.',
    );
  }

  /** Closes every socket (4200 "Server is closing"), and the listener when alone; leaves a host server running. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#lifecycle.stopAccepting();
      this.#unhook();
      await this.#lifecycle.closeConnections(
        [...this.#hub.connections.values()],
        CloseCode.RECONNECT,
        'Server is closing',
      );
      this.#webhooks.close();
      if (!this.#attached) {
        await new Promise<void>((resolve) => {
          this.#server.close(() => resolve());
          this.#server.closeAllConnections();
        });
      }
      debug('closed');
    })();
    return this.#closing;
  }

  /** Like engine.io: the host's 'request' listeners are wrapped so API paths never reach the app. */
  #attach(server: Server): void {
    const listeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      if (this.#api.owns(req.url, false)) {
        void this.#api.handle(req, res);
        return;
      }
      for (const listener of listeners) listener.call(server, req, res);
    };
    server.on('request', onRequest);
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      if (this.#lifecycle.handleUpgrade(req, socket, head, false)) return;
      // nobody else listens for upgrades: refuse rather than leave the socket hanging
      if (server.listenerCount('upgrade') === 1) {
        // Node detaches its own listeners from an upgraded socket: a reset now would be an uncaught 'error'
        socket.on('error', (error) => debug('upgrade socket error: %s', error.message));
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    };
    server.on('upgrade', onUpgrade);
    this.#unhook = () => {
      server.off('request', onRequest);
      server.off('upgrade', onUpgrade);
      for (const listener of listeners) server.on('request', listener);
    };
  }

  #standaloneRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#api.owns(req.url, true)) {
      void this.#api.handle(req, res);
      return;
    }
    const health = req.url === '/' || req.url === `${this.#options.path}/`;
    res.writeHead(health ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(health ? 'OK' : 'Not found');
  }
}

/** Creates the embedded Pusher-protocol server: attached to `server`, or listening alone on `port`. */
export function createRealtimeServer(options: RealtimeServerOptions): RealtimeServer {
  return new RealtimeServer(options);
}
