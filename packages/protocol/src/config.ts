import type { ClearAfter, Member, StatusPreset } from './member.js';

/** How pusher-js reaches the realtime side: what `GET /config` tells the element. Never the secret. */
export interface ClientConfig {
  key: string;
  cluster: string;
  forceTLS: boolean;
  /** Absent: the page's own host (the embedded server attached to the app's server). */
  wsHost?: string;
  wsPort?: number;
  wssPort?: number;
  wsPath?: string;
  enabledTransports?: Array<'ws' | 'wss'>;
}

/** `guest`: people sign up with a name (`/register`); `identify`: the site signs them in. */
export type PanelMode = 'guest' | 'identify';

/** Everything `GET /config` answers: the connection, the channel and the rules the panel shows. */
export interface PanelConfig extends ClientConfig {
  channel: string;
  mode: PanelMode;
  limits: { name: number; status: number; statusBytes: number };
  presets: StatusPreset[];
  clearAfter: readonly ClearAfter[];
}

/** The middleware's routes, relative to where it is mounted (the element derives the base from `auth-endpoint`). */
export const ROUTES = Object.freeze({
  bootstrap: '/bootstrap',
  config: '/config',
  register: '/register',
  isLoggedIn: '/isLoggedIn',
  auth: '/usersystem/auth',
  status: '/status',
  availability: '/availability',
  activity: '/activity',
  members: '/members',
  logout: '/logout',
  webhooks: '/webhooks',
} as const);

/**
 * What `GET /bootstrap?channel=` answers: all the panel needs to draw, in one request. `config` as
 * `GET /config`, `authenticated` and `user` as `GET /isLoggedIn`; for a signed-in person the
 * channel's `members` (with `truncated`, `total` and `follow`) as `GET /members?channel=`.
 */
export interface BootstrapAnswer {
  config: PanelConfig;
  authenticated: boolean;
  user?: Member;
  /** Newest first; people who left lately have `lastSeen`. Only when signed in. */
  members?: Member[];
  truncated?: true;
  total?: number;
  /** Only while the asker is invisible: the follow channel their pages subscribe to instead. */
  follow?: Record<string, string>;
  /** With `?channel=`, when the realtime server can say: the ids present in it now (as `MembersAnswer.online`). */
  online?: string[];
}
