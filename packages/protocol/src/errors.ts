/**
 * Every error code the servers answer with, one spelling each, and its HTTP status. A failed
 * request's body is `ErrorBody`; a code's meaning and its fix are in the package READMEs.
 */
export const ERRORS = Object.freeze({
  // the request itself
  'body.invalid': 400,
  'body.invalid_json': 400,
  'body.invalid_encoding': 400,
  'body.unknown_field': 400,
  'body.aborted': 400,
  'body.timeout': 408,
  'body.too_large': 413,
  'body.unsupported_type': 415,
  'body.unsupported_encoding': 415,
  'request.cross_site': 403,
  'request.invalid': 400,
  'cors.refused': 403,
  'rate.limited': 429,
  'route.not_found': 404,
  'route.method_not_allowed': 405,
  'query.malformed': 400,
  'query.duplicate': 400,
  'path.malformed': 400,
  // who is asking
  'auth.signed_out': 401,
  'signature.invalid': 401,
  'app.not_found': 404,
  'session.missing': 500,
  'register.disabled': 404,
  // channels and sockets
  'channel_name.invalid': 400,
  'channel_name.public': 400,
  'channel.not_presence': 400,
  'channel.forbidden': 403,
  'socket_id.invalid': 400,
  'user_id.invalid': 400,
  'info.user_count': 400,
  // what a person sends
  'name.required': 400,
  'name.invalid': 400,
  'name.too_long': 400,
  'name.invisible': 400,
  'name.taken': 409,
  'status.required': 400,
  'status.invalid': 400,
  'status.too_long': 400,
  'emoji.invalid': 400,
  'clear_after.invalid': 400,
  'utc_offset.invalid': 400,
  'availability.invalid': 400,
  'activity.invalid': 400,
  'member.unknown': 404,
  'member.invisible': 409,
  'announcement.required': 400,
  'announcement.too_long': 400,
  'announcement.invalid': 400,
  'announcement.invisible': 400,
  // the HTTP API's events
  'event.invalid_name': 400,
  'event.invalid_data': 400,
  'event.missing_data': 400,
  'event.missing_channels': 400,
  'event.too_many_channels': 400,
  'event.too_large': 413,
  'batch.invalid': 400,
  'batch.too_large': 400,
  // webhooks
  'webhook.invalid': 400,
  'webhook.invalid_signature': 401,
  'webhook.stale': 401,
  'webhook.replayed': 409,
  'webhook.unsupported_type': 415,
  // the server's side
  'publish.failed': 502,
  'store.unavailable': 503,
  internal: 500,
} as const);

export type ErrorCode = keyof typeof ERRORS;

/** The body of every failed request to the middleware (and the realtime server's HTTP API). */
export interface ErrorBody {
  success: false;
  error: true;
  code: ErrorCode;
  message: string;
  /** The form field a validation error belongs to. */
  field?:
    'username' | 'status' | 'emoji' | 'clearAfter' | 'utcOffset' | 'availability' | 'activity' | 'message';
}

/** Whether a value is a code of ours (an error body from an older or newer server may not be). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}
