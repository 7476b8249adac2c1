// GET /bootstrap (issue 23): the panel's first request answers what GET /config, GET /isLoggedIn
// and GET /members?channel= would, in one round trip, per session and revalidated with an ETag.
// A real Express app with express-session, the router and the embedded realtime server; the
// people are real pusher-js clients subscribed through the router.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ROUTES, type Member } from '@whatsup/protocol';
import express4 from 'express4';
import session from 'express-session';
import { whatsup } from '../index.js';
import { CHANNEL, cleanup, person, serve, waitFor, type Answer, type Person } from './support/http.js';
import { startRealtime } from './support/servers.js';
import { presentExactly, start } from './support/app.js';

describe('GET /bootstrap', () => {
  it('should be a protocol route', () => {
    assert.equal(ROUTES.bootstrap, '/bootstrap');
  });

  describe('when signed out', () => {
    it('should answer the config as GET /config does, and authenticated: false', async () => {
      const app = await start();
      const boot = await app.get(`/bootstrap?channel=${CHANNEL}`);
      assert.equal(boot.status, 200);
      assert.deepEqual(boot.body, {
        config: (await app.get('/config')).body,
        authenticated: false,
      });
      assert.deepEqual(boot.body.authenticated, (await app.get('/isLoggedIn')).body.authenticated);
      assert.equal(boot.headers.get('cache-control'), 'private, no-cache');
      assert.match(boot.headers.get('content-type') ?? '', /^application\/json/);
    });

    it('should still refuse an invalid channel name with 400', async () => {
      const app = await start();
      const bad = await app.get(`/bootstrap?channel=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'channel_name.invalid');
      assert.equal(bad.body.error, true);
    });
  });

  describe('when signed in', () => {
    it('should answer config, user and members exactly as the three routes do', async () => {
      const app = await start();
      const bo = await app.join('Bo');
      const ann = await app.join('Ann');
      assert.equal((await ann.post('/status', { status: 'on call', emoji: '\u{1F4DE}' })).status, 200);
      const cy = await app.join('Cy');
      cy.client.disconnect();
      await presentExactly(app, [bo.id, ann.id]);
      await waitFor(async () => hasLeft(await members(bo), cy.id), 'Cy reads as left');

      const boot = await bo.get(`/bootstrap?channel=${CHANNEL}`);
      assert.equal(boot.status, 200);
      const { online, ...rest } = boot.body as { online: string[] };
      assert.deepEqual(rest, {
        config: (await bo.get('/config')).body,
        authenticated: true,
        user: (await bo.get('/isLoggedIn')).body.user,
        members: (await members(bo)).members,
      });
      // Who is here, as the realtime server has it (as GET /members?channel=…&online=1 answers).
      assert.deepEqual([...online].sort(), [bo.id, ann.id].sort());
      assert.deepEqual(online, (await bo.get(`/members?channel=${CHANNEL}&online=1`)).body.online);
      const byId = new Map((boot.body.members as Member[]).map((m) => [m.id, m]));
      assert.equal(byId.get(ann.id)?.status, 'on call');
      assert.equal(byId.get(ann.id)?.lastSeen, undefined, 'Ann is here');
      assert.equal(typeof byId.get(cy.id)?.lastSeen, 'number', 'Cy left');
    });

    it('should answer the session’s channels without ?channel=, as GET /members does', async () => {
      const app = await start();
      const bo = await app.join('Bo');
      await app.join('Ann');
      const boot = await bo.get('/bootstrap');
      assert.equal(boot.status, 200);
      assert.deepEqual(boot.body.members, (await bo.get('/members')).body.members);
    });

    it('should refuse an invalid channel with 400 and a forbidden one with 403, as GET /members does', async () => {
      const app = await start();
      const bo = await app.join('Bo');
      for (const [channel, status, code] of [
        ['not a channel', 400, 'channel_name.invalid'],
        ['presence-admins', 403, 'channel.forbidden'],
      ] as const) {
        const boot = await bo.get(`/bootstrap?channel=${encodeURIComponent(channel)}`);
        const list = await bo.get(`/members?channel=${encodeURIComponent(channel)}`);
        assert.equal(boot.status, status, channel);
        assert.equal(boot.body.code, code);
        assert.deepEqual(boot.body, list.body);
      }
      // An array (?channel=a&channel=b) is not a channel name either.
      const twice = await bo.get(`/bootstrap?channel=${CHANNEL}&channel=${CHANNEL}`);
      assert.equal(twice.status, 400);
      assert.equal(twice.body.code, 'channel_name.invalid');
    });
  });

  describe('when someone is invisible', () => {
    it('should show them as left to others, and name the follow channel only to them', async () => {
      const app = await start();
      const bo = await app.join('Bo');
      const ann = await app.join('Ann');
      assert.equal((await ann.post('/availability', { availability: 'invisible' })).status, 200);
      ann.client.disconnect();
      await presentExactly(app, [bo.id]);

      const seenByBo = await bo.get(`/bootstrap?channel=${CHANNEL}`);
      assert.deepEqual(seenByBo.body.members, (await members(bo)).members);
      assert.ok(hasLeft(seenByBo.body, ann.id), 'Ann reads as left to Bo');
      assert.equal('follow' in seenByBo.body, false);

      const seenByAnn = await ann.get(`/bootstrap?channel=${CHANNEL}`);
      const hers = await members(ann);
      assert.deepEqual(seenByAnn.body.members, hers.members);
      assert.equal(seenByAnn.body.user.availability, 'invisible');
      assert.deepEqual(seenByAnn.body.follow, hers.follow);
      assert.equal(typeof seenByAnn.body.follow[CHANNEL], 'string');
      // Her page can follow the channel with it.
      const page = await app.connect(ann);
      assert.equal(page.follow, seenByAnn.body.follow[CHANNEL]);
    });
  });

  describe('ETag', () => {
    it('should answer 304 without a body while nothing changed, and 200 once something did', async () => {
      const app = await start();
      const bo = await app.join('Bo');
      const ann = await app.join('Ann');
      const first = await bo.get(`/bootstrap?channel=${CHANNEL}`);
      const etag = first.headers.get('etag');
      assert.match(etag ?? '', /^"[^"]+"$/);

      const again = await revalidate(bo, etag!);
      assert.equal(again.status, 304);
      assert.equal(again.body, '');
      assert.equal(again.headers.get('etag'), etag);
      assert.equal(again.headers.get('cache-control'), 'private, no-cache');
      assert.equal((await revalidate(bo, `"other", W/${etag}`)).status, 304, 'a list, a weak tag');

      assert.equal((await ann.post('/status', { status: 'lunch' })).status, 200);
      const changed = await revalidate(bo, etag!);
      assert.equal(changed.status, 200);
      assert.notEqual(changed.headers.get('etag'), etag);
      assert.equal(changed.body.members.find((m: { id: string }) => m.id === ann.id).status, 'lunch');
    });

    it('should be per session: another person’s tag gets their own answer', async () => {
      const app = await start();
      const bo = await app.join('Bo');
      const ann = await app.join('Ann');
      const hers = await ann.get(`/bootstrap?channel=${CHANNEL}`);
      const his = await revalidate(bo, hers.headers.get('etag')!);
      assert.equal(his.status, 200);
      assert.equal(his.body.user.id, bo.id);
      assert.notEqual(his.headers.get('etag'), hers.headers.get('etag'));
    });

    it('should change when the visitor signs in', async () => {
      const app = await start();
      const visitor = app.person();
      const out = await visitor.get(`/bootstrap?channel=${CHANNEL}`);
      assert.equal((await revalidate(visitor, out.headers.get('etag')!)).status, 304);
      assert.equal((await visitor.post('/register', { username: 'Dee' })).status, 200);
      const signedIn = await revalidate(visitor, out.headers.get('etag')!);
      assert.equal(signedIn.status, 200);
      assert.equal(signedIn.body.authenticated, true);
      assert.equal(signedIn.body.user.name, 'Dee');
    });
  });

  describe('on Express 4', () => {
    it('should answer, revalidate and refuse as on Express 5', async () => {
      const realtime = await startRealtime();
      const router = whatsup({ publisher: realtime });
      cleanup(() => router.close());
      const app = express4();
      app.use(session({ secret: 'test', resave: false, saveUninitialized: false }));
      app.use('/whatsup', router);
      const { origin } = await serve(createServer(app));
      const bo = person(`${origin}/whatsup`);
      assert.equal((await bo.post('/register', { username: 'Bo' })).status, 200);
      const boot = await bo.get(`/bootstrap?channel=${CHANNEL}`);
      assert.equal(boot.status, 200);
      assert.equal(boot.body.user.name, 'Bo');
      assert.deepEqual(boot.body.members, (await members(bo)).members);
      assert.equal((await revalidate(bo, boot.headers.get('etag')!)).status, 304);
      const bad = await bo.get('/bootstrap?channel=not%20a%20channel');
      assert.equal(bad.status, 400, 'a rejection reaches the error handler on Express 4 too');
      assert.equal(bad.body.code, 'channel_name.invalid');
    });
  });

  describe('when the site signs people in (identify)', () => {
    it('should say identify and signed out without a site user, and list members with one', async () => {
      const app = await start({
        identify: (req) => {
          const id = req.get('x-user');
          return id ? { id, name: id.toUpperCase() } : null;
        },
      });
      const out = await app.get(`/bootstrap?channel=${CHANNEL}`);
      assert.equal(out.body.config.mode, 'identify');
      assert.equal(out.body.authenticated, false);
      const as = { headers: { 'x-user': 'kim' } };
      const boot = await app.get(`/bootstrap?channel=${CHANNEL}`, as);
      assert.equal(boot.status, 200);
      assert.equal(boot.body.user.name, 'KIM');
      assert.deepEqual(boot.body.members, (await app.get(`/members?channel=${CHANNEL}`, as)).body.members);
    });
  });
});

async function members(who: Person): Promise<Answer['body']> {
  return (await who.get(`/members?channel=${CHANNEL}`)).body;
}

function hasLeft(answer: { members: { id: string; lastSeen?: number }[] }, id: string): boolean {
  return typeof answer.members.find((m) => m.id === id)?.lastSeen === 'number';
}

function revalidate(who: Person, etag: string): Promise<Answer> {
  return who.get(`/bootstrap?channel=${CHANNEL}`, { headers: { 'if-none-match': etag } });
}
