import type { Connection } from './connection.js';
import { CloseCode } from './errors.js';
import type { Hub } from './hub.js';
import { isRecord, quote } from './json.js';
import { verifyUserAuth } from './signatures.js';

/**
 * `pusher:signin` (pusher-js `pusher.signin()`): binds the socket to a user id, so
 * `#server-to-user-{id}` events and `terminate_connections` reach it. A refusal is `pusher:error` 4009
 * ("Connection is unauthorized"), as on soketi, but the socket stays open: without Pusher's "authorized
 * connections" setting a connection need not be signed in to be served.
 */
export function signin(hub: Hub, connection: Connection, data: unknown): void {
  const { key, secret, limits } = hub.options;
  if (!isRecord(data) || typeof data.user_data !== 'string') {
    connection.sendError(
      CloseCode.UNAUTHORIZED,
      'Invalid pusher:signin: data.user_data must be the string the user-auth endpoint returned',
    );
    return;
  }
  if (!verifyUserAuth(key, secret, data.auth, connection.socketId, data.user_data)) {
    connection.sendError(
      CloseCode.UNAUTHORIZED,
      `Invalid signature for pusher:signin, got ${quote(data.auth)}`,
    );
    return;
  }
  let user: unknown;
  try {
    user = JSON.parse(data.user_data);
  } catch {
    user = undefined;
  }
  // a number is taken as its decimal string, as presence channel_data's user_id is (one id, one user)
  const rawId: unknown = isRecord(user) ? user.id : undefined;
  const id =
    typeof rawId === 'string'
      ? rawId
      : typeof rawId === 'number' && Number.isFinite(rawId)
        ? String(rawId)
        : '';
  if (id === '' || id.length > limits.userIdLength) {
    connection.sendError(
      CloseCode.UNAUTHORIZED,
      `Invalid pusher:signin: user_data must be JSON with a non-empty string or numeric id of at most ${limits.userIdLength} characters, got ${quote(rawId)}`,
    );
    return;
  }
  if (hub.revoked(id, connection)) {
    // a sign-in made before the user signed out, replayed on a connection that predates it
    connection.sendError(
      CloseCode.UNAUTHORIZED,
      'This user was signed out after this connection opened; reconnect and sign in again',
    );
    return;
  }
  signout(hub, connection);
  connection.userId = id;
  hub.signIns.add(id, connection);
  connection.send({ event: 'pusher:signin_success', data: { user_data: data.user_data } });
}

export function signout(hub: Hub, connection: Connection): void {
  if (connection.userId === undefined) return;
  hub.signIns.remove(connection.userId, connection);
  connection.userId = undefined;
}
