// Webhooks as Pusher sends them: received by a real HTTP server, checked by the real `pusher` library's
// webhook() parser, compared with what soketi (an independent server) posts for the same actions.
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import PusherServer from 'pusher';
import { WebSocket } from 'ws';
import { targetsFromSoketi } from '../webhooks/options.js';
import {
  createRealtimeServer,
  type RealtimeServer,
  type WebhookBody,
  type WebhookOptions,
} from '../index.js';
import { delay, freePort, unique, waitFor, within } from './support/net.js';
import { APP, closeClients, connect, subscribed, type Pusher } from './support/pusher.js';
import { startSoketi } from './support/soketi.js';

type Mode = 'ok' | 'fail' | 'hang' | 'redirect';

/** A real HTTP receiver: records every request, answers per `mode`. */
interface Receiver {
  url: string;
  port: number;
  mode: Mode;
  requests: Array<{ headers: IncomingHttpHeaders; rawBody: string }>;
  /** Every event of every valid body, in arrival order, as the pusher library parsed it. */
  events(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

const stops: Array<() => Promise<void>> = [];

afterEach(async () => {
  closeClients();
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function startReceiver(mode: Mode = 'ok', port = 0): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (receiver.mode === 'hang') {
        hanging.push(res);
        return;
      }
      if (receiver.mode === 'redirect') {
        res.writeHead(302, { location: '/elsewhere' }).end();
        return;
      }
      if (receiver.mode === 'fail') {
        res.writeHead(500).end('down for maintenance');
        return;
      }
      requests.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as { port: number }).port;
  const verifier = new PusherServer({ ...APP, host: '127.0.0.1', useTLS: false });
  const receiver: Receiver = {
    url: `http://127.0.0.1:${actual}/webhooks`,
    port: actual,
    mode,
    requests,
    events: () =>
      requests.flatMap((request) => {
        const webhook = verifier.webhook(request);
        assert.equal(webhook.isValid(), true, `a valid signature on ${request.rawBody}`);
        return webhook.getEvents() as unknown as Array<Record<string, unknown>>;
      }),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  stops.push(receiver.close);
  return receiver;
}

async function startEmbedded(webhooks: WebhookOptions): Promise<RealtimeServer> {
  const server = createRealtimeServer({ ...APP, port: 0, webhooks });
  await server.ready;
  stops.push(() => server.close());
  return server;
}

/** soketi with the webhooks the README gives for the same events as the embedded server's default. */
async function startSoketiWithWebhooks(webhookUrl: string): Promise<number> {
  const soketi = await startSoketi({
    SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true',
    SOKETI_DEFAULT_APP_WEBHOOKS: JSON.stringify([
      {
        url: webhookUrl,
        event_types: [
          'channel_occupied',
          'channel_vacated',
          'member_added',
          'member_removed',
          'client_event',
        ],
      },
    ]),
    // one body per batch window, in the order soketi queued them (unbatched, each is its own request and
    // requests can overtake each other)
    SOKETI_WEBHOOKS_BATCHING: 'true',
    SOKETI_WEBHOOKS_BATCHING_DURATION: '50',
  });
  stops.push(soketi.stop);
  return soketi.port;
}

function disconnect(client: Pusher): void {
  client.disconnect();
}

/** name/channel/user_id of each event: what both servers must agree on. */
function outline(events: Array<Record<string, unknown>>): string[] {
  return events.map((event) =>
    [event.name, event.channel, event.user_id === undefined ? '' : String(event.user_id)].join(' '),
  );
}

/**
 * The same actions for both servers, paced so each step's webhooks are out before the next (the embedded
 * server's removals wait out a 150 ms grace here): ann joins, bo joins, bo sends a client event, bo leaves
 * (closes the connection), ann leaves the channel.
 */
async function scenario(port: number, channel: string, settle: () => Promise<void>): Promise<void> {
  const ann = connect(port, { userId: 'ann' });
  await subscribed(ann, channel);
  await settle();
  const bo = connect(port, { userId: 'bo' });
  const boChannel = await subscribed(bo, channel);
  await settle();
  boChannel.trigger('client-wave', { text: '<b>hi</b>' });
  await settle();
  disconnect(bo);
  await settle();
  ann.unsubscribe(channel);
  await settle();
}

describe('webhooks: embedded server', () => {
  it('should POST Pusher-format bodies the pusher library validates, and emit the same bodies in-process', async () => {
    const receiver = await startReceiver();
    const server = await startEmbedded({ targets: [{ url: receiver.url }], graceMs: 150 });
    const emitted: WebhookBody[] = [];
    server.on('webhook', (body) => emitted.push(body));
    const channel = `presence-${unique()}`;
    await scenario(server.port, channel, () => delay(400));
    await waitFor(() => receiver.events().length >= 7, 'seven events');
    const events = receiver.events();
    assert.deepEqual(outline(events), [
      `channel_occupied ${channel} `,
      `member_added ${channel} ann`,
      `member_added ${channel} bo`,
      `client_event ${channel} bo`,
      `member_removed ${channel} bo`,
      `member_removed ${channel} ann`,
      `channel_vacated ${channel} `,
    ]);
    const clientEvent = events[3] as Record<string, unknown>;
    assert.equal(clientEvent.event, 'client-wave');
    // Pusher sends the client's data as the JSON string it was given
    assert.equal(clientEvent.data, JSON.stringify({ text: '<b>hi</b>' }));
    assert.match(String(clientEvent.socket_id), /^\d+\.\d+$/);
    for (const request of receiver.requests) {
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers['x-pusher-key'], APP.key);
      assert.match(String(request.headers['x-pusher-signature']), /^[0-9a-f]{64}$/);
      const body = JSON.parse(request.rawBody) as WebhookBody;
      assert.equal(typeof body.time_ms, 'number');
      assert.ok(Math.abs(body.time_ms - Date.now()) < 60_000, 'time_ms is a unix time in milliseconds');
    }
    // in-process listeners get exactly what was posted
    assert.deepEqual(
      emitted,
      receiver.requests.map((request) => JSON.parse(request.rawBody) as WebhookBody),
    );
  });

  it('should refuse a body with a wrong signature in the pusher library (the signature covers the body)', async () => {
    const receiver = await startReceiver();
    const server = await startEmbedded({ targets: [{ url: receiver.url }], graceMs: 0 });
    await subscribed(connect(server.port), `private-${unique()}`);
    await waitFor(() => receiver.requests.length === 1, 'one webhook');
    const request = receiver.requests[0] as Receiver['requests'][number];
    const verifier = new PusherServer({ ...APP, host: '127.0.0.1', useTLS: false });
    assert.equal(verifier.webhook(request).isValid(), true);
    const tampered = { ...request, rawBody: request.rawBody.replace('private-', 'privatX-') };
    assert.equal(verifier.webhook(tampered).isValid(), false);
    const otherSecret = new PusherServer({ ...APP, secret: 'another', host: '127.0.0.1', useTLS: false });
    assert.equal(otherSecret.webhook(request).isValid(), false);
  });

  it('should send only the listed events, on channels with the prefix, with the extra headers', async () => {
    const all = await startReceiver();
    const some = await startReceiver();
    const server = await startEmbedded({
      graceMs: 0,
      targets: [
        { url: all.url, events: ['channel_occupied', 'channel_vacated', 'subscription_count'] },
        {
          url: some.url,
          events: ['channel_occupied'],
          channelPrefix: 'private-',
          headers: { 'X-Tenant': 'acme' },
        },
      ],
    });
    const publicName = `public-${unique()}`;
    const privateName = `private-${unique()}`;
    const client = connect(server.port);
    await subscribed(client, publicName);
    await subscribed(connect(server.port), publicName);
    await subscribed(client, privateName);
    await waitFor(() => some.requests.length === 1, 'the filtered receiver');
    await waitFor(() => all.events().some((e) => e.channel === privateName), 'the full receiver');
    assert.deepEqual(outline(some.events()), [`channel_occupied ${privateName} `]);
    assert.equal(some.requests[0]?.headers['x-tenant'], 'acme');
    const counts = all.events().filter((e) => e.name === 'subscription_count' && e.channel === publicName);
    // coalesced per batch: the latest count wins
    assert.ok(counts.length >= 1);
    assert.equal(counts.at(-1)?.subscription_count, 2);
    assert.ok(all.events().every((e) => e.name !== 'member_added'));
  });

  it('should send nothing for a reload within the grace (member_removed+added and vacated+occupied cancel)', async () => {
    const receiver = await startReceiver();
    const server = await startEmbedded({ targets: [{ url: receiver.url }], graceMs: 1500, batchMs: 10 });
    const emitted: WebhookBody[] = [];
    server.on('webhook', (body) => emitted.push(body));
    const lonely = `presence-${unique()}`;
    const shared = `presence-${unique()}`;
    const bo = connect(server.port, { userId: 'bo' });
    await subscribed(bo, shared);
    let ann = connect(server.port, { userId: 'ann' });
    await subscribed(ann, lonely);
    await subscribed(ann, shared);
    await waitFor(() => receiver.events().length === 5, 'the joins');
    // the reload: the old page's connection goes, the new page's comes
    disconnect(ann);
    await waitFor(() => server.channelInfo(lonely).subscriptionCount === 0, 'ann gone');
    ann = connect(server.port, { userId: 'ann' });
    await subscribed(ann, lonely);
    await subscribed(ann, shared);
    await delay(1800); // past the grace: anything held would be out now
    assert.equal(receiver.events().length, 5, JSON.stringify(outline(receiver.events())));
    // a real leave after that is sent once the grace is over
    disconnect(ann);
    await waitFor(() => receiver.events().length === 8, 'the leave, after the grace');
    // a closed connection's member leaves come first, then the channels it emptied
    assert.deepEqual(outline(receiver.events().slice(5)), [
      `member_removed ${lonely} ann`,
      `member_removed ${shared} ann`,
      `channel_vacated ${lonely} `,
    ]);
    assert.equal(emitted.flatMap((body) => body.events).length, 8);
  });

  it('should count a redirect as a failure (never follow it) and retry until the receiver answers 2xx', async () => {
    const receiver = await startReceiver('redirect');
    const server = await startEmbedded({
      targets: [{ url: receiver.url }],
      graceMs: 0,
      retryMinMs: 20,
      retryMaxMs: 50,
    });
    await subscribed(connect(server.port), `private-${unique()}`);
    await waitFor(() => (server.webhookStats()[0]?.failures ?? 0) >= 2, 'two failed attempts');
    assert.equal(receiver.requests.length, 0);
    receiver.mode = 'ok';
    await waitFor(() => receiver.requests.length === 1, 'delivery once it answers 200');
    // the receiver has the body before the sender has read the answer and counted it
    await waitFor(() => (server.webhookStats()[0]?.sent ?? 0) >= 1, 'counted as sent');
    assert.equal(server.webhookStats()[0]?.sent, 1);
  });

  it('should survive a throwing webhook listener and still deliver', async () => {
    const receiver = await startReceiver();
    const server = await startEmbedded({ targets: [{ url: receiver.url }], graceMs: 0 });
    server.on('webhook', () => {
      throw new Error('app bug');
    });
    await subscribed(connect(server.port), `private-${unique()}`);
    await waitFor(() => receiver.requests.length === 1, 'delivery despite the listener');
    await subscribed(connect(server.port), `private-${unique()}`);
    await waitFor(() => receiver.requests.length === 2, 'and the next one');
  });

  for (const mode of ['refused', 'fail', 'hang'] as const) {
    it(`should not slow the server while the receiver is ${mode === 'refused' ? 'refusing connections' : mode === 'fail' ? 'answering 500' : 'hanging'}, and deliver everything when it is back`, async (t) => {
      const iterations = 40;
      const baseline = await startEmbedded({});
      const baselineMs = await roundTrips(baseline, iterations);
      // the port of a receiver that is not there (yet): connections to it are refused
      const port = await freePort();
      let receiver = mode === 'refused' ? undefined : await startReceiver(mode, port);
      const server = await startEmbedded({
        targets: [{ url: `http://127.0.0.1:${port}/webhooks` }],
        graceMs: 0,
        batchMs: 0,
        timeoutMs: 200,
        retryMinMs: 20,
        retryMaxMs: 200,
      });
      const deadMs = await roundTrips(server, iterations);
      const ratio = deadMs / baselineMs;
      t.diagnostic(
        `publish round trip: ${(baselineMs / iterations).toFixed(2)} ms without webhooks, ${(deadMs / iterations).toFixed(2)} ms with a receiver ${mode}: ratio ${ratio.toFixed(2)}`,
      );
      await waitFor(() => (server.webhookStats()[0]?.failures ?? 0) > 0, 'a failed attempt');
      assert.equal(server.webhookStats()[0]?.sent, 0, 'the receiver was really down');
      // back: it gets every event (2 per iteration: occupied, vacated), none dropped
      if (receiver === undefined) receiver = await startReceiver('ok', port);
      else receiver.mode = 'ok';
      await waitFor(
        () => receiver.events().length === (iterations + 1) * 2,
        `${(iterations + 1) * 2} events`,
      );
      const names = receiver.events().map((e) => e.name);
      assert.equal(names.filter((n) => n === 'channel_occupied').length, iterations + 1);
      assert.equal(names.filter((n) => n === 'channel_vacated').length, iterations + 1);
      assert.equal(server.webhookStats()[0]?.dropped, 0);
    });
  }

  it('should drop the oldest bodies past queueSize, count them, and deliver the newest when the receiver is back', async () => {
    const receiver = await startReceiver('fail');
    const server = await startEmbedded({
      targets: [{ url: receiver.url, events: ['channel_occupied'] }],
      graceMs: 0,
      batchMs: 0,
      queueSize: 3,
      retryMinMs: 30,
      retryMaxMs: 60,
    });
    const client = connect(server.port);
    const names: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      names.push(`public-${unique()}`);
      await subscribed(client, names.at(-1) as string);
      await delay(15); // one body each
    }
    await waitFor(() => server.webhookStats()[0]?.dropped === 5, 'five dropped');
    assert.deepEqual(
      { ...server.webhookStats()[0], url: '' },
      {
        url: '',
        queued: 3,
        sent: 0,
        failures: server.webhookStats()[0]?.failures,
        dropped: 5,
        droppedEvents: 5,
      },
    );
    receiver.mode = 'ok';
    await waitFor(() => receiver.events().length === 3, 'the three newest');
    assert.deepEqual(
      receiver.events().map((e) => e.channel),
      names.slice(5),
    );
  });

  it('should reject bad webhooks options with a message quoting the value', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['http://x', /webhooks option must be an object.*'http:\/\/x'/],
      [{ targets: 'http://x' }, /webhooks\.targets must be an array.*'http:\/\/x'/],
      [
        { targets: [{ url: 'ftp://x' }] },
        /targets\[0\]\.url must be an http:\/\/ or https:\/\/ URL, got 'ftp:\/\/x'/,
      ],
      [{ targets: [{ url: 'not a url' }] }, /got 'not a url'/],
      [{ targets: [{ url: 'http://x', events: ['member_joined'] }] }, /unknown event 'member_joined'/],
      [{ targets: [{ url: 'http://x', events: [] }] }, /events must be a non-empty array/],
      [{ targets: [{ url: 'http://x', headers: { 'X-Pusher-Signature': 'x' } }] }, /cannot be overridden/],
      [{ targets: [{ url: 'http://x', headers: { 'X-A': 'a\r\nInjected: 1' } }] }, /one-line string/],
      [{ targets: [{ url: 'http://x', bogus: 1 }] }, /targets\[0\]\.bogus is not known/],
      [{ graceMs: -1 }, /webhooks\.graceMs must be a finite number ≥ 0.*got -1/],
      [{ graceMs: '3s' }, /got '3s'/],
      [{ queueSize: 1.5 }, /webhooks\.queueSize must be a positive integer, got 1\.5/],
      [{ retryMinMs: 500, retryMaxMs: 100 }, /retryMaxMs \(100\) must be at least retryMinMs \(500\)/],
      [{ gracems: 1 }, /webhooks\.gracems is not a known option/],
    ];
    for (const [webhooks, message] of bad) {
      assert.throws(
        () => createRealtimeServer({ ...APP, port: 0, webhooks: webhooks as WebhookOptions }),
        message,
        JSON.stringify(webhooks),
      );
    }
  });
});

describe('webhooks: soketi’s SOKETI_DEFAULT_APP_WEBHOOKS', () => {
  it('should translate soketi’s format into targets, refusing what we do not support with the value quoted', () => {
    assert.deepEqual(
      targetsFromSoketi(
        JSON.stringify([
          {
            url: 'http://127.0.0.1:3000/hooks',
            event_types: ['member_added', 'member_removed'],
            filter: { channel_name_starts_with: 'presence-' },
            headers: { 'X-Tenant': 'acme' },
          },
        ]),
      ),
      [
        {
          url: 'http://127.0.0.1:3000/hooks',
          events: ['member_added', 'member_removed'],
          channelPrefix: 'presence-',
          headers: { 'X-Tenant': 'acme' },
        },
      ],
    );
    assert.throws(() => targetsFromSoketi('[{url:'), /must be JSON, got '\[\{url:'/);
    assert.throws(() => targetsFromSoketi('{}'), /must be a JSON array/);
    assert.throws(
      () => targetsFromSoketi('[{"lambda_function":"f","event_types":["client_event"]}]'),
      /lambda_function webhooks are not supported/,
    );
    assert.throws(
      () => targetsFromSoketi('[{"url":"http://x","filter":{"channel_name_ends_with":"-room"}}]'),
      /channel_name_ends_with is not supported.*'-room'/,
    );
    assert.throws(
      () => targetsFromSoketi('[{"url":"http://x","event_types":["cache_miss"]}]'),
      /unknown event 'cache_miss'/,
    );
  });

  it('should make the CLI send webhooks configured as for soketi', async () => {
    const receiver = await startReceiver();
    const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        WHATSUP_KEY: APP.key,
        WHATSUP_APP_ID: APP.appId,
        WHATSUP_SECRET: APP.secret,
        SOKETI_DEFAULT_APP_WEBHOOKS: JSON.stringify([
          { url: receiver.url, event_types: ['channel_occupied'] },
        ]),
      },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    stops.push(async () => {
      child.kill('SIGTERM');
      await exited;
    });
    const line = await within(
      new Promise<string>((resolve) =>
        child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString())),
      ),
      'the CLI listening',
    );
    const port = Number(line.trim().split(':').at(-1));
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${APP.key}?protocol=7`);
    stops.push(async () => ws.terminate());
    const channel = `cli-${unique()}`;
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { event: string };
      if (frame.event === 'pusher:connection_established')
        ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel } }));
    });
    await waitFor(() => receiver.requests.length === 1, 'the webhook from the CLI');
    assert.deepEqual(outline(receiver.events()), [`channel_occupied ${channel} `]);
  });

  it('should make the CLI exit 2 on malformed SOKETI_DEFAULT_APP_WEBHOOKS, quoting it', async () => {
    const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SOKETI_DEFAULT_APP_WEBHOOKS: '[{"url":"ftp://nope"}]' },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 2);
    assert.match(stderr, /targets\[0\]\.url must be an http:\/\/ or https:\/\/ URL, got 'ftp:\/\/nope'/);
  });
});

describe('webhooks: embedded server and soketi for the same actions', () => {
  let soketiEvents: Array<Record<string, unknown>> = [];
  after(() => {
    soketiEvents = [];
  });

  it('should send the same event names, channels and user ids in the same order', async () => {
    const embeddedReceiver = await startReceiver();
    const embedded = await startEmbedded({ targets: [{ url: embeddedReceiver.url }], graceMs: 150 });
    const embeddedChannel = `presence-${unique()}`;
    await scenario(embedded.port, embeddedChannel, () => delay(400));
    await waitFor(() => embeddedReceiver.events().length >= 7, 'embedded webhooks');

    const soketiReceiver = await startReceiver();
    const port = await startSoketiWithWebhooks(soketiReceiver.url);
    const soketiChannel = `presence-${unique()}`;
    await scenario(port, soketiChannel, () => delay(400));
    await waitFor(() => soketiReceiver.events().length >= 7, 'soketi webhooks');
    soketiEvents = soketiReceiver.events();

    const normalize = (lines: string[], channel: string): string[] =>
      lines.map((line) => line.replace(channel, '<channel>'));
    const ours = normalize(outline(embeddedReceiver.events()), embeddedChannel);
    const theirs = normalize(outline(soketiEvents), soketiChannel);
    // soketi queues channel_vacated before member_removed when the last member leaves (the vacated check
    // runs synchronously, the member check after an asynchronous members lookup); the embedded server sends
    // the member's leave first, then the channel's. Only the order of that last pair differs.
    assert.deepEqual(theirs.slice(0, 5), ours.slice(0, 5));
    assert.deepEqual(theirs.slice(5).sort(), ours.slice(5).sort());
    assert.deepEqual(ours.slice(5), ['member_removed <channel> ann', 'channel_vacated <channel> ']);
    assert.deepEqual(theirs.slice(5), ['channel_vacated <channel> ', 'member_removed <channel> ann']);
    // the client event: soketi passes `data` on as the object the client sent, Pusher (and we) as its JSON string
    const theirClientEvent = soketiEvents.find((e) => e.name === 'client_event');
    assert.deepEqual(theirClientEvent?.data, { text: '<b>hi</b>' });
    for (const request of soketiReceiver.requests) {
      assert.equal(request.headers['x-pusher-key'], APP.key);
      assert.equal(request.headers['content-type'], 'application/json');
    }
  });
});

/** `iterations` × (subscribe a fresh channel, publish to it, receive it, unsubscribe): total milliseconds. */
async function roundTrips(server: RealtimeServer, iterations: number): Promise<number> {
  const client = connect(server.port);
  const rest = new PusherServer({ ...APP, host: '127.0.0.1', port: String(server.port), useTLS: false });
  // warm-up: the first connection and request pay for JIT and sockets
  const warm = await subscribed(client, `public-warm-${unique()}`);
  const warmed = new Promise((resolve) => warm.bind('tick', resolve));
  await rest.trigger(warm.name, 'tick', {});
  await warmed;
  client.unsubscribe(warm.name);
  const start = performance.now();
  for (let i = 0; i < iterations; i += 1) {
    const channel = await subscribed(client, `public-${unique()}`);
    const received = new Promise((resolve) => channel.bind('tick', resolve));
    await rest.trigger(channel.name, 'tick', { i });
    await within(received, 'the published event');
    client.unsubscribe(channel.name);
  }
  const elapsed = performance.now() - start;
  disconnect(client);
  return elapsed;
}
