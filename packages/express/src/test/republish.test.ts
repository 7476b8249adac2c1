// A status saved while the realtime node the app publishes through is down reaches everyone once
// the node is back: two soketi nodes joined by their Redis adapter, the app publishing through
// node 1, a watcher on node 2; node 1 stopped and started again on its port.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryStatusStore, whatsup } from '../index.js';
import { Republish } from '../services/republish.js';
import { APP, CHANNEL, appWithSessions, cleanup, freePort, person, sleep } from './support/http.js';
import { collect, pusherFor, subscribed } from './support/pusher.js';
import { startRedis } from './support/servers.js';

interface Running {
  stop(): Promise<void>;
}
interface ScaleOut {
  startSoketi(port: number, redisPort: number): Promise<Running>;
}
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('when the realtime node the app publishes through is down', () => {
  it('should save the status, answer 200, and publish it once the node is back', async (t) => {
    const scale = (await import(join(ROOT, 'scripts', 'scale-out.mjs'))) as ScaleOut;
    const redis = await startRedis();
    const ports = [await freePort(), await freePort()] as const;
    const nodes = [
      await scale.startSoketi(ports[0], redis.port),
      await scale.startSoketi(ports[1], redis.port),
    ];
    cleanup(() => Promise.all(nodes.map((node) => node.stop())));
    const app = await appWithSessions();
    const router = whatsup({
      pusher: { ...APP, host: '127.0.0.1', port: ports[0], useTLS: false },
      statusStore: new MemoryStatusStore(),
    });
    cleanup(() => router.close());
    app.web.use('/whatsup', router, router.errorHandler);

    const ann = person(app.base);
    assert.equal((await ann.post('/register', { username: 'Ann' })).status, 200);
    const bo = person(app.base);
    assert.equal((await bo.post('/register', { username: 'Bo' })).status, 200);
    const page = await subscribed(pusherFor(bo, ports[1]), CHANNEL);
    const heard = collect<{ name: string; status: string }>(page, 'status-updated');
    assert.equal((await ann.post('/status', { status: 'both nodes up' })).status, 200);
    await until(() => heard.some((r) => r.status === 'both nodes up'));

    await nodes[0]!.stop();
    const res = await ann.post('/status', { status: 'while node one was down' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.status, 'while node one was down');
    const members = await bo.get('/members');
    assert.equal(
      members.body.members.find((m: { name: string }) => m.name === 'Ann')?.status,
      'while node one was down',
      'saved, and GET /members says so',
    );
    assert.equal((await ann.post('/status', { status: 'the latest, still down' })).status, 200);

    nodes[0] = await scale.startSoketi(ports[0], redis.port);
    const back = performance.now();
    await until(() => heard.some((r) => r.status === 'the latest, still down'));
    t.diagnostic(`heard on node 2 ${Math.round(performance.now() - back)} ms after node 1 answered again`);
    assert.deepEqual(
      heard.map((r) => r.status),
      ['both nodes up', 'the latest, still down'],
      "the latest record per person, once: the one in between was never someone's last word",
    );
  });
});

describe('Republish', () => {
  it('should keep the latest change per person, at most `max` people, the oldest dropped first', async () => {
    let up = false;
    const published: [string, string[]][] = [];
    const queue = new Republish({
      max: 2,
      firstDelayMs: 1,
      maxDelayMs: 2,
      publish: async (id, channels) => {
        if (!up) throw new Error('down');
        published.push([id, channels]);
      },
    });
    cleanup(() => queue.close());
    queue.add('ann', ['a']);
    queue.add('bo', ['a']);
    queue.add('ann', ['b']);
    queue.add('cy', ['a']);
    assert.equal(queue.size, 2);
    await sleep(20);
    assert.equal(queue.size, 2, 'nothing is dropped while the service is down');
    up = true;
    await until(() => queue.size === 0);
    assert.deepEqual(published, [
      ['ann', ['a', 'b']],
      ['cy', ['a']],
    ]);
  });
});

/** Polls until `check` holds, as long as the test's own deadline lets it. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(25);
}
