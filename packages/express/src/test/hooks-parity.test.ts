// Issue 13, "Done when": the same receiver fed by real soketi webhooks and by the embedded server
// fires the same hooks in the same order. One scripted sequence — join, status change, leave,
// reload, removal — with real pusher-js clients and the router's real HTTP routes, run against
// (1) soketi posting webhooks over HTTP to the router, (2) the embedded server in-process and
// (3) the embedded server posting its webhooks over HTTP. Each run's hooks become normalized
// lines; the logs are compared line for line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRealtimeServer } from '@whatsup/realtime';
import { whatsup, type WhatsupOptions, type WhatsupRouter } from '../index.js';
import { APP, CHANNEL, appWithSessions, cleanup, person, sleep, type Person } from './support/http.js';
import { pusherFor, subscribed } from './support/pusher.js';
import { startSoketi as soketiWith } from './support/servers.js';

/**
 * The embedded server's member_removed grace. Long enough that a reconnect (an auth request and
 * a WebSocket handshake) lands inside it on a loaded machine; short enough for the test to wait out.
 */
const GRACE_MS = 1500;
/** Bounded waits: a hook that does not come in this time fails the test with the log so far. */
const WAIT_MS = 20_000;

/** The part of the log that differs by design: what a reload inside the grace fires. */
const RELOAD_EMBEDDED: string[] = [];
/**
 * soketi has no member_removed grace (1.6.1, `ws-handler.js` unsubscribeFromChannel sends the
 * webhook as soon as the last socket of the user leaves), so a reload is a leave and a join.
 * Pusher Channels and the embedded server hold member_removed for a grace and drop the pair.
 */
const RELOAD_SOKETI = ['member_removed Ann lastSeen=number', 'member_added Ann'];

function expected(reload: string[]): string[] {
  return [
    // join
    'member_added Ann',
    // status change (POST /status)
    'status_changed Ann busy by=user',
    // leave: the last socket closes
    'member_removed Ann lastSeen=number',
    // back (a new page), then a reload: the old socket closes and a new one joins at once
    'member_added Ann',
    ...reload,
    // removal: router.remove() — the page is told (`signed-out`) and its socket ends
    'signed_out Ann removed',
    'member_removed Ann lastSeen=number',
  ];
}

describe('hooks parity: soketi, the embedded server in-process and over HTTP', () => {
  it('should fire the hooks of the script in order with real soketi posting webhooks to the router', async () => {
    const web = await listen();
    const soketi = await startSoketi(`${web.base}/webhooks`);
    const app = web.mount({ pusher: { ...APP, host: '127.0.0.1', port: soketi.port } });
    const log = await script(app, soketi.port);
    assert.deepEqual(log, expected(RELOAD_SOKETI));
  });

  it("should fire exactly the embedded server's hooks from soketi when the receiver holds leaves (webhooks.leaveGraceMs)", async () => {
    const web = await listen();
    const soketi = await startSoketi(`${web.base}/webhooks`);
    const app = web.mount({
      pusher: { ...APP, host: '127.0.0.1', port: soketi.port },
      webhooks: { leaveGraceMs: GRACE_MS },
    });
    const log = await script(app, soketi.port);
    assert.deepEqual(log, expected(RELOAD_EMBEDDED));
  });

  it("should fire the same hooks in-process from the embedded server's 'webhook' batches", async () => {
    const realtime = createRealtimeServer({ ...APP, port: 0, webhooks: { graceMs: GRACE_MS, batchMs: 10 } });
    await realtime.ready;
    cleanup(() => realtime.close());
    const app = await (await listen()).mount({ publisher: realtime });
    const log = await script(app, realtime.port);
    assert.deepEqual(log, expected(RELOAD_EMBEDDED));
  });

  it('should fire the same hooks from the embedded server posting its webhooks over HTTP', async () => {
    const web = await listen();
    const realtime = createRealtimeServer({
      ...APP,
      port: 0,
      webhooks: { graceMs: GRACE_MS, batchMs: 10, targets: [{ url: `${web.base}/webhooks` }] },
    });
    await realtime.ready;
    cleanup(() => realtime.close());
    const app = web.mount({ pusher: { ...APP, host: '127.0.0.1', port: realtime.port } });
    const log = await script(app, realtime.port);
    assert.deepEqual(log, expected(RELOAD_EMBEDDED));
  });

  it('should refuse a leaveGraceMs that is not 0–60000 ms, saying so', () => {
    for (const bad of [-1, 60_001, Number.NaN, Infinity, '3000']) {
      assert.throws(
        () =>
          whatsup({
            pusher: { ...APP, host: '127.0.0.1', port: 1 },
            webhooks: { leaveGraceMs: bad as number },
          }),
        /webhooks\.leaveGraceMs must be a number of ms from 0 to 60000/,
      );
    }
  });

  it('should differ between the backends only in the reload, and there by the grace (without leaveGraceMs)', () => {
    // The three runs above assert their logs against expected(); this pins what "the same" means.
    const soketi = expected(RELOAD_SOKETI);
    const embedded = expected(RELOAD_EMBEDDED);
    const reloadAt = embedded.indexOf('signed_out Ann removed');
    assert.deepEqual(soketi.slice(0, reloadAt), embedded.slice(0, reloadAt));
    assert.deepEqual(soketi.slice(reloadAt + RELOAD_SOKETI.length), embedded.slice(reloadAt));
  });
});

// ---- the script ----

type App = ReturnType<Awaited<ReturnType<typeof listen>>['mount']>;

/** Runs the scripted sequence and returns the hooks the router fired, one normalized line each. */
async function script(app: App, wsPort: number): Promise<string[]> {
  const log: string[] = [];
  const { router } = app;
  router.on('member_added', (e) => log.push(`member_added ${e.user?.name ?? e.userId}`));
  router.on('member_removed', (e) =>
    log.push(`member_removed ${e.user?.name ?? e.userId} lastSeen=${typeof e.user?.lastSeen}`),
  );
  router.on('status_changed', (e) => log.push(`status_changed ${e.user.name} ${e.user.status} by=${e.by}`));
  router.on('signed_out', (e) => log.push(`signed_out ${e.user?.name ?? e.userId} ${e.reason}`));
  const until = (count: number, step: string) =>
    waitFor(() => log.length >= count, `${step}: ${log.join(' | ')}`);

  const ann = app.person();
  const reg = await ann.post('/register', { username: 'Ann' });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  const id = reg.body.user.id as string;

  // join
  const first = await connect(ann, wsPort);
  await until(1, 'join');

  // status change
  assert.equal((await ann.post('/status', { status: 'busy' })).status, 200);
  await until(2, 'status change');

  // leave
  first.client.disconnect();
  await until(3, 'leave');

  // back, then a reload: the old page's socket closes and the new page's joins right away
  const second = await connect(ann, wsPort);
  await until(4, 'back');
  second.client.disconnect();
  const third = await connect(ann, wsPort);
  // Nothing to wait for on a server with a grace (that is the point): wait it out, plus a margin,
  // so a removal held by the grace would show up here rather than after the next step.
  await sleep(GRACE_MS + 500);
  const afterReload = log.length;

  // removal
  await router.remove(id);
  // The page reacts to `signed-out` as <whatsup-presence> does, by leaving. It does so once
  // remove() has returned: on soketi (which closes only `pusher:signin` sockets, not presence
  // members) the leave is the page's own, and an immediate one would race the router's
  // signed_out against soketi's member_removed webhook (two independent HTTP round trips).
  await waitFor(
    () => third.told || third.client.connection.state !== 'connected',
    'signed-out reached the page',
  );
  third.client.disconnect();
  await until(afterReload + 2, 'removal');
  // Anything extra (a duplicate, a late removal from the reload) would arrive within the grace.
  await sleep(GRACE_MS + 500);
  return log;
}

/** A page of this person: a pusher-js client joined to the presence channel through the router's auth route. */
async function connect(me: Person, wsPort: number) {
  const client = pusherFor(me, wsPort);
  const page = { client, told: false };
  const channel = client.subscribe(CHANNEL);
  channel.bind('signed-out', () => (page.told = true));
  await subscribed(client, CHANNEL);
  return page;
}

async function waitFor(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// ---- the app and soketi ----

/** An app on a free port; the router is mounted later (soketi needs the app's URL first). */
async function listen() {
  const app = await appWithSessions();
  const mount = (opts: WhatsupOptions) => {
    const router = whatsup(opts);
    app.web.use('/whatsup', router);
    return { base: app.base, router: router as WhatsupRouter, person: () => person(app.base) };
  };
  return { base: app.base, mount };
}

/**
 * soketi posting presence webhooks to `url`. Batching is on: without it soketi posts every event
 * in its own request, concurrently, so a removal and a join a few ms apart (the reload) can reach
 * the app in either order; batched, they arrive in one body, in order.
 */
function startSoketi(url: string) {
  return soketiWith({ webhookUrl: url, batching: true });
}
