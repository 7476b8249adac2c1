import type { Messages } from './messages.js';

/** Where the panel's server lives; the same names as the element's attributes. */
export interface PresenceOptions {
  /** The middleware's channel authorization route, e.g. `/whatsup/usersystem/auth`. */
  authEndpoint: string;
  /** The presence channel, e.g. `presence-whatsup-members`. */
  channel: string;
  /** Where `/config`, `/register`, `/status`… live; default: beside the auth endpoint. */
  apiBase?: string;
  key?: string;
  cluster?: string;
  wsHost?: string;
  wsPort?: string;
  forceTls?: boolean;
  /** Seconds without input, or with every tab hidden, before I am away (default 300). */
  idleAfter?: number;
  /** Seconds a member who left stays greyed as "left just now" before going (default 30). */
  leaveGrace?: number;
  /** Keep `recent` (people who left lately, from GET /members) up to date after each leave. */
  showRecent?: boolean;
  /** `off` (or false): this tab opens its own connection instead of sharing the leader tab's. */
  sharedConnection?: string | boolean;
}

/** Does this panel share one connection with the other tabs (the default)? */
export function sharedConnection(o: PresenceOptions): boolean {
  return o.sharedConnection !== false && o.sharedConnection !== 'off';
}

/** What is wrong with the options, in words for the page's developer, or ''. */
export function configProblem(o: PresenceOptions, t: Messages): string {
  if (!o.authEndpoint || !o.channel) return t.configMissing;
  if (!o.channel.startsWith('presence-')) return t.configChannel(o.channel);
  for (const [name, value] of [
    ['auth-endpoint', o.authEndpoint],
    ['api-base', o.apiBase],
  ] as const) {
    if (value && !isHttpUrl(value)) return t.configUrl(name, value);
  }
  if (o.wsPort) {
    const port = Number(o.wsPort);
    if (!/^\d{1,5}$/.test(o.wsPort) || port < 1 || port > 65535) return t.configPort(o.wsPort);
  }
  return '';
}

/** A number of seconds from an attribute, in ms: `fallback` when missing, negative or not a number. */
export function seconds(value: number | undefined, fallback: number): number {
  return 1000 * (Number.isFinite(value) && value! >= 0 ? value! : fallback);
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value, document.baseURI).protocol);
  } catch {
    return false;
  }
}
