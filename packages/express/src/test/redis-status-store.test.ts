import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { MemoryIndex, RedisStatusStore, type WhatsupIndex } from '../index.js';
import { redisServer } from './support/servers.js';

describe('RedisStatusStore', () => {
  let redis: Awaited<ReturnType<typeof redisServer>>;

  before(async () => {
    redis = await redisServer();
    await client().ping();
  });

  after(() => redis.stop());

  function client(): Redis {
    return redis.client();
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

  describe('index', () => {
    for (const kind of ['RedisIndex', 'MemoryIndex'] as const) {
      const make = (prefix: string): WhatsupIndex =>
        kind === 'MemoryIndex'
          ? new MemoryIndex()
          : new RedisStatusStore({ client: client(), prefix }).index!;

      it(`${kind} should hold a name for one id at a time, hand it over only from the id it names, and release it only for its holder`, async () => {
        const index = make('names:');
        const ann = { id: 'ann', sid: 's1', at: 1 };
        assert.equal(await index.hold('lol', ann), true);
        assert.equal(await index.hold('lol', { id: 'bo', sid: 's2', at: 2 }), false, 'held by ann');
        assert.equal(
          await index.hold('lol', { ...ann, sid: 's3' }, 'ann'),
          true,
          'ann moves to a new session',
        );
        assert.deepEqual(await index.holderOf('lol'), { ...ann, sid: 's3' });
        await index.release('lol', 'bo');
        assert.equal((await index.holderOf('lol'))?.id, 'ann', 'only the holder releases');
        assert.equal(
          await index.hold('lol', { id: 'bo', sid: 's2', at: 2 }, 'ann'),
          true,
          'replacing a dead holder',
        );
        await index.hold('xyz', { id: 'cy', sid: 's4', at: 3 });
        const all: string[] = [];
        for await (const [key, hold] of index.holds()) all.push(`${key}=${hold.id}`);
        assert.deepEqual(all.sort(), ['lol=bo', 'xyz=cy']);
        await index.release('lol', 'bo');
        assert.equal(await index.holderOf('lol'), undefined);
      });

      it(`${kind} should keep invisible people per channel and remember webhook signatures for their window`, async () => {
        const index = make('inv:');
        await index.addInvisible('presence-a', 'ann');
        await index.addInvisible('presence-a', 'bo');
        await index.addInvisible('presence-b', 'ann');
        await index.removeInvisible('presence-a', 'bo');
        assert.deepEqual(await index.invisibleIn('presence-a'), ['ann']);
        const channels: string[] = [];
        for await (const channel of index.invisibleChannels()) channels.push(channel);
        assert.deepEqual(channels.sort(), ['presence-a', 'presence-b']);
        assert.equal(await index.firstTime('sig', 100), true);
        assert.equal(await index.firstTime('sig', 100), false);
        await new Promise((r) => setTimeout(r, 150));
        assert.equal(await index.firstTime('sig', 100), true, 'forgotten after its window');
      });
    }

    it('should be undefined for a client without the index commands (a memory index is used then)', () => {
      const c = client();
      const bare = {
        get: c.get.bind(c),
        set: c.set.bind(c),
        del: c.del.bind(c),
        mget: c.mget.bind(c),
        zadd: c.zadd.bind(c),
        zrem: c.zrem.bind(c),
        zrangebyscore: c.zrangebyscore.bind(c),
        zremrangebyscore: c.zremrangebyscore.bind(c),
        expire: c.expire.bind(c),
      };
      assert.equal(new RedisStatusStore({ client: bare as never }).index, undefined);
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
