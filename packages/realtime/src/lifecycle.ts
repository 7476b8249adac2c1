import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { Connection } from './connection.js';
import { debug } from './debug.js';
import { CloseCode } from './errors.js';
import { clientAddress } from './address.js';
import { alive, Heartbeats } from './heartbeat.js';
import type { Hub } from './hub.js';
import { closeReason, quote } from './json.js';
import { depart } from './presence.js';
import { handleFrame } from './protocol.js';

/** Connection lifecycle: upgrade checks, handshake, liveness, and cleanup when a socket goes. */
export class Lifecycle {
  readonly #hub: Hub;
  readonly #wss: WebSocketServer;
  /** Set by close(): clients told 4200 reconnect at once, and must not get in again. */
  #closing = false;
  /** Open connections per client address, for `limits.connectionsPerAddress`. */
  readonly #perAddress = new Map<string, number>();
  readonly #heartbeats: Heartbeats;

  constructor(hub: Hub) {
    this.#hub = hub;
    this.#heartbeats = new Heartbeats(
      () => hub.connections.values(),
      (connection) => this.retire(connection),
      hub.options.pingInterval,
      hub.options.pongTimeout,
    );
    // maxPayload: ws itself closes an oversized frame's socket with 1009 "Message Too Big"
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: hub.options.limits.maxPayload,
      clientTracking: false,
    });
  }

  /**
   * Takes an HTTP upgrade. Returns false (leaving the socket alone) for paths outside `{path}/app/`
   * unless `claimAll` (listening alone: every path is ours, and a wrong one is told 4005).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, claimAll: boolean): boolean {
    const { path, key, limits } = this.#hub.options;
    const pathname = upgradePath(req.url);
    const prefix = `${path}/app/`;
    if (pathname === undefined || !pathname.startsWith(prefix)) {
      if (!claimAll) return false;
    }
    // from here the socket is ours: a reset before the handshake ends must not become an uncaught 'error'
    socket.on('error', onUpgradeSocketError);
    if (this.#closing) {
      socket.destroy();
      return true;
    }
    if (pathname === undefined) {
      // not even a URL (`GET //[`): no WebSocket to speak a close code on
      debug('refused an upgrade with an unparseable URL %s', quote(req.url));
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    const address = clientAddress(req, this.#hub.options.trustProxy);
    let refusal: readonly [number, string] | undefined;
    if (!pathname.startsWith(prefix)) {
      refusal = [
        CloseCode.PATH_NOT_FOUND,
        `Path not found: ${quote(pathname)}; pusher-js connects to ${prefix}<key>`,
      ];
    } else {
      const appKey = pathname.slice(prefix.length);
      const protocol = upgradeQuery(req.url).get('protocol');
      if (appKey === '' || appKey.includes('/')) {
        refusal = [CloseCode.PATH_NOT_FOUND, `Path not found: ${quote(pathname)}`];
      } else if (appKey !== key) {
        refusal = [CloseCode.APP_NOT_FOUND, `App key ${quote(appKey)} does not exist`];
      } else if (protocol !== null && !/^\d+$/.test(protocol)) {
        refusal = [CloseCode.INVALID_VERSION, `Invalid version string format: ${quote(protocol)}`];
      } else if (protocol !== null && protocol !== '7') {
        refusal = [
          CloseCode.UNSUPPORTED_PROTOCOL,
          `Unsupported protocol version ${quote(protocol)}; this server speaks 7`,
        ];
      } else if (this.#hub.connections.size >= limits.maxConnections) {
        refusal = [
          CloseCode.OVER_CAPACITY,
          'Over capacity: the maxConnections limit is reached, try again shortly',
        ];
      } else if ((this.#perAddress.get(address) ?? 0) >= limits.connectionsPerAddress) {
        refusal = [
          CloseCode.OVER_CAPACITY,
          `Over capacity: this address has the most connections allowed (${limits.connectionsPerAddress}, limits.connectionsPerAddress)`,
        ];
      }
    }
    if (refusal !== undefined) debug('refusing %s: %d %s', quote(req.url), refusal[0], refusal[1]);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      // ws has its own 'error' listener on the socket now; ours would be an array of two for its lifetime
      socket.removeListener('error', onUpgradeSocketError);
      this.#accepted(ws, address, refusal);
    });
    return true;
  }

  /**
   * After the handshake. Kept out of handleUpgrade on purpose: a closure there shares its context with
   * `req`, and a listener left on the socket would keep the whole IncomingMessage (headers and all)
   * alive as long as the connection (heap snapshots: ~1.5 kB per connection).
   */
  #accepted(ws: WebSocket, address: string, refusal: readonly [number, string] | undefined): void {
    ws.on('error', onSocketError);
    if (this.#closing) {
      ws.terminate();
      return;
    }
    if (refusal === undefined) {
      this.#open(ws, address);
      return;
    }
    ws.send(JSON.stringify({ event: 'pusher:error', data: { code: refusal[0], message: refusal[1] } }));
    ws.close(refusal[0], closeReason(refusal[1]));
    // a client that never answers the close handshake must not keep the socket
    setTimeout(terminate, 2000, ws).unref();
  }

  #open(ws: WebSocket, address: string): void {
    const hub = this.#hub;
    const { activityTimeout, limits } = hub.options;
    const connection = new Connection(hub.newSocketId(), ws, limits);
    connection.serial = hub.nextSerial();
    connection.address = address;
    connection.owner = this;
    hub.connections.set(connection.socketId, connection);
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    // The listeners are shared functions that find the connection on the socket: a closure per
    // listener per socket (and the context it keeps) was a third of a connection's heap.
    (ws as Tagged)[kConnection] = connection;
    // Liveness: any frame ('message') or an answer to the heartbeat's ping ('pong').
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('close', onClose);
    connection.send({
      event: 'pusher:connection_established',
      data: JSON.stringify({ socket_id: connection.socketId, activity_timeout: activityTimeout }),
    });
    debug('%s connected', connection.socketId);
    safely(() => hub.emit('connection', { socketId: connection.socketId }));
  }

  /** A frame from the client. */
  frame(connection: Connection, raw: RawData, isBinary: boolean): void {
    // closing (its close frame came, or the server closed it): it has left, and must not join again
    if (!connection.open) return;
    alive(connection);
    try {
      handleFrame(this.#hub, connection, raw, isBinary);
    } catch (error) {
      // last line of defence: one socket's bad frame (or a throwing 'subscribed'/'member_added'
      // listener) costs that socket, never the process
      debug('%s: error handling a frame, closing it: %s', connection.socketId, describeError(error));
      connection.close(CloseCode.SERVER_ERROR, 'Internal server error while handling a message');
      setTimeout(terminate, 1000, connection.ws).unref();
    }
  }

  /** The socket is gone (its close frame, or TCP): leave everything, once. */
  gone(connection: Connection, closeCode: number): void {
    if (connection.closed) return;
    const hub = this.#hub;
    const code = connection.dropCode ?? closeCode;
    connection.closed = true;
    const address = connection.address;
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left === 0) this.#perAddress.delete(address);
    else this.#perAddress.set(address, left);
    try {
      depart(hub, connection);
    } catch (error) {
      // a throwing 'unsubscribed'/'member_removed' listener: the rest of the cleanup still happens
      debug('%s: error while cleaning up: %s', connection.socketId, describeError(error));
    } finally {
      hub.connections.delete(connection.socketId);
    }
    debug('%s closed (%d)', connection.socketId, code);
    safely(() => hub.emit('disconnection', { socketId: connection.socketId, code }));
  }

  /** Takes a connection out of every channel and its sign-in now, ahead of its 'close'. */
  retire(connection: Connection): void {
    try {
      depart(this.#hub, connection);
    } catch (error) {
      debug('%s: error while cleaning up: %s', connection.socketId, describeError(error));
    }
  }

  /** Closes the given connections with a code, and resolves once they are gone (forced after `graceMs`). */
  async closeConnections(
    connections: readonly Connection[],
    code: number,
    reason: string,
    graceMs = 1000,
  ): Promise<void> {
    const gone = connections.map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.closed || connection.ws.readyState === connection.ws.CLOSED) {
            resolve();
            return;
          }
          connection.ws.once('close', () => resolve());
          connection.close(code, reason);
          setTimeout(() => connection.ws.terminate(), graceMs).unref();
        }),
    );
    await Promise.all(gone);
  }

  /** Stops taking connections; the caller then closes the ones there are. */
  stopAccepting(): void {
    this.#closing = true;
    this.#heartbeats.stop();
    this.#wss.close();
  }
}

const kConnection = Symbol('whatsup.connection');
type Tagged = WebSocket & { [kConnection]?: Connection };

// Listeners shared by every socket: `this` is the socket, the connection hangs on it.
function onUpgradeSocketError(error: Error): void {
  debug('upgrade socket error: %s', error.message);
}
function onSocketError(error: Error): void {
  debug('socket error: %s', error.message);
}
function onPong(this: Tagged): void {
  const connection = this[kConnection];
  if (connection !== undefined) alive(connection);
}
function onMessage(this: Tagged, raw: RawData, isBinary: boolean): void {
  const connection = this[kConnection];
  connection?.owner?.frame(connection, raw, isBinary);
}
function onClose(this: Tagged, code: number): void {
  const connection = this[kConnection];
  connection?.owner?.gone(connection, code);
}
function terminate(ws: WebSocket): void {
  ws.terminate();
}

/** The path of an upgrade request, dot segments resolved; undefined when the URL does not parse. */
function upgradePath(url: string | undefined): string | undefined {
  try {
    // the origin is prefixed rather than given as a base: `//host` must stay a path, not become a host
    return new URL(`http://localhost${url?.startsWith('/') === true ? url : `/${url ?? ''}`}`).pathname;
  } catch {
    return undefined;
  }
}

function upgradeQuery(url: string | undefined): URLSearchParams {
  const at = url?.indexOf('?') ?? -1;
  return new URLSearchParams(at === -1 ? '' : url!.slice(at + 1));
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Runs an observer callback (an app's listener) so that its exception is logged, not thrown into ws. */
function safely(run: () => void): void {
  try {
    run();
  } catch (error) {
    debug('a listener threw: %s', describeError(error));
  }
}
