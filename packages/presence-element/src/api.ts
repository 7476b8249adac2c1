/** A refused request: the server's JSON error, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * A request to a middleware on another origin failed before any answer: the browser refused it
 * (that server's `whatsup({ cors })` does not allow this page's origin) or the server is down.
 * The message names the fix; `code` is `'cors.refused'`.
 */
export class CrossOriginError extends ApiError {
  constructor(
    readonly endpointOrigin: string,
    readonly pageOrigin: string,
  ) {
    super(
      0,
      'cors.refused',
      `${endpointOrigin} did not answer this page (${pageOrigin}). If it is running, its whatsup({ cors }) ` +
        `option must allow this page's origin: whatsup({ cors: { origin: '${pageOrigin}' } }).`,
    );
    this.name = 'CrossOriginError';
  }
}

/** The endpoint's origin when it differs from the page's (then cookies need credentials: 'include'). */
export function crossOrigin(url: string): string | undefined {
  const origin = globalThis.location?.origin;
  if (!origin || origin === 'null') return undefined;
  const target = new URL(url, globalThis.location.href).origin;
  return target === origin ? undefined : target;
}

/** Calls a middleware route with the page's cookies and returns its JSON, or throws ApiError. */
export async function call<T>(
  url: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let response: Response;
  const other = crossOrigin(url);
  try {
    response = await fetch(url, {
      method: init.method ?? 'GET',
      // The session cookie goes to a middleware on another origin only with 'include'.
      credentials: other ? 'include' : 'same-origin',
      headers:
        init.body !== undefined
          ? { 'Content-Type': 'application/json', Accept: 'application/json' }
          : { Accept: 'application/json' },
      body: init.body !== undefined ? JSON.stringify(init.body) : null,
      signal: init.signal ?? null,
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
    throw new ApiError(
      response.status,
      e.code ?? `http.${response.status}`,
      e.message ?? response.statusText,
      e.field,
    );
  }
  return data as T;
}

/** The routes live beside the auth endpoint: `/whatsup/usersystem/auth` → `/whatsup`. */
export function apiBaseFrom(authEndpoint: string): string {
  const path = authEndpoint.replace(/[?#].*$/, '');
  if (path.endsWith('/usersystem/auth')) return path.slice(0, -'/usersystem/auth'.length);
  return path.replace(/\/[^/]*$/, '');
}

/**
 * A pusher-js `channelAuthorization.customHandler` that posts to the auth endpoint through
 * `call()`, so a cross-origin endpoint gets the session cookie (pusher-js's own ajax transport
 * sends none) and a refusal becomes the same readable ApiError as every other route's.
 */
export function channelAuthorizer(endpoint: string) {
  return (
    params: { socketId: string; channelName: string },
    callback: (error: Error | null, data: { auth: string; channel_data?: string } | null) => void,
  ): void => {
    call<{ auth: string; channel_data?: string }>(endpoint, {
      method: 'POST',
      body: { socket_id: params.socketId, channel_name: params.channelName },
    }).then(
      (data) => callback(null, data),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  };
}
