import type Pusher from 'pusher-js';
import type { Members, Options, PresenceChannel } from 'pusher-js';
import { EVENTS } from '@whatsup/protocol';
import type { ChannelEvents, Connection, ConnectionEvents, PresenceMember } from './connection.js';
import { loadPusher } from './load-pusher.js';

interface PusherError {
  data?: { code?: number; message?: string };
  error?: { data?: { code?: number; message?: string } };
}

/** A pusher-js connection, which can also leave a channel (the shared connection's leader does). */
export interface PusherConnection extends Connection {
  /** Leaves the channel; its callbacks are not called again. */
  unsubscribe(channel: string): void;
}

/**
 * A `Connection` on a pusher-js client of this tab, through pusher-js's public API only. pusher-js
 * loads on demand (`loadPusher()`): what is asked before it is here waits for it; if it cannot
 * load, the state is `failed`.
 */
export function openPusher(key: string, options: Options, on: ConnectionEvents): PusherConnection {
  let pusher: Pusher | undefined;
  let open = true;
  /** A reconnect() is under way: its own `disconnected` is not news. */
  let nudging = false;
  const waiting: ((pusher: Pusher) => void)[] = [];
  // pusher-js may still call back after disconnect(): those calls go nowhere.
  const live =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      if (open) fn(...args);
    };
  const withPusher = (fn: (pusher: Pusher) => void): void => {
    if (pusher) fn(pusher);
    else waiting.push(fn);
  };
  loadPusher().then(
    (PusherClass) => {
      if (!open) return;
      pusher = new PusherClass(key, options);
      const state = (current: string): void => {
        if (nudging && current === 'disconnected') return;
        nudging = false;
        on.state(current);
      };
      bindConnection(pusher, { ...on, state }, live);
      for (const fn of waiting.splice(0)) fn(pusher);
    },
    live(() => on.state('failed')),
  );
  return {
    subscribe(name: string, events: ChannelEvents): void {
      withPusher((p) => bindChannel(p.subscribe(name) as PresenceChannel, events, live));
    },
    unsubscribe(name: string): void {
      withPusher((p) => {
        p.channel(name)?.unbind_all();
        p.unsubscribe(name);
      });
    },
    reconnect(): void {
      const state = pusher?.connection.state;
      if (!open || !pusher || (state !== 'connecting' && state !== 'unavailable')) return;
      // pusher-js's public way to try now: end the attempt and its back-off, connect again.
      nudging = true;
      pusher.disconnect();
      pusher.connect();
    },
    disconnect(): void {
      open = false;
      pusher?.disconnect();
    },
  };
}

type Live = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => void;

function bindConnection(pusher: Pusher, on: ConnectionEvents, live: Live): void {
  pusher.connection.bind(
    'state_change',
    live(({ current }: { current: string }) => on.state(current)),
  );
  // A documented connection event: the delay before pusher-js tries again (after a refusal or a backoff).
  pusher.connection.bind(
    'connecting_in',
    live((seconds: number) => on.retrying(Number(seconds) || 0)),
  );
  pusher.connection.bind(
    'error',
    live((error: PusherError) => {
      const data = error?.error?.data ?? error?.data;
      if (typeof data?.code === 'number') on.error(data.code, data.message ?? '');
    }),
  );
}

function bindChannel(channel: PresenceChannel, events: ChannelEvents, live: Live): void {
  channel.bind(
    'pusher:subscription_succeeded',
    live((members: Members) => {
      const list: PresenceMember[] = [];
      members.each((m: PresenceMember) => list.push(m));
      events.subscribed(list);
    }),
  );
  channel.bind(
    'pusher:subscription_error',
    live((error: { status?: number }) => events.refused(error?.status)),
  );
  channel.bind(
    'pusher:member_added',
    live((m: PresenceMember) => events.added(m)),
  );
  channel.bind(
    'pusher:member_removed',
    live((m: { id?: unknown }) => events.removed(String(m?.id))),
  );
  for (const event of Object.values(EVENTS))
    channel.bind(
      event,
      live((data: unknown) => events.event(event, data)),
    );
}
