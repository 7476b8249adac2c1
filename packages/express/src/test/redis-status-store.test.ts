import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { RedisStatusStore } from '../index.js';

describe('RedisStatusStore', () => {
  let redis: ChildProcess;
  let port = 0;
  const clients: Redis[] = [];

  before(async () => {
    port = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    // Clients made before redis-server listens would log refused connections while retrying.
    await new Promise<void>((resolve, reject) => {
      let output = '';
      redis.stdout!.on('data', (chunk) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) resolve();
      });
      redis.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
    });
    await client().ping();
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    redis.kill();
    await once(redis, 'exit');
  });

  function client(): Redis {
    const c = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: false,
      maxRetriesPerRequest: 20,
      retryStrategy: () => 50,
    });
    // Connection errors before redis-server listens are retried; the test fails on a real error.
    c.on('error', () => {});
    clients.push(c);
    return c;
  }

  it('should store, list and delete members', async () => {
    const store = new RedisStatusStore({ client: client(), prefix: 'a:' });
    const ann = { id: 'u1', name: 'Ann', status: '<b>hi</b>', updatedAt: Date.now() };
    await store.set(ann);
    await store.set({ id: 'u2', name: 'Bo', status: '', updatedAt: Date.now() });
    assert.deepEqual(await store.get('u1'), ann);
    assert.deepEqual((await store.list()).map((r) => r.id).sort(), ['u1', 'u2']);
    await store.delete('u1');
    assert.equal(await store.get('u1'), undefined);
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      ['u2'],
    );
  });

  it('should keep someone who left for leftTtlSeconds with their lastSeen, then forget them', async () => {
    const store = new RedisStatusStore({ client: client(), prefix: 'left:', leftTtlSeconds: 1 });
    const left = Date.now();
    await store.set({ id: 'u1', name: 'Ann', status: 'gone', updatedAt: left, lastSeen: left });
    await store.set({ id: 'u2', name: 'Bo', status: 'here', updatedAt: left });
    assert.equal((await store.get('u1'))?.lastSeen, left);
    assert.equal(await client().ttl('left:member:u1'), 1);
    assert.ok((await client().ttl('left:member:u2')) > 3600, 'online members keep the general TTL');
    await new Promise((r) => setTimeout(r, 2100));
    assert.equal(await store.get('u1'), undefined);
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      ['u2'],
    );
  });

  it('should keep apps with different prefixes apart', async () => {
    const a = new RedisStatusStore({ client: client(), prefix: 'app1:' });
    const b = new RedisStatusStore({ client: client(), prefix: 'app2:' });
    await a.set({ id: 'x', name: 'X', status: 'in app 1', updatedAt: Date.now() });
    assert.equal(await b.get('x'), undefined);
    assert.deepEqual(await b.list(), []);
  });

  it('should be shared by two instances and survive a restart of the app (a new client)', async () => {
    const one = new RedisStatusStore({ client: client(), prefix: 'shared:' });
    await one.set({ id: 'u9', name: 'Nia', status: 'kept', updatedAt: Date.now() });
    const restarted = new RedisStatusStore({ client: client(), prefix: 'shared:' });
    assert.equal((await restarted.get('u9'))?.status, 'kept');
  });

  describe('ttlSeconds option', () => {
    it('should forget members not updated for that long', async () => {
      const c = client();
      const store = new RedisStatusStore({ client: c, prefix: 'ttl:', ttlSeconds: 1 });
      await store.set({ id: 'old', name: 'Old', status: '', updatedAt: Date.now() - 5000 });
      await store.set({ id: 'new', name: 'New', status: '', updatedAt: Date.now() });
      assert.deepEqual(
        (await store.list()).map((r) => r.id),
        ['new'],
        'old entries leave the list',
      );
      assert.equal(await c.zscore('ttl:members', 'old'), null, 'and the index');
      assert.ok((await c.ttl('ttl:member:new')) <= 1, 'member keys expire');
    });

    it('should let Redis itself drop every key of members long gone', async () => {
      const c = client();
      const store = new RedisStatusStore({ client: c, prefix: 'gone:', ttlSeconds: 1 });
      await store.set({ id: 'u1', name: 'Una', status: 'brb', updatedAt: Date.now() });
      assert.equal((await store.get('u1'))?.status, 'brb');
      const ttls = [await c.pttl('gone:member:u1'), await c.pttl('gone:members')];
      assert.ok(
        ttls.every((ms) => ms > 0 && ms <= 1000),
        `both keys expire: ${ttls}`,
      );
      // Redis expires keys on access and in the background; past the TTL nothing is left.
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(await store.get('u1'), undefined);
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await c.keys('gone:*'), [], 'no key left behind');
    });

    it('should keep a member updated again alive past the first TTL', async () => {
      const c = client();
      const store = new RedisStatusStore({ client: c, prefix: 'alive:', ttlSeconds: 2 });
      await store.set({ id: 'u1', name: 'Una', status: 'one', updatedAt: Date.now() });
      await new Promise((r) => setTimeout(r, 1200));
      await store.set({ id: 'u1', name: 'Una', status: 'two', updatedAt: Date.now() });
      await new Promise((r) => setTimeout(r, 1200));
      assert.deepEqual(
        (await store.list()).map((r) => r.status),
        ['two'],
      );
    });

    it('should refuse a bad ttl and a missing client', () => {
      assert.throws(() => new RedisStatusStore({ client: client(), ttlSeconds: 0 }), /ttlSeconds/);
      assert.throws(() => new RedisStatusStore({} as never), /ioredis/);
    });
  });

  it('should ignore a corrupt value instead of failing the route', async () => {
    const c = client();
    const store = new RedisStatusStore({ client: c, prefix: 'bad:' });
    await c.set('bad:member:z', '{not json', 'EX', 60);
    await c.zadd('bad:members', Date.now(), 'z');
    assert.equal(await store.get('z'), undefined);
    assert.deepEqual(await store.list(), []);
  });
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}
