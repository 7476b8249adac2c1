import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientAddress } from './address.js';
import { parseQuery, verifyApiRequest, verifyBody } from './api-auth.js';
import { BodyReader, declaresBody } from './body.js';
import { debug } from './debug.js';
import { WhatsupError } from './errors.js';
import type { Hub } from './hub.js';
import { isRecord } from './json.js';
import { channelKind, channelNameProblem, quote } from './limits.js';
import { settle, settleAll } from './presence.js';
import { eventInfo, publish, validateEvent, type ValidEvent } from './publish.js';

const EMPTY: Buffer = Buffer.alloc(0);

interface ApiRequest {
  hub: Hub;
  params: ReadonlyMap<string, string>;
  body: unknown;
  /** Path segments after `/apps/:appId`. */
  route: readonly string[];
  terminate: (userId: string) => Promise<void>;
}

type Handler = (request: ApiRequest) => unknown;

/** Pusher's HTTP API (`/apps/:appId/...`), as the pusher library calls it. */
export class HttpApi {
  readonly #hub: Hub;
  readonly #terminate: (userId: string) => Promise<void>;
  readonly #bodies: BodyReader;

  constructor(hub: Hub, terminate: (userId: string) => Promise<void>) {
    this.#hub = hub;
    this.#terminate = terminate;
    this.#bodies = new BodyReader(hub.options.limits);
  }

  /**
   * Whether a request URL is the API's. Alone, all of `/apps/`; attached, only this app's
   * `/apps/:appId/`, so a host app's own `/apps/...` routes keep working.
   */
  owns(url: string | undefined, claimAll: boolean): boolean {
    const { path, appId } = this.#hub.options;
    return (url ?? '').startsWith(claimAll ? `${path}/apps/` : `${path}/apps/${appId}/`);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await this.#dispatch(req);
      send(res, 200, body);
    } catch (error) {
      const failure =
        error instanceof WhatsupError ? error : new WhatsupError(500, 'internal', 'Internal server error');
      if (failure.status === 500)
        debug('HTTP API error: %s', error instanceof Error ? error.stack : String(error));
      else debug('HTTP API %s %s → %d %s', req.method, req.url, failure.status, failure.message);
      // A body still arriving is not read on: Node would pull the rest off the wire to reuse the
      // connection, and a crowd of stalled strangers would make the process read (and the allocator
      // keep) hundreds of MB. The socket goes once the answer is written; the client still reads it.
      if (declaresBody(req) && !req.complete) {
        res.setHeader('connection', 'close');
        res.once('finish', () => req.socket.destroy());
      }
      // `error` is the message soketi's bodies carry too; `code` the dotted one of @whatsup/protocol
      send(res, failure.status, { error: failure.message, code: failure.code, status: failure.status });
    }
  }

  async #dispatch(req: IncomingMessage): Promise<unknown> {
    const { options } = this.#hub;
    const url = req.url ?? '/';
    const at = url.indexOf('?');
    const pathname = at === -1 ? url : url.slice(0, at);
    const segments = pathname
      .slice(options.path.length + '/apps/'.length)
      .split('/')
      .map(decodeSegment);
    const [appId, ...route] = segments;
    if (appId !== options.appId)
      throw new WhatsupError(404, 'app.not_found', `The app ${quote(appId)} could not be found`);
    const method = (req.method ?? 'GET').toUpperCase();
    const handler = findRoute(method, route);
    const params = parseQuery(at === -1 ? '' : url.slice(at + 1));
    // the pusher library signs /apps/…; behind a path prefix a proxy may have added it, so both are accepted
    const signedPaths = options.path === '' ? [pathname] : [pathname, pathname.slice(options.path.length)];
    // everything that can be checked is, before a byte of the body is read
    verifyApiRequest(options, method, signedPaths, params);
    let raw = EMPTY;
    if (declaresBody(req)) {
      if (!params.has('body_md5'))
        throw new WhatsupError(401, 'signature.invalid', 'A request with a body must sign it (body_md5)');
      raw = await this.#bodies.read(req, clientAddress(req, options.trustProxy));
    }
    verifyBody(params, raw);
    let body: unknown;
    if (method === 'POST') {
      try {
        body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
      } catch {
        throw new WhatsupError(400, 'body.invalid_json', 'The request body is not valid JSON');
      }
      if (!isRecord(body))
        throw new WhatsupError(400, 'body.invalid_json', 'The request body must be a JSON object');
    }
    return handler({ hub: this.#hub, params, body, route, terminate: this.#terminate });
  }
}

function findRoute(method: string, route: readonly string[]): Handler {
  const [first, name, third, ...rest] = route;
  let found: { method: string; handler: Handler } | undefined;
  if (route.length === 1 && first === 'events') found = { method: 'POST', handler: triggerEvent };
  else if (route.length === 1 && first === 'batch_events') found = { method: 'POST', handler: triggerBatch };
  else if (route.length === 1 && first === 'channels') found = { method: 'GET', handler: listChannels };
  else if (route.length === 2 && first === 'channels') found = { method: 'GET', handler: channelInfo };
  else if (route.length === 3 && first === 'channels' && third === 'users')
    found = { method: 'GET', handler: channelUsers };
  else if (route.length === 3 && first === 'users' && third === 'terminate_connections')
    found = { method: 'POST', handler: terminateConnections };
  if (found === undefined || rest.length > 0 || (name !== undefined && name === '')) {
    throw new WhatsupError(404, 'route.not_found', `No such HTTP API route: /${route.join('/')}`);
  }
  if (found.method !== method)
    throw new WhatsupError(405, 'route.method_not_allowed', `Use ${found.method} for /${route.join('/')}`);
  return found.handler;
}

function triggerEvent({ hub, body }: ApiRequest): unknown {
  const input = body as Record<string, unknown>;
  const channels = input.channels ?? (typeof input.channel === 'string' ? [input.channel] : undefined);
  const event = validateEvent(hub, {
    name: input.name,
    data: input.data,
    channels,
    socket_id: input.socket_id,
  });
  publish(hub, event);
  const info = eventInfo(hub, event.channels, input.info);
  return info === undefined ? {} : { channels: info };
}

function triggerBatch({ hub, body }: ApiRequest): unknown {
  const batch = (body as Record<string, unknown>).batch;
  const { batchSize } = hub.options.limits;
  if (!Array.isArray(batch))
    throw new WhatsupError(400, 'batch.invalid', 'The body needs batch: an array of events');
  if (batch.length > batchSize)
    throw new WhatsupError(400, 'batch.too_large', `Cannot batch-send more than ${batchSize} events at once`);
  // all or nothing: nothing is published unless every event is valid
  const events: Array<{ event: ValidEvent; info: unknown }> = batch.map((item: unknown) => {
    if (!isRecord(item))
      throw new WhatsupError(
        400,
        'batch.invalid',
        'Every batch item must be an object {channel, name, data}',
      );
    const event = validateEvent(hub, {
      name: item.name,
      data: item.data,
      channels: [item.channel],
      socket_id: item.socket_id,
    });
    return { event, info: item.info };
  });
  for (const { event } of events) publish(hub, event);
  if (!events.some(({ info }) => typeof info === 'string' && info !== '')) return {};
  return {
    batch: events.map(
      ({ event, info }) => eventInfo(hub, event.channels, info)?.[event.channels[0] ?? ''] ?? {},
    ),
  };
}

function listChannels({ hub, params }: ApiRequest): unknown {
  const prefix = params.get('filter_by_prefix') ?? '';
  const info = (params.get('info') ?? '').split(',');
  const userCount = info.includes('user_count');
  if (userCount && !prefix.startsWith('presence-')) {
    throw new WhatsupError(400, 'info.user_count', 'info=user_count needs filter_by_prefix=presence-');
  }
  const channels: Record<string, Record<string, number>> = {};
  settleAll(hub);
  for (const name of hub.channels.names()) {
    // #server-to-user- channels are internal plumbing, not the app's channels
    if (name.startsWith('#') || !name.startsWith(prefix)) continue;
    channels[name] = userCount ? { user_count: hub.presence.userCount(name) } : {};
  }
  return { channels };
}

function channelInfo({ hub, params, route }: ApiRequest): unknown {
  const name = checkedChannel(hub, route[1]);
  settle(hub, name);
  const info = (params.get('info') ?? '').split(',');
  const result: Record<string, unknown> = { occupied: hub.channels.subscriptionCount(name) > 0 };
  if (info.includes('user_count')) {
    if (channelKind(name) !== 'presence')
      throw new WhatsupError(400, 'info.user_count', 'info=user_count is only for presence- channels');
    result.user_count = hub.presence.userCount(name);
  }
  if (info.includes('subscription_count')) result.subscription_count = hub.channels.subscriptionCount(name);
  return result;
}

function channelUsers({ hub, route }: ApiRequest): unknown {
  const name = checkedChannel(hub, route[1]);
  if (channelKind(name) !== 'presence')
    throw new WhatsupError(400, 'channel.not_presence', 'Users can only be listed for presence- channels');
  settle(hub, name);
  return { users: hub.presence.userIds(name).map((id) => ({ id })) };
}

async function terminateConnections({ route, terminate, hub }: ApiRequest): Promise<unknown> {
  const userId = route[1] ?? '';
  if (userId === '' || userId.length > hub.options.limits.userIdLength) {
    throw new WhatsupError(400, 'user_id.invalid', `Invalid user id: ${quote(userId)}`);
  }
  // answer now; the sockets close on their own time
  void terminate(userId);
  return {};
}

function checkedChannel(hub: Hub, name: string | undefined): string {
  const problem = channelNameProblem(name, hub.options.limits);
  if (problem !== undefined) throw new WhatsupError(400, 'channel_name.invalid', problem);
  return name as string;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new WhatsupError(400, 'path.malformed', 'Malformed percent-encoding in the path');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
