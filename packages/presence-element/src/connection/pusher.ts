import Pusher, { type Members, type Options, type PresenceChannel } from 'pusher-js';
import { EVENTS } from '@whatsup/protocol';
import type { ChannelEvents, Connection, ConnectionEvents, PresenceMember } from './connection.js';

interface PusherError {
  data?: { code?: number; message?: string };
  error?: { data?: { code?: number; message?: string } };
}

/** A `Connection` on a pusher-js client of this tab, through pusher-js's public API only. */
export function openPusher(key: string, options: Options, on: ConnectionEvents): Connection {
  const pusher = new Pusher(key, options);
  let open = true;
  // pusher-js may still call back after disconnect(): those calls go nowhere.
  const live =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      if (open) fn(...args);
    };
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
  return {
    subscribe(name: string, events: ChannelEvents): void {
      const channel = pusher.subscribe(name) as PresenceChannel;
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
    },
    disconnect(): void {
      open = false;
      pusher.disconnect();
    },
  };
}
