import { ROUTES, type Availability, type ClearAfter, type Member } from '@whatsup/protocol';
import { call } from './http.js';
import type { ServerConfig } from './types.js';

/**
 * The middleware's routes (`ROUTES`), each one call under `base` (e.g. `/whatsup`) with the page's
 * cookies. Answers are read as `unknown` where the panel checks them (`fromRecord`); a refusal
 * throws ApiError.
 */

/** The routes live beside the auth endpoint: `/whatsup/usersystem/auth` → `/whatsup`. */
export function apiBaseFrom(authEndpoint: string): string {
  const path = authEndpoint.replace(/[?#].*$/, '');
  if (path.endsWith(ROUTES.auth)) return path.slice(0, -ROUTES.auth.length);
  return path.replace(/\/[^/]*$/, '');
}

/** The answer of a route that changes me (`/register`, `/status`, `/availability`): my record. */
export interface UserAnswer {
  user: Member;
}

/** `GET /isLoggedIn` (and `POST /activity`'s `user`): checked with `fromRecord` before use. */
export interface SessionAnswer {
  authenticated: boolean;
  user?: unknown;
}

/**
 * `GET /bootstrap?channel=`: the config, who I am and, signed in, the channel's members in one
 * request (fields checked before use, as the answers of the routes it stands for).
 */
export interface BootstrapAnswer {
  config?: unknown;
  authenticated?: unknown;
  user?: unknown;
  members?: unknown;
  follow?: unknown;
  online?: unknown;
}

export const getBootstrap = (base: string, channel: string, signal?: AbortSignal) =>
  call<BootstrapAnswer>(
    `${base}${ROUTES.bootstrap}?channel=${encodeURIComponent(channel)}`,
    undefined,
    signal,
  );

export const getConfig = (base: string, signal?: AbortSignal) =>
  call<ServerConfig>(base + ROUTES.config, undefined, signal);

export const getSession = (base: string, signal?: AbortSignal) =>
  call<SessionAnswer>(base + ROUTES.isLoggedIn, undefined, signal);

/**
 * `GET /members`: the channels I joined, or `channel` (while invisible, the answer names my follow
 * channel for it in `follow`); with `online`, the ids the realtime server has in it now too.
 */
export const getMembers = (base: string, signal?: AbortSignal, channel?: string, online = false) =>
  call<{ members?: unknown; follow?: unknown; online?: unknown }>(
    base +
      ROUTES.members +
      (channel ? `?channel=${encodeURIComponent(channel)}${online ? '&online=1' : ''}` : ''),
    undefined,
    signal,
  );

export const register = (base: string, username: string, status: string) =>
  call<UserAnswer>(base + ROUTES.register, { username, status });

/** A status: only what is given is sent, so a plain text change stays the request it always was. */
export const postStatus = (base: string, status: string, emoji?: string, clearAfter?: ClearAfter) =>
  call<UserAnswer>(base + ROUTES.status, {
    status,
    ...(emoji ? { emoji } : {}),
    ...(clearAfter ? { clearAfter } : {}),
    // The server's "today" ends at midnight in the person's zone, not the server's.
    ...(clearAfter === 'today' ? { utcOffset: -new Date().getTimezoneOffset() } : {}),
  });

export const postAvailability = (base: string, availability: Availability) =>
  call<UserAnswer>(base + ROUTES.availability, { availability });

export const postActivity = (base: string, away: boolean) =>
  call<{ user?: unknown }>(base + ROUTES.activity, { activity: away ? 'away' : 'active' });

/** A JSON body with its Content-Type: the middleware refuses a bodiless or cross-site logout. */
export const logout = (base: string) => call<unknown>(base + ROUTES.logout, {});
