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

/** Calls a middleware route with the page's cookies and returns its JSON, or throws ApiError. */
export async function call<T>(
  url: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers:
        init.body !== undefined
          ? { 'Content-Type': 'application/json', Accept: 'application/json' }
          : { Accept: 'application/json' },
      body: init.body !== undefined ? JSON.stringify(init.body) : null,
      signal: init.signal ?? null,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
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
