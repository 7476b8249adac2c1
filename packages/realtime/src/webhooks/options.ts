import { WEBHOOK_EVENT_NAMES, WEBHOOK_HEADERS, type WebhookEventName } from '@whatsup/protocol';

/** One receiver: where to POST, and which events it wants. */
export interface WebhookTarget {
  /** http(s) URL the body is POSTed to. */
  url: string;
  /** Event names this URL gets. Default: all but `subscription_count` (Pusher sends that only when enabled). */
  events?: WebhookEventName[];
  /** Only events on channels whose name starts with this (soketi's `channel_name_starts_with`). */
  channelPrefix?: string;
  /** Extra request headers (`X-Pusher-Key`, `X-Pusher-Signature` and `Content-Type` cannot be overridden). */
  headers?: Record<string, string>;
}

export interface WebhookOptions {
  /** Receivers. Default none: the server still emits `'webhook'` in-process. */
  targets?: WebhookTarget[];
  /** Milliseconds member_removed and channel_vacated are held back; a rejoin within it cancels both events. Default 3000 (Pusher's figure). */
  graceMs?: number;
  /** Milliseconds events are gathered into one body. Default 50. */
  batchMs?: number;
  /** Most bodies waiting per URL; past it the oldest is dropped (and counted). Default 1000. */
  queueSize?: number;
  /** Milliseconds one POST may take before it counts as failed. Default 5000. */
  timeoutMs?: number;
  /** First retry delay in milliseconds, doubled each time up to `retryMaxMs`. Default 1000. */
  retryMinMs?: number;
  /** Longest retry delay in milliseconds. Default 30000. */
  retryMaxMs?: number;
  /** A body still failing this many milliseconds after its first attempt is given up (Pusher: 5 minutes). Default 300000. */
  retryForMs?: number;
}

export interface ResolvedWebhookTarget {
  url: string;
  events: ReadonlySet<WebhookEventName>;
  channelPrefix: string;
  headers: Record<string, string>;
}

export interface ResolvedWebhookOptions {
  targets: ResolvedWebhookTarget[];
  graceMs: number;
  batchMs: number;
  queueSize: number;
  timeoutMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  retryForMs: number;
}

const DEFAULT_EVENTS: readonly WebhookEventName[] = WEBHOOK_EVENT_NAMES.filter(
  (name) => name !== 'subscription_count',
);
const PROTECTED_HEADERS = new Set([
  'content-type',
  'content-length',
  WEBHOOK_HEADERS.key,
  WEBHOOK_HEADERS.signature,
]);

/** Validates the `webhooks` option; every message quotes the bad value and says what is expected. */
export function resolveWebhookOptions(value: unknown): ResolvedWebhookOptions {
  if (value === undefined) value = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(
      `webhooks option must be an object like { targets: [{ url: 'http://…/webhooks' }] }, got ${describe(value)}`,
    );
  }
  const options = value as Record<string, unknown>;
  const known = [
    'targets',
    'graceMs',
    'batchMs',
    'queueSize',
    'timeoutMs',
    'retryMinMs',
    'retryMaxMs',
    'retryForMs',
  ];
  for (const name of Object.keys(options)) {
    if (!known.includes(name))
      throw new TypeError(`webhooks.${name} is not a known option; known: ${known.join(', ')}`);
  }
  const rawTargets = options.targets ?? [];
  if (!Array.isArray(rawTargets)) {
    throw new TypeError(
      `webhooks.targets must be an array of { url, events?, channelPrefix?, headers? }, got ${describe(rawTargets)}`,
    );
  }
  const targets = rawTargets.map((target: unknown, index) => resolveTarget(target, index));
  const retryMinMs = number('retryMinMs', options.retryMinMs, 1000, 1);
  const retryMaxMs = number('retryMaxMs', options.retryMaxMs, 30_000, 1);
  if (retryMaxMs < retryMinMs)
    throw new TypeError(`webhooks.retryMaxMs (${retryMaxMs}) must be at least retryMinMs (${retryMinMs})`);
  return {
    targets,
    graceMs: number('graceMs', options.graceMs, 3000, 0),
    batchMs: number('batchMs', options.batchMs, 50, 0),
    queueSize: integer('queueSize', options.queueSize, 1000),
    timeoutMs: number('timeoutMs', options.timeoutMs, 5000, 1),
    retryMinMs,
    retryMaxMs,
    retryForMs: number('retryForMs', options.retryForMs, 300_000, 0),
  };
}

function resolveTarget(value: unknown, index: number): ResolvedWebhookTarget {
  const where = `webhooks.targets[${index}]`;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new TypeError(`${where} must be an object { url, events? }, got ${describe(value)}`);
  const target = value as Record<string, unknown>;
  for (const name of Object.keys(target)) {
    if (!['url', 'events', 'channelPrefix', 'headers'].includes(name))
      throw new TypeError(`${where}.${name} is not known; use url, events, channelPrefix, headers`);
  }
  let url: URL | undefined;
  try {
    url = typeof target.url === 'string' ? new URL(target.url) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new TypeError(`${where}.url must be an http:// or https:// URL, got ${describe(target.url)}`);
  const events = target.events ?? DEFAULT_EVENTS;
  if (!Array.isArray(events) || events.length === 0)
    throw new TypeError(
      `${where}.events must be a non-empty array of ${WEBHOOK_EVENT_NAMES.join(', ')}, got ${describe(events)}`,
    );
  for (const name of events) {
    if (!WEBHOOK_EVENT_NAMES.includes(name as WebhookEventName))
      throw new TypeError(
        `${where}.events has an unknown event ${describe(name)}; known: ${WEBHOOK_EVENT_NAMES.join(', ')}`,
      );
  }
  const channelPrefix = target.channelPrefix ?? '';
  if (typeof channelPrefix !== 'string')
    throw new TypeError(`${where}.channelPrefix must be a string, got ${describe(channelPrefix)}`);
  const headers: Record<string, string> = {};
  if (target.headers !== undefined) {
    if (target.headers === null || typeof target.headers !== 'object' || Array.isArray(target.headers))
      throw new TypeError(`${where}.headers must be an object of strings, got ${describe(target.headers)}`);
    for (const [name, header] of Object.entries(target.headers)) {
      if (typeof header !== 'string' || /[\r\n]/.test(header))
        throw new TypeError(`${where}.headers.${name} must be a one-line string, got ${describe(header)}`);
      if (PROTECTED_HEADERS.has(name.toLowerCase()))
        throw new TypeError(`${where}.headers.${name} is set by the server and cannot be overridden`);
      headers[name] = header;
    }
  }
  return { url: url.href, events: new Set(events as WebhookEventName[]), channelPrefix, headers };
}

function number(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(
      `webhooks.${name} must be a finite number ≥ ${min} (milliseconds), got ${describe(value)}`,
    );
  }
  return value;
}

function integer(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new TypeError(`webhooks.${name} must be a positive integer, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}

/**
 * soketi's `SOKETI_DEFAULT_APP_WEBHOOKS` (`[{ url, event_types, filter?, headers? }]`) as `webhooks.targets`,
 * so one environment configures soketi and this server alike. Throws a TypeError quoting what is wrong.
 */
export function targetsFromSoketi(json: string): WebhookTarget[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new TypeError(`SOKETI_DEFAULT_APP_WEBHOOKS must be JSON, got '${json.slice(0, 200)}'`);
  }
  if (!Array.isArray(parsed))
    throw new TypeError(
      `SOKETI_DEFAULT_APP_WEBHOOKS must be a JSON array of { url, event_types }, got ${describe(parsed)}`,
    );
  return parsed.map((entry: unknown, index) => {
    const where = `SOKETI_DEFAULT_APP_WEBHOOKS[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      throw new TypeError(`${where} must be an object { url, event_types }, got ${describe(entry)}`);
    const { url, event_types: events, filter, headers } = entry as Record<string, unknown>;
    if (typeof url !== 'string')
      throw new TypeError(
        `${where}.url must be a string (lambda_function webhooks are not supported), got ${describe(url)}`,
      );
    const target: WebhookTarget = { url };
    if (events !== undefined) target.events = events as WebhookEventName[];
    if (headers !== undefined) target.headers = headers as Record<string, string>;
    if (filter !== undefined) {
      const { channel_name_starts_with: prefix, channel_name_ends_with: suffix } = (filter ?? {}) as Record<
        string,
        unknown
      >;
      if (suffix !== undefined)
        throw new TypeError(
          `${where}.filter.channel_name_ends_with is not supported (only channel_name_starts_with), got ${describe(suffix)}`,
        );
      if (prefix !== undefined) target.channelPrefix = prefix as string;
    }
    // the rest (types of events, prefix, headers) is checked like any webhooks option
    resolveTarget(target, index);
    return target;
  });
}
