import * as api from './api.js';
import { toApiError } from './http.js';
import type { Messages } from './messages.js';
import { configProblem, type PresenceOptions } from './presence-options.js';
import type { ServerConfig } from './types.js';

/** What the panel starts from: the server's settings, and my record when I am signed in. */
export interface Start {
  config: ServerConfig;
  /** `GET /isLoggedIn`'s user (checked by `fromRecord`), or null when signed out. */
  user: unknown;
}

/** Why the panel cannot start: a `whatsup-error` code and the message to show. */
export interface StartFailure {
  code: string;
  message: string;
}

/**
 * The options checked, then `GET /config` and `GET /isLoggedIn`. A page that names its own `key`
 * may do without /config (e.g. the routes sit behind another proxy). Never rejects, except when
 * `signal` aborts.
 */
export async function bootstrap(
  base: string,
  o: PresenceOptions,
  t: Messages,
  signal: AbortSignal,
): Promise<Start | StartFailure> {
  const problem = configProblem(o, t);
  if (problem) return { code: 'config.invalid', message: problem };
  let config: ServerConfig = {};
  try {
    config = await api.getConfig(base, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    if (!o.key)
      return { code: 'config.unreachable', message: `${t.configUnreachable} (${toApiError(err).message})` };
  }
  if (!o.key && !config.key) return { code: 'config.invalid', message: t.configUnreachable };
  try {
    const session = await api.getSession(base, signal);
    return { config, user: (session.authenticated && session.user) || null };
  } catch (err) {
    if (signal.aborted) throw err;
    const { code, message } = toApiError(err);
    return { code, message };
  }
}
