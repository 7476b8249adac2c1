import type { Options } from 'pusher-js';
import type { Connection, ConnectionEvents } from './connection.js';
import { importHub } from './hub-module.js';
import { openPusher } from './pusher.js';

/**
 * A `Connection` shared by every tab of this browser that shows the same person on the same
 * server: one tab (the leader, chosen with Web Locks) holds the pusher-js connection, the others
 * hear it over BroadcastChannel (hub.ts). Without Web Locks or BroadcastChannel (an insecure
 * context, an old browser), or when the hub cannot load: this tab's own `openPusher()`.
 * `user`: whom the connection authorizes as (a tab may lag behind a sign-out in another).
 */
export function openShared(key: string, options: Options, on: ConnectionEvents, user: string): Connection {
  if (typeof BroadcastChannel !== 'function' || !globalThis.navigator?.locks)
    return openPusher(key, options, on);
  const endpoint = (options.channelAuthorization as { endpoint?: string } | undefined)?.endpoint ?? '';
  const scope = JSON.stringify([
    key,
    options.cluster,
    options.wsHost,
    options.wsPort,
    options.wsPath,
    new URL(endpoint, document.baseURI).href,
    user,
  ]);
  let connection: Connection | undefined;
  let open = true;
  const waiting: ((c: Connection) => void)[] = [];
  const ready = (c: Connection): void => {
    if (!open) return c.disconnect();
    connection = c;
    for (const fn of waiting.splice(0)) fn(c);
  };
  importHub().then(
    (hub) => open && ready(hub.joinHub(scope, (events) => openPusher(key, options, events), on)),
    () => open && ready(openPusher(key, options, on)),
  );
  return {
    subscribe(channel, events) {
      if (connection) connection.subscribe(channel, events);
      else waiting.push((c) => c.subscribe(channel, events));
    },
    reconnect() {
      connection?.reconnect();
    },
    disconnect() {
      open = false;
      connection?.disconnect();
    },
  };
}
