// One identity model (issue 20, items 1, 3, 4, 5, 9, 12): a person is their record; a name is held
// while its session lives, whatever the presence; look-alikes collide; a rename and a sign-out end
// the old identity everywhere, every socket of it. Real Express sessions, the embedded realtime
// server, pusher-js pages and raw observer sockets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNEL, rawExchange, sleep, waitFor } from './support/http.js';
import { start, presentExactly } from './support/app.js';
import { observer } from './support/pusher.js';
import session from 'express-session';
import { MemoryStatusStore, nameKey } from '../index.js';

describe('display names (item 1)', () => {
  describe('when the holder is invisible', () => {
    it('should refuse the name to a stranger exactly as it refuses a visible holder’s', async () => {
      const app = await start();
      const bo = await app.join('Bo');
      const ann = await app.join('Ann');
      const visibleRefusal = await app.person().post('/register', { username: 'Ann' });
      assert.equal(visibleRefusal.status, 409);
      assert.equal((await ann.post('/availability', { availability: 'invisible' })).status, 200);
      await app.connect(ann); // her page follows the channel now, out of presence
      await presentExactly(app, [bo.id]);
      for (const name of ['Ann', 'ANN', 'аnn']) {
        const refusal = await app.person().post('/register', { username: name });
        assert.equal(refusal.status, 409, `${name}: ${JSON.stringify(refusal.body)}`);
        assert.equal(refusal.body.code, 'name.taken');
        // Nothing in the refusal tells an invisible holder from a visible one.
        assert.equal(refusal.body.message, visibleRefusal.body.message.replace('"Ann"', `"${name}"`));
      }
      const names = (await bo.get('/members')).body.members.map((m: { name: string }) => m.name);
      assert.deepEqual(
        names.filter((n: string) => n === 'Ann'),
        ['Ann'],
        'one Ann, never two',
      );
    });
  });

  describe('when the holder has no page open', () => {
    it('should keep the name held while their session lives', async () => {
      const app = await start();
      await app.register('Ann');
      assert.deepEqual(await app.present(), [], 'Ann is in no channel');
      assert.equal((await app.person().post('/register', { username: 'ann' })).status, 409);
    });
  });

  it('should free the name on sign-out', async () => {
    const app = await start();
    await app.register('Ann');
    assert.equal((await app.post('/logout')).status, 200);
    assert.equal((await app.person().post('/register', { username: 'Ann' })).status, 200);
  });

  it('should free the name when the session expires, without a sign-out', async () => {
    const app = await start({}, { session: { cookie: { maxAge: 300 } } });
    await app.register('Ann');
    assert.equal((await app.person().post('/register', { username: 'Ann' })).status, 409);
    await sleep(400);
    const again = await app.person().post('/register', { username: 'Ann' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal((await app.get('/isLoggedIn')).body.authenticated, false);
  });

  it('should free the name on router.remove() and sign that session out', async () => {
    const app = await start();
    const id = await app.register('Ann');
    await app.router.remove(id);
    assert.equal((await app.get('/isLoggedIn')).body.authenticated, false);
    assert.equal((await app.post('/status', { status: 'still me?' })).status, 401);
    assert.equal((await app.person().post('/register', { username: 'Ann' })).status, 200);
  });

  describe('when a session predates held names (an upgrade)', () => {
    it('should keep it signed in and let it hold its name from then on', async () => {
      const sessions = new session.MemoryStore();
      const app = await start({}, { session: { store: sessions } });
      const id = await app.register('Ann');
      // As an older version left it: no name key in the session, nothing in the index.
      const signed = decodeURIComponent(/connect\.sid=([^;]+)/.exec(app.cookie())![1]!);
      const sid = /^s:([^.]+)\./.exec(signed)![1]!;
      const data = await new Promise<session.SessionData>((resolve) =>
        sessions.get(sid, (_e, d) => resolve(d!)),
      );
      delete data.whatsup!.key;
      await new Promise((resolve) => sessions.set(sid, data, resolve));
      await app.router.statusStore.index!.release(nameKey('Ann'), id);
      const me = await app.get('/isLoggedIn');
      assert.deepEqual([me.body.authenticated, me.body.user?.id], [true, id]);
      assert.equal((await app.person().post('/register', { username: 'ANN' })).status, 409);
      // A session that has a key and lost its hold (removed) stays signed out: see router.remove() above.
    });
  });

  it('should check a name without walking the stored records', async () => {
    const store = new MemoryStatusStore();
    let listed = 0;
    const list = store.list.bind(store);
    store.list = async () => {
      listed += 1;
      return list();
    };
    const app = await start({ statusStore: store });
    await app.register('Ann');
    listed = 0; // the start-up expiry pass lists once
    const others = app.person();
    assert.equal((await others.post('/register', { username: 'ANN' })).status, 409);
    assert.equal((await others.post('/register', { username: 'Bo' })).status, 200);
    assert.equal(listed, 0, 'sign-up looked at every record');
  });
});

describe('look-alike names (item 5)', () => {
  // With lolxyz signed in. The skeleton is taken before case folding: capital I is a look-alike of l.
  const cases: [string, string][] = [
    ['IoIxyz', 'capital I for l'],
    ['l0lxyz', 'zero for o'],
    ['lolxy\u017C', 'ż (precomposed)'],
    ['lolxyz\u0307', 'z with a combining dot above'],
    ['1o1xyz', 'one for l'],
    ['LOLXYZ', 'capitals'],
    ['l\u043Elxyz', 'Cyrillic о'],
    ['\u217Colxyz', 'ⅼ (small roman numeral fifty)'],
  ];
  for (const [name, what] of cases) {
    it(`should refuse ${JSON.stringify(name)} (${what}) with 409 name.taken`, async () => {
      const app = await start();
      await app.register('lolxyz');
      const res = await app.person().post('/register', { username: name });
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.code, 'name.taken');
    });
  }
  it('should let a name that only looks different through', async () => {
    const app = await start();
    await app.register('lolxyz');
    assert.equal((await app.person().post('/register', { username: 'lolxya' })).status, 200);
  });
});

describe('a rename (item 4)', () => {
  it('should end the old identity everywhere: its pages, its presence, its record and its name', async () => {
    const app = await start();
    const watcher = await observer(app.wsPort);
    const ann = await app.join('Ann');
    const isAnn = (event: string) => (f: { event: string; data: unknown }) =>
      f.event === event && (f.data as { user_id: string }).user_id === ann.id;
    await watcher.until(isAnn('pusher_internal:member_added'));
    const renamed = await ann.post('/register', { username: 'Bea' });
    assert.equal(renamed.status, 200);
    assert.notEqual(renamed.body.user.id, ann.id);
    await watcher.until(isAnn('pusher_internal:member_removed'));
    await waitFor(() => ann.client.connection.state !== 'connected', 'the old page to be closed');
    await presentExactly(app, ['observer']);
    const names = (await ann.get('/members')).body.members.map((m: { name: string }) => m.name);
    assert.deepEqual(names, ['Bea']);
    assert.equal(
      (await app.person().post('/register', { username: 'Ann' })).status,
      200,
      'the old name is free',
    );
    assert.equal(
      (await app.person().post('/register', { username: 'bea' })).status,
      409,
      'the new one is held',
    );
  });

  it('should keep the identity when the same name is signed up again', async () => {
    const app = await start();
    const id = await app.register('Ann');
    const again = await app.post('/register', { username: 'ann', status: 'back' });
    assert.equal(again.status, 200);
    assert.equal(again.body.user.id, id);
    assert.equal(again.body.user.name, 'ann');
    assert.equal(again.body.user.status, 'back');
  });
});

describe('sign-out ends every socket (item 3)', () => {
  for (const invisible of [false, true]) {
    it(`should close all 12 pages of a person who is ${invisible ? 'invisible' : 'visible'}`, async () => {
      const app = await start();
      const ann = await app.join('Ann');
      if (invisible) {
        await ann.post('/availability', { availability: 'invisible' });
        await waitFor(() => ann.client.connection.state !== 'connected', 'her visible page to be closed');
      }
      const pages: Awaited<ReturnType<typeof app.connect>>[] = [];
      for (let i = 0; i < 12; i += 1) pages.push(await app.connect(ann));
      const where = pages[0]!.channel.name;
      assert.equal(
        pages.every((p) => p.channel.name === where),
        true,
      );
      assert.equal(where === CHANNEL, !invisible, 'an invisible person follows another channel');
      assert.deepEqual(await app.present(where), [ann.id], 'twelve pages, one member');
      assert.equal((await ann.post('/logout')).status, 200);
      await waitFor(
        () => pages.every((p) => p.client.connection.state !== 'connected'),
        'every page to be closed',
      );
      assert.deepEqual(await app.present(where), []);
      assert.deepEqual(await app.present(CHANNEL), []);
    });
  }
});

describe('invalid UTF-8 (item 12)', () => {
  for (const [route, field] of [
    ['/register', 'username'],
    ['/status', 'status'],
  ] as const) {
    it(`should refuse it in POST ${route} with 400 body.invalid_encoding instead of storing U+FFFD`, async () => {
      const app = await start();
      if (route === '/status') await app.register('Ann');
      const bytes = Buffer.concat([
        Buffer.from(`{"${field}":"A`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('nn"}'),
      ]);
      const res = await app.raw(route, bytes, 'application/json');
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.code, 'body.invalid_encoding');
      if (route === '/register') assert.equal((await app.get('/isLoggedIn')).body.authenticated, false);
      else assert.equal((await app.get('/isLoggedIn')).body.user.status, '');
    });
  }

  it('should refuse a 5,000-digit socket id with 400 socket_id.invalid, signing nothing (one rule, with its cap)', async () => {
    const app = await start();
    await app.register('Ann');
    const long = `${'1'.repeat(2500)}.${'2'.repeat(2500)}`;
    const res = await app.form('/usersystem/auth', { socket_id: long, channel_name: CHANNEL });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'socket_id.invalid');
    assert.equal('auth' in res.body, false);
  });

  it('should answer a chunked body with invalid bytes too, and keep serving', async () => {
    const app = await start();
    const body = Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const answer = await rawExchange(
      app.port,
      `POST /whatsup/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      async (socket) => {
        socket.write(`${body.length.toString(16)}\r\n`);
        socket.write(body);
        socket.write('\r\n0\r\n\r\n');
      },
      1000,
    );
    assert.match(answer.text, /^HTTP\/1\.1 400/);
    assert.match(answer.text, /body\.invalid_encoding/);
    assert.equal((await app.get('/config')).status, 200);
  });
});
