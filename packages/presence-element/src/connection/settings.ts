import type { Options } from 'pusher-js';
import { call, crossOrigin } from '../http.js';
import type { PresenceOptions } from '../presence-options.js';
import type { ServerConfig } from '../types.js';

/**
 * The pusher-js key and options from the element's attributes (which win), the server's
 * `GET /config` and the page: the embedded server on the page's own host and port by default,
 * Pusher Channels when a cluster is given without a host.
 */
export function pusherSettings(o: PresenceOptions, c: ServerConfig): { key: string; options: Options } {
  // The document's base URL rather than `location`: an about:srcdoc frame has no host of its own.
  const page = new URL(document.baseURI);
  const pageTls = page.protocol === 'https:';
  // An https page may only open wss:// (mixed content), whatever the server's default says.
  const tls = Boolean(o.forceTls) || pageTls || (c.forceTLS ?? false);
  // A cluster given without a host means Pusher Channels: the server's own host/port do not apply.
  const pusherChannels = Boolean(o.cluster) && !o.wsHost;
  const serverHost = pusherChannels ? undefined : c.wsHost;
  const serverPort = pusherChannels ? undefined : c.wsPort;
  const pagePort = Number(page.port) || (pageTls ? 443 : 80);
  const useLocal = !pusherChannels && (!c.cluster || c.cluster === 'local');
  const host = o.wsHost || serverHost || (useLocal ? page.hostname : undefined);
  const port = o.wsPort
    ? Number(o.wsPort)
    : (serverPort ?? (host && !serverHost && !o.wsHost ? pagePort : undefined));
  return {
    key: o.key || c.key || '',
    options: {
      cluster: o.cluster || c.cluster || 'mt1',
      forceTLS: tls,
      ...(host ? { wsHost: host } : {}),
      ...(port ? { wsPort: port, wssPort: o.wsPort ? port : (c.wssPort ?? port) } : {}),
      ...(c.wsPath && !pusherChannels ? { wsPath: c.wsPath } : {}),
      ...(host ? { enabledTransports: c.enabledTransports ?? ['ws', 'wss'] } : {}),
      channelAuthorization: {
        endpoint: o.authEndpoint,
        transport: 'ajax',
        // pusher-js's own ajax sends no cookie to another origin: authorize through call() there.
        ...(crossOrigin(o.authEndpoint) ? { customHandler: channelAuthorizer(o.authEndpoint) } : {}),
      },
    },
  };
}

/**
 * A pusher-js `channelAuthorization.customHandler` that posts to the auth endpoint through
 * `call()`, so a cross-origin endpoint gets the session cookie (pusher-js's own ajax transport
 * sends none) and a refusal becomes the same readable ApiError as every other route's.
 */
export function channelAuthorizer(endpoint: string) {
  return (
    params: { socketId: string; channelName: string },
    callback: (error: Error | null, data: { auth: string; channel_data?: string } | null) => void,
  ): void => {
    call<{ auth: string; channel_data?: string }>(endpoint, {
      socket_id: params.socketId,
      channel_name: params.channelName,
    }).then(
      (data) => callback(null, data),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  };
}
