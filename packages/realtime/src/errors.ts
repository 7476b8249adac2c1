import type { ErrorCode } from '@whatsup/protocol';

/**
 * Errors raised by the realtime server. `status` is the HTTP status the HTTP API answers with,
 * `code` a stable dotted string from `@whatsup/protocol`'s `ERRORS`, `expose` whether the message is
 * safe to show a client.
 */
export class WhatsupError extends Error {
  status: number;
  code: ErrorCode;
  expose: boolean;

  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.name = 'WhatsupError';
    this.status = status;
    this.code = code;
    this.expose = status < 500;
  }
}

/** WebSocket close codes and `pusher:error` codes (Pusher protocol 7). pusher-js acts on the ranges:
 * 4000–4099 do not reconnect, 4100–4199 reconnect after 1 s, 4200–4299 reconnect now. */
export const CloseCode = {
  /** Unknown app key. */
  APP_NOT_FOUND: 4001,
  /** The URL is not `{path}/app/:key`. */
  PATH_NOT_FOUND: 4005,
  /** `protocol` query parameter is not an integer. */
  INVALID_VERSION: 4006,
  /** `protocol` is an integer this server does not speak (only 7). */
  UNSUPPORTED_PROTOCOL: 4007,
  /** Dropped by the app (terminate_connections). */
  UNAUTHORIZED: 4009,
  /** `limits.maxConnections` or `limits.connectionsPerAddress` reached (pusher-js retries after a back-off). */
  OVER_CAPACITY: 4100,
  /** More than `limits.sendBufferBytes` unsent: the socket is cut without a close handshake (reported in 'disconnection'). */
  SLOW_CONSUMER: 4101,
  /** More `pusher:subscribe`/`pusher:unsubscribe` frames than `limits.subscriptionFramesPerMinute` (pusher-js retries after a back-off). */
  SUBSCRIPTION_RATE: 4102,
  /** The server failed while handling one of the socket's frames; the socket is closed, pusher-js retries after a back-off. */
  SERVER_ERROR: 4199,
  /** Generic "reconnect now": server shutdown, disconnectAll(). */
  RECONNECT: 4200,
  /** No pong to a server ping within `pongTimeout`. */
  PONG_TIMEOUT: 4201,
  /** Sent as a `pusher:error` code only, never as a close code: 43xx tells pusher-js never to reconnect. */
  CLIENT_EVENT_REJECTED: 4301,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
