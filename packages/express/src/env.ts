import type { ClientConfig, PusherOptions } from './publisher.js';

type Env = Record<string, string | undefined>;

/**
 * Where the realtime layer is, from the environment — so moving from one machine to soketi or
 * Pusher Channels is configuration, not code:
 *
 * - `PUSHER_CLUSTER` (e.g. `eu`): Pusher Channels;
 * - `PUSHER_HOST` [+ `PUSHER_PORT`, `PUSHER_USE_TLS`]: a Pusher-protocol server such as soketi;
 * - neither: `undefined`, i.e. use the embedded `@whatsup/realtime` server (then
 *   `PUSHER_APP_ID`/`PUSHER_KEY`/`PUSHER_SECRET`, if set, are that server's own credentials).
 *
 * With a cluster or a host, `PUSHER_APP_ID`, `PUSHER_KEY` and `PUSHER_SECRET` are required.
 * Throws a `TypeError` naming the variable when something is missing or malformed: a typo
 * should stop the app at start, not show an empty panel later.
 */
export function pusherOptionsFromEnv(env: Env = process.env): PusherOptions | undefined {
  const cluster = value(env, 'PUSHER_CLUSTER');
  const host = value(env, 'PUSHER_HOST');
  if (!cluster && !host) {
    for (const name of ['PUSHER_PORT', 'PUSHER_USE_TLS'] as const) {
      if (value(env, name)) throw new TypeError(`${name} is set but PUSHER_HOST is not`);
    }
    return undefined;
  }
  if (cluster && host) {
    throw new TypeError(
      'set PUSHER_CLUSTER (Pusher Channels) or PUSHER_HOST (soketi or another Pusher-protocol server), not both',
    );
  }
  const missing = ['PUSHER_APP_ID', 'PUSHER_KEY', 'PUSHER_SECRET'].filter((name) => !value(env, name));
  if (missing.length) {
    throw new TypeError(
      `set ${missing.join(', ')} too: ${cluster ? 'PUSHER_CLUSTER' : 'PUSHER_HOST'} is set`,
    );
  }
  if (cluster && !/^[a-z0-9-]+$/.test(cluster)) {
    // It becomes part of a host name (ws-<cluster>.pusher.com) in every browser.
    throw new TypeError(`PUSHER_CLUSTER must look like "eu" or "us2", got ${JSON.stringify(cluster)}`);
  }
  const port = portFrom(env, 'PUSHER_PORT');
  if (cluster && port !== undefined)
    throw new TypeError('PUSHER_PORT goes with PUSHER_HOST, not PUSHER_CLUSTER');
  const useTLS = booleanFrom(env, 'PUSHER_USE_TLS');
  return {
    appId: value(env, 'PUSHER_APP_ID')!,
    key: value(env, 'PUSHER_KEY')!,
    secret: value(env, 'PUSHER_SECRET')!,
    ...(cluster ? { cluster } : {}),
    ...(host ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(useTLS !== undefined ? { useTLS } : {}),
  };
}

/**
 * Where browsers connect, when that is not where the app servers publish: e.g. the app reaches
 * soketi at `soketi:6001` on a private network while pages use `wss://realtime.example.com`.
 * `PUSHER_WS_HOST`, `PUSHER_WS_PORT` and `PUSHER_FORCE_TLS` become the `client` option of
 * `whatsup()` (what `GET /config` tells the element). `undefined` when none is set: then the
 * element connects where the app publishes.
 */
export function clientConfigFromEnv(env: Env = process.env): Partial<ClientConfig> | undefined {
  const wsHost = value(env, 'PUSHER_WS_HOST');
  const wsPort = portFrom(env, 'PUSHER_WS_PORT');
  const forceTLS = booleanFrom(env, 'PUSHER_FORCE_TLS');
  if (wsHost === undefined && wsPort === undefined && forceTLS === undefined) return undefined;
  if (wsHost === undefined && wsPort !== undefined) {
    throw new TypeError('PUSHER_WS_PORT is set but PUSHER_WS_HOST is not');
  }
  return {
    ...(wsHost !== undefined ? { wsHost, enabledTransports: ['ws', 'wss'] } : {}),
    ...(wsPort !== undefined ? { wsPort, wssPort: wsPort } : {}),
    ...(forceTLS !== undefined ? { forceTLS } : {}),
  };
}

/** An unset or blank variable is absent (`PUSHER_HOST= npm start` should mean "no host"). */
function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function portFrom(env: Env, name: string): number | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new TypeError(`${name} must be a port number (1-65535), got ${JSON.stringify(raw)}`);
  }
  return port;
}

function booleanFrom(env: Env, name: string): boolean | undefined {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new TypeError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}
