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
  /**
   * Signed in through GET /bootstrap: the channel's members as GET /members?channel= gives them
   * (records checked by `fromRecord`), and while I am invisible my follow channels.
   */
  snapshot?: Snapshot;
}

/** The channel's members before any subscription, to draw at once. */
export interface Snapshot {
  members: readonly unknown[];
  follow?: unknown;
  /** The ids in the channel per the realtime server, when it could say: who is here. */
  online?: readonly string[];
}

/** Why the panel cannot start: a `whatsup-error` code and the message to show. */
export interface StartFailure {
  code: string;
  message: string;
}

/**
 * The options checked, then `GET /bootstrap`: everything in one round trip. A server without it
 * (an older middleware's 404), or one whose answer is not the middleware's, is asked the old way:
 * `GET /config`, then `GET /isLoggedIn`, whose failures say what to fix. Never rejects, except
 * when `signal` aborts.
 */
export async function bootstrap(
  base: string,
  o: PresenceOptions,
  t: Messages,
  signal: AbortSignal,
): Promise<Start | StartFailure> {
  const problem = configProblem(o, t);
  if (problem) return { code: 'config.invalid', message: problem };
  let answer: api.BootstrapAnswer | undefined;
  try {
    answer = await api.getBootstrap(base, o.channel, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    // 404: an older middleware. Anything else (down, a refused channel, CORS) the old way too:
    // its errors, and the subscription's, name the fix.
  }
  const start = answer && fromAnswer(answer);
  if (start) {
    if (!o.key && !start.config.key) return { code: 'config.invalid', message: t.configUnreachable };
    return start;
  }
  return legacy(base, o, t, signal);
}

/** GET /bootstrap's answer as a start, or undefined when it is not the middleware's. */
function fromAnswer(answer: api.BootstrapAnswer): Start | undefined {
  const { config, authenticated, user, members, follow, online } = answer ?? {};
  if (!config || typeof config !== 'object' || typeof authenticated !== 'boolean') return undefined;
  if (!authenticated || !user) return { config: config as ServerConfig, user: null };
  const here = Array.isArray(online) ? { online: online.map(String) } : {};
  const snapshot = Array.isArray(members) ? { members, ...(follow ? { follow } : {}), ...here } : undefined;
  return { config: config as ServerConfig, user, ...(snapshot ? { snapshot } : {}) };
}

/** `GET /config` and `GET /isLoggedIn`, one after the other (a page naming its `key` may do without /config). */
async function legacy(
  base: string,
  o: PresenceOptions,
  t: Messages,
  signal: AbortSignal,
): Promise<Start | StartFailure> {
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
