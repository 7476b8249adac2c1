import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Connection } from './connection.js';
import { debug } from './debug.js';
import { CloseCode } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import type { Hub } from './hub.js';
import { quote } from './limits.js';
import { handleFrame } from './protocol.js';
import { leaveAll } from './subscriptions.js';
import { signout } from './signin.js';

/** Connection lifecycle: upgrade checks, handshake, liveness, and cleanup when a socket goes. */
export class Lifecycle {
  readonly #hub: Hub;
  readonly #wss: WebSocketServer;
  /** Set by close(): clients told 4200 reconnect at once, and must not get in again. */
  #closing = false;

  constructor(hub: Hub) {
    this.#hub = hub;
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
    if (this.#closing) {
      socket.destroy();
      return true;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const prefix = `${path}/app/`;
    let refusal: readonly [number, string] | undefined;
    if (!url.pathname.startsWith(prefix)) {
      if (!claimAll) return false;
      refusal = [
        CloseCode.PATH_NOT_FOUND,
        `Path not found: ${quote(url.pathname)}; pusher-js connects to ${prefix}<key>`,
      ];
    } else {
      const appKey = url.pathname.slice(prefix.length);
      const protocol = url.searchParams.get('protocol');
      if (appKey === '' || appKey.includes('/')) {
        refusal = [CloseCode.PATH_NOT_FOUND, `Path not found: ${quote(url.pathname)}`];
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
      }
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (error) => debug('socket error: %s', error.message));
      if (this.#closing) {
        ws.terminate();
        return;
      }
      if (refusal === undefined) {
        this.#open(ws);
        return;
      }
      debug('refused %s: %d %s', req.url, refusal[0], refusal[1]);
      ws.send(JSON.stringify({ event: 'pusher:error', data: { code: refusal[0], message: refusal[1] } }));
      ws.close(refusal[0], Buffer.from(refusal[1]).subarray(0, 123).toString());
      // a client that never answers the close handshake must not keep the socket
      setTimeout(() => ws.terminate(), 2000).unref();
    });
    return true;
  }

  #open(ws: WebSocket): void {
    const hub = this.#hub;
    const { activityTimeout, pingInterval, pongTimeout, limits } = hub.options;
    const connection = new Connection(hub.newSocketId(), ws, limits.clientEventsPerSecond);
    hub.connections.set(connection.socketId, connection);
    const heartbeat = new Heartbeat(ws, pingInterval, pongTimeout, () => {
      debug('%s did not answer a ping within %d ms; dropping it', connection.socketId, pongTimeout);
      ws.terminate();
    });
    ws.on('pong', () => heartbeat.alive());
    ws.on('message', (raw, isBinary) => {
      heartbeat.alive();
      handleFrame(hub, connection, raw, isBinary);
    });
    const gone = (code: number): void => {
      if (connection.closed) return;
      connection.closed = true;
      heartbeat.stop();
      leaveAll(hub, connection);
      signout(hub, connection);
      hub.connections.delete(connection.socketId);
      debug('%s closed (%d)', connection.socketId, code);
      hub.emit('disconnection', { socketId: connection.socketId, code });
    };
    // The client's close frame is its leave: ws only emits 'close' once TCP is down, a round trip or
    // (with a client that never ends its socket) 30 s later, while the HTTP API would still list the
    // member. ws has no public event for the close frame, so its receiver's 'conclude' is used when there.
    (
      ws as unknown as { _receiver?: { once?(event: 'conclude', listener: (code: number) => void): void } }
    )._receiver?.once?.('conclude', (code) => gone(code));
    ws.on('close', (code) => gone(code));
    connection.send({
      event: 'pusher:connection_established',
      data: JSON.stringify({ socket_id: connection.socketId, activity_timeout: activityTimeout }),
    });
    debug('%s connected', connection.socketId);
    hub.emit('connection', { socketId: connection.socketId });
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
    this.#wss.close();
  }
}
