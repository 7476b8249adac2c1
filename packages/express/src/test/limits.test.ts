// Limits follow the person (issue 20, item 6): sign-ups per address and in all; everything a
// signed-in person does per person (their record id), so people behind one address do not share a
// budget; sign-out never refused. express-rate-limit, with rate-limit-redis across instances.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStatusStore, RedisStatusStore, whatsup } from '../index.js';
import { appWithSessions, person, recorder, type Person } from './support/http.js';
import { rateLimitStores, startRedis } from './support/servers.js';
import type { WhatsupOptions } from '../index.js';

async function start(options: WhatsupOptions) {
  const app = await appWithSessions();
  app.web.set('trust proxy', 'loopback');
  app.web.use('/whatsup', whatsup({ publisher: recorder(), ...options }));
  return { ...app, person: () => person(app.base) };
}

async function signUp(who: Person, name: string): Promise<void> {
  const res = await who.post('/register', { username: name });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

describe('rateLimit option', () => {
  describe('when two people share one address (an office behind NAT)', () => {
    it('should count status and availability changes per person', async () => {
      const app = await start({ rateLimit: { max: 3 } });
      const ann = app.person();
      const bo = app.person();
      await signUp(ann, 'Ann');
      await signUp(bo, 'Bo');
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) codes.push((await ann.post('/status', { status: `s${i}` })).status);
      codes.push((await ann.post('/availability', { availability: 'dnd' })).status);
      assert.deepEqual(codes, [200, 200, 200, 429]);
      assert.equal((await bo.post('/status', { status: 'mine' })).status, 200, 'Bo has a budget of his own');
      assert.equal((await bo.post('/availability', { availability: 'dnd' })).status, 200);
    });

    it('should count activity reports per person', async () => {
      const app = await start({ rateLimit: { activityMax: 2 }, activityMs: 1 });
      const ann = app.person();
      const bo = app.person();
      await signUp(ann, 'Ann');
      await signUp(bo, 'Bo');
      const codes: number[] = [];
      for (const activity of ['away', 'active', 'away'])
        codes.push((await ann.post('/activity', { activity })).status);
      assert.equal(codes[2], 429);
      assert.equal((await bo.post('/activity', { activity: 'away' })).status, 200);
    });
  });

  describe('when a person has spent their budget', () => {
    it('should still let them sign out', async () => {
      const app = await start({ rateLimit: { max: 1, activityMax: 1 } });
      const ann = app.person();
      await signUp(ann, 'Ann');
      await ann.post('/status', { status: 'one' });
      assert.equal((await ann.post('/status', { status: 'two' })).status, 429);
      const out = await ann.post('/logout');
      assert.equal(out.status, 200, JSON.stringify(out.body));
      assert.equal((await ann.get('/isLoggedIn')).body.authenticated, false);
    });
  });

  describe('signUpGlobalMax', () => {
    it('should refuse sign-ups past the budget of all addresses together', async () => {
      const app = await start({ rateLimit: { signUpMax: 2, signUpGlobalMax: 3 } });
      const from = async (ip: string, name: string) => {
        const res = await fetch(`${app.base}/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
          body: JSON.stringify({ username: name }),
        });
        return res.status;
      };
      const codes = [
        await from('10.0.0.1', 'a1'),
        await from('10.0.0.1', 'a2'),
        await from('10.0.0.1', 'a3'), // the address's own limit
        await from('10.0.0.2', 'b1'),
        await from('10.0.0.3', 'c1'), // everyone's
      ];
      assert.deepEqual(codes, [200, 200, 429, 200, 429]);
    });
  });

  describe('with rate-limit-redis as the store of two instances', () => {
    it('should hold a person’s limit across both, and a sign-up limit too', async () => {
      const redis = await startRedis();
      const store = rateLimitStores(redis.client);
      const statusStore = new RedisStatusStore({ client: redis.client });
      const sessionStore = new (await import('connect-redis')).RedisStore({ client: redis.client });
      const one = await appWithSessions({ store: sessionStore });
      const two = await appWithSessions({ store: sessionStore });
      for (const app of [one, two])
        app.web.use(
          '/whatsup',
          whatsup({ publisher: recorder(), statusStore, rateLimit: { max: 2, signUpMax: 3, store } }),
        );
      const ann = person(one.base);
      await signUp(ann, 'Ann');
      // The same browser (cookie) on the other instance: the same person.
      const cookie = ann.cookie();
      const post = (base: string, status: string) =>
        fetch(`${base}/status`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ status }),
        }).then((r) => r.status);
      assert.deepEqual(
        [await post(one.base, 'a'), await post(two.base, 'b'), await post(one.base, 'c')],
        [200, 200, 429],
      );
      const codes: number[] = [];
      for (let i = 0; i < 3; i++)
        codes.push(
          (await person(i % 2 ? two.base : one.base).post('/register', { username: `r${i}` })).status,
        );
      assert.deepEqual(codes, [200, 200, 429], 'Ann’s sign-up counted: 3 per address across both');
    });
  });

  it('should refuse non-positive limits when the router is made', () => {
    const publisher = recorder();
    assert.throws(
      () => whatsup({ publisher, rateLimit: { signUpGlobalMax: 0 } }),
      /rateLimit.signUpGlobalMax/,
    );
    assert.throws(() => whatsup({ publisher, rateLimit: { max: -1 } }), /rateLimit.max/);
    assert.throws(
      () => whatsup({ publisher, statusStore: new MemoryStatusStore(), rateLimit: { windowMs: 0 } }),
      /windowMs/,
    );
  });
});
