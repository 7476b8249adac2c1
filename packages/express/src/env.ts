import type { PusherOptions } from './publisher.js';

/**
 * Pusher settings from the environment: PUSHER_APP_ID, PUSHER_KEY, PUSHER_SECRET, and
 * PUSHER_CLUSTER (Pusher Channels) or PUSHER_HOST / PUSHER_PORT / PUSHER_USE_TLS (soketi or another host).
 * Returns undefined when none is set (then use the embedded realtime server).
 */
export function pusherOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PusherOptions | undefined {
  const {
    PUSHER_APP_ID,
    PUSHER_KEY,
    PUSHER_SECRET,
    PUSHER_CLUSTER,
    PUSHER_HOST,
    PUSHER_PORT,
    PUSHER_USE_TLS,
  } = env;
  if (!PUSHER_APP_ID && !PUSHER_KEY && !PUSHER_SECRET && !PUSHER_CLUSTER && !PUSHER_HOST) return undefined;
  const missing = ['PUSHER_APP_ID', 'PUSHER_KEY', 'PUSHER_SECRET'].filter((k) => !env[k]);
  if (missing.length)
    throw new TypeError(`set ${missing.join(', ')} too (or none of the PUSHER_* variables)`);
  return {
    appId: PUSHER_APP_ID!,
    key: PUSHER_KEY!,
    secret: PUSHER_SECRET!,
    ...(PUSHER_CLUSTER ? { cluster: PUSHER_CLUSTER } : {}),
    ...(PUSHER_HOST ? { host: PUSHER_HOST } : {}),
    ...(PUSHER_PORT ? { port: PUSHER_PORT } : {}),
    ...(PUSHER_USE_TLS !== undefined ? { useTLS: /^(1|true|yes)$/i.test(PUSHER_USE_TLS) } : {}),
  };
}
