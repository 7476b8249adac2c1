import type { ErrorCode } from '@whatsup/protocol';

/** A refused request: the server's JSON error (its `code` is one of `ERRORS`), or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  /** Seconds the server asked to wait (`Retry-After`, on a 503 or 429), or 0. */
  retryAfter = 0;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const CORS_REFUSED: ErrorCode = 'cors.refused';

/**
 * A request to a middleware on another origin failed before any answer: the browser refused it
 * (that server's `whatsup({ cors })` does not allow this page's origin) or the server is down.
 * The message names the fix; `code` is `'cors.refused'`.
 */
export class CrossOriginError extends ApiError {
  readonly endpointOrigin: string;
  readonly pageOrigin: string;

  constructor(endpointOrigin: string, pageOrigin: string) {
    super(
      0,
      CORS_REFUSED,
      `${endpointOrigin} did not answer this page (${pageOrigin}). If it is running, its whatsup({ cors }) ` +
        `option must allow this page's origin: whatsup({ cors: { origin: '${pageOrigin}' } }).`,
    );
    this.name = 'CrossOriginError';
    this.endpointOrigin = endpointOrigin;
    this.pageOrigin = pageOrigin;
  }
}

/** Any failure as an ApiError (a thrown non-ApiError is a network failure). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
}

/** The endpoint's origin when it differs from the page's (then cookies need credentials: 'include'). */
export function crossOrigin(url: string): string | undefined {
  const origin = globalThis.location?.origin;
  if (!origin || origin === 'null') return undefined;
  const target = new URL(url, globalThis.location.href).origin;
  return target === origin ? undefined : target;
}

/**
 * Calls a middleware route with the page's cookies and returns its JSON, or throws ApiError. With
 * a body it is a JSON POST (the middleware takes no other), without one a GET.
 */
export async function call<T>(url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  const other = crossOrigin(url);
  const post = body !== undefined;
  try {
    response = await fetch(url, {
      method: post ? 'POST' : 'GET',
      // The session cookie goes to a middleware on another origin only with 'include'.
      credentials: other ? 'include' : 'same-origin',
      headers: post
        ? { 'Content-Type': 'application/json', Accept: 'application/json' }
        : { Accept: 'application/json' },
      body: post ? JSON.stringify(body) : null,
      signal: signal ?? null,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    // A CORS refusal looks like a network failure to scripts; name the likely fix.
    if (other) throw new CrossOriginError(other, globalThis.location.origin);
    throw new ApiError(0, 'network', 'The server could not be reached.');
  }
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    // not JSON: handled below
  }
  if (!response.ok) {
    const e = (data ?? {}) as { code?: string; message?: string; field?: string };
    const error = new ApiError(
      response.status,
      e.code ?? `http.${response.status}`,
      e.message ?? response.statusText,
      e.field,
    );
    error.retryAfter = Math.max(0, Number(response.headers.get('retry-after')) || 0);
    throw error;
  }
  return data as T;
}
