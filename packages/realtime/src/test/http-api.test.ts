// Hostile and malformed HTTP API input against the embedded server (soketi's answers to these are
// not what the conformance suite is about: these are our own error contract, `{error, code}`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { createRealtimeServer, type RealtimeServer } from '../index.js';
import { signedRequest, type Forge } from './support/http.js';
import { waitFor } from './support/net.js';
import { APP } from './support/pusher.js';

/** A request to `server`, signed as the pusher library signs it (Pusher REST auth). */
function signed(
  server: RealtimeServer,
  method: string,
  path: string,
  body: string,
  params: Record<string, string> = {},
  signedPath = path,
  forge: Forge = {},
): Promise<Response> {
  return signedRequest(server.port, method, path, body, { ...forge, params, signedPath });
}

describe('HTTP API', () => {
  let server: RealtimeServer;
  before(async () => {
    server = createRealtimeServer({ ...APP, port: 0, path: '/rt', limits: { requestBodyBytes: 4096 } });
    await server.ready;
  });
  after(() => server.close());

  describe('when the body is larger than limits.requestBodyBytes', () => {
    it('should answer 413 with a JSON error', async () => {
      const response = await signed(
        server,
        'POST',
        '/rt/apps/app-id/events',
        JSON.stringify({ name: 'e', channels: ['c'], data: 'x'.repeat(8000) }),
      );
      assert.equal(response.status, 413);
      assert.deepEqual(await response.json(), {
        error: 'The request body is larger than the allowed 4096 bytes (limits.requestBodyBytes)',
        code: 'body.too_large',
        status: 413,
      });
    });
  });

  describe('when the body is not a JSON object', () => {
    it('should answer 400 to malformed JSON and to an array', async () => {
      for (const body of ['{"name":', '[1,2]', '"text"']) {
        const response = await signed(server, 'POST', '/rt/apps/app-id/events', body);
        assert.equal(response.status, 400, body);
        assert.deepEqual(await response.json(), {
          error:
            body === '{"name":'
              ? 'The request body is not valid JSON'
              : 'The request body must be a JSON object',
          code: 'body.invalid_json',
          status: 400,
        });
      }
    });

    it('should answer 400 to missing data, wrong types and a bad socket_id', async () => {
      for (const event of [
        { name: 'e', channels: ['c'] },
        { name: 42, channels: ['c'], data: '{}' },
        { name: 'e', channels: 'c', data: '{}' },
        { name: 'e', channels: [], data: '{}' },
        { name: 'e', channels: ['c'], data: '{}', socket_id: '<script>' },
      ]) {
        assert.equal(
          (await signed(server, 'POST', '/rt/apps/app-id/events', JSON.stringify(event))).status,
          400,
          JSON.stringify(event),
        );
      }
    });
  });

  describe('when a channel name is hostile', () => {
    it('should answer 400 with JSON (never HTML) to a channel name with markup', async () => {
      const response = await signed(
        server,
        'GET',
        `/rt/apps/app-id/channels/${encodeURIComponent('<img src=x onerror=alert(1)>')}`,
        '',
      );
      assert.equal(response.status, 400);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    });
  });

  describe('when the route or method is wrong', () => {
    it('should answer 404 to an unknown route and 405 to a wrong method', async () => {
      assert.equal((await signed(server, 'GET', '/rt/apps/app-id/nothing', '')).status, 404);
      assert.equal((await signed(server, 'GET', '/rt/apps/app-id/events', '')).status, 405);
      assert.equal(
        (await signed(server, 'GET', '/rt/apps/app-id/channels/presence-x/users/extra', '')).status,
        404,
      );
    });

    it('should answer 400 to info=user_count on a non-presence channel', async () => {
      const response = await signed(server, 'GET', '/rt/apps/app-id/channels/private-x', '', {
        info: 'user_count',
      });
      assert.equal(response.status, 400);
      const list = await signed(server, 'GET', '/rt/apps/app-id/channels', '', { info: 'user_count' });
      assert.equal(list.status, 400, 'user_count on /channels needs filter_by_prefix=presence-');
    });
  });

  describe('when a batch holds one invalid event', () => {
    it('should publish none of them', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rt/app/app-key?protocol=7`);
      const frames: Array<{ event: string }> = [];
      ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as { event: string }));
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'room' } }));
      await waitFor(
        () => frames.some((f) => f.event === 'pusher_internal:subscription_succeeded'),
        'the frame',
      );
      const batch = [
        { channel: 'room', name: 'first', data: '{}' },
        { channel: 'bad channel', name: 'second', data: '{}' },
      ];
      assert.equal(
        (await signed(server, 'POST', '/rt/apps/app-id/batch_events', JSON.stringify({ batch }))).status,
        400,
      );
      const ok = await signed(
        server,
        'POST',
        '/rt/apps/app-id/events',
        JSON.stringify({ name: 'marker', channels: ['room'], data: '{}', info: 'subscription_count' }),
      );
      assert.deepEqual(await ok.json(), { channels: { room: { subscription_count: 1 } } });
      await waitFor(() => frames.some((f) => f.event === 'marker'), 'the frame');
      assert.equal(
        frames.some((f) => f.event === 'first'),
        false,
      );
      ws.terminate();
    });
  });

  describe('when signed without the path prefix (a proxy in front adds it)', () => {
    it('should accept the signature over /apps/...', async () => {
      const response = await signed(
        server,
        'GET',
        '/rt/apps/app-id/channels',
        '',
        {},
        '/apps/app-id/channels',
      );
      assert.equal(response.status, 200);
      assert.equal(typeof ((await response.json()) as { channels: unknown }).channels, 'object');
      const forged = await signed(
        server,
        'GET',
        '/rt/apps/app-id/channels',
        '',
        {},
        '/other/apps/app-id/channels',
      );
      assert.equal(forged.status, 401);
    });
  });
});
