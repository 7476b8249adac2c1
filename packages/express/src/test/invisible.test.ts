// Invisible, unlinkable (issue 20, item 2). An observer — a raw socket in the presence channel, and
// a signed-in person reading GET /members — must not tell which member turned invisible, nor
// count an invisible person's tabs: to them an invisible person left, like anyone closing their
// tabs. The invisible person follows the channel through a follow channel of their own. On the
// embedded server and on soketi (whose webhooks tell the router who joins and leaves).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, FOLLOW_CHANNEL_PREFIX } from '@whatsup/protocol';
import { CHANNEL, recorder, waitFor } from './support/http.js';
import { whatsup } from '../index.js';
import { fence, presentExactly, start, type App, type Backend } from './support/app.js';
import { collect, nextEvent, observer, type Frame } from './support/pusher.js';

/** What the observer got about a user id, reduced to what it could compare. */
const about = (frames: Frame[], id: string) =>
  frames
    .filter((f) => JSON.stringify(f.data).includes(id))
    .map((f) => ({ event: f.event, keys: Object.keys(f.data as object).sort() }));

/** The person's pages move as the element moves them: out of the channel, onto their follow channel. */
async function goInvisible(app: App, who: Awaited<ReturnType<App['join']>>) {
  assert.equal((await who.post('/availability', { availability: 'invisible' })).status, 200);
  // The embedded server ends the page's connection itself; soketi cannot end a presence member's
  // (only signed-in sockets), so there the page leaves on its own, as the element does.
  who.client.disconnect();
  return app.connect(who);
}

for (const backend of ['embedded', 'soketi'] as Backend[]) {
  describe(`invisible on ${backend}`, () => {
    it('should show an observer a leave like any other, and nothing after it: no anonymous member, no tabs', async () => {
      const app = await start({}, { backend });
      const watcher = await observer(app.wsPort);
      const bo = await app.join('Bo');
      const ann = await app.join('Ann');
      const cy = await app.join('Cy');
      await presentExactly(app, ['observer', bo.id, ann.id, cy.id]);

      // Cy leaves for real; Ann turns invisible and opens three more tabs.
      cy.client.disconnect();
      await presentExactly(app, ['observer', bo.id, ann.id]);
      // The server's list changes before the frame reaches the observer: wait for the frame itself.
      await watcher.until(
        (f) => f.event === 'pusher_internal:member_removed' && JSON.stringify(f.data).includes(cy.id),
      );
      const before = watcher.frames.length;
      const page = await goInvisible(app, ann);
      assert.ok(page.follow?.startsWith(FOLLOW_CHANNEL_PREFIX), 'her page follows a channel of her own');
      for (let i = 0; i < 3; i += 1) await app.connect(ann);
      await presentExactly(app, ['observer', bo.id]);
      await presentExactly(app, [ann.id], page.follow);
      await ann.post('/status', { status: 'hiding', emoji: '\u{1F92B}' });
      await ann.post('/activity', { activity: 'away' });
      await fence(app, { channel: bo.channel });
      await watcher.until((f) => f.event === 'fence');

      const after = watcher.frames.slice(before).filter((f) => f.event !== 'fence');
      assert.deepEqual(
        after.map((f) => f.event),
        ['pusher_internal:member_removed'],
        `the observer got: ${JSON.stringify(after)}`,
      );
      assert.deepEqual(about(watcher.frames, ann.id).slice(1), about(watcher.frames, cy.id).slice(1));
      assert.equal(JSON.stringify(watcher.frames).includes('hidden-'), false);

      // GET /members as Bo: Ann reads as left, exactly as Cy does.
      const members = (await bo.get('/members')).body.members as Record<string, unknown>[];
      const annSeen = members.find((m) => m.id === ann.id)!;
      const cySeen = members.find((m) => m.id === cy.id)!;
      assert.deepEqual(Object.keys(annSeen).sort(), Object.keys(cySeen).sort());
      assert.equal(typeof annSeen.lastSeen, 'number');
      assert.equal(annSeen.status, '', 'the status set while invisible is not shown');
      assert.equal('availability' in annSeen, false);
      assert.equal((await bo.get('/members')).body.follow, undefined);
    });

    it('should tell the invisible person’s pages what happens in the channel, through their follow channel', async () => {
      const app = await start({}, { backend });
      const bo = await app.join('Bo');
      const ann = await app.join('Ann');
      const page = await goInvisible(app, ann);
      const follow = page.channel;

      const status = nextEvent<{ id: string; status: string }>(follow, EVENTS.statusUpdated);
      await bo.post('/status', { status: 'lunch' });
      assert.deepEqual([(await status).id, (await status).status], [bo.id, 'lunch']);

      // (soketi's webhooks for Bo's and Ann's own joins may still be on their way: those come too, late.)
      const added = collect<{ id: string; info: { name: string } }>(follow, EVENTS.memberAdded);
      const cy = await app.join('Cy');
      await waitFor(() => added.some((m) => m.id === cy.id), 'Cy’s join on the follow channel');
      assert.equal(added.find((m) => m.id === cy.id)!.info.name, 'Cy');
      assert.equal(
        added.some((m) => m.id === ann.id),
        false,
        'never her own join',
      );
      const removed = nextEvent<{ id: string }>(follow, EVENTS.memberRemoved);
      cy.client.disconnect();
      assert.equal((await removed).id, cy.id);

      const announcement = nextEvent<{ message: string }>(follow, EVENTS.announcement);
      await app.router.announce('fire drill');
      assert.equal((await announcement).message, 'fire drill');

      const own = nextEvent<{ id: string; status: string; availability?: string }>(
        follow,
        EVENTS.statusUpdated,
      );
      await ann.post('/status', { status: 'only my tabs hear this' });
      assert.deepEqual(await own, { ...(await own), id: ann.id, availability: 'invisible' });

      const signedOut = nextEvent<{ id: string }>(follow, EVENTS.signedOut);
      await bo.post('/logout');
      assert.equal((await signedOut).id, bo.id);
    });

    it('should bring the person back: their record on the follow channel, then a normal join', async () => {
      const app = await start({}, { backend });
      const watcher = await observer(app.wsPort);
      const ann = await app.join('Ann');
      const page = await goInvisible(app, ann);
      await ann.post('/status', { status: 'back soon' });
      const back = nextEvent<{ id: string; availability?: string; status: string }>(
        page.channel,
        EVENTS.statusUpdated,
      );
      await ann.post('/availability', { availability: 'auto' });
      const record = await back;
      assert.equal(record.availability, undefined);
      assert.equal(record.status, 'back soon');
      const again = await app.connect(ann);
      assert.equal(again.channel.name, CHANNEL);
      const joined = await watcher.until(
        (f) =>
          f.event === 'pusher_internal:member_added' &&
          (f.data as { user_id: string }).user_id === ann.id &&
          watcher.frames.indexOf(f) >
            watcher.frames.findIndex((g) => g.event === 'pusher_internal:member_removed'),
      );
      assert.equal((joined.data as { user_info: { status: string } }).user_info.status, 'back soon');
    });
  });
}

describe('follow channels', () => {
  it('should refuse the presence channel to an invisible person, and a follow channel to anyone but its person', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    const ann = await app.join('Ann');
    await ann.post('/availability', { availability: 'invisible' });
    const presence = await ann.form('/usersystem/auth', { socket_id: '1.2', channel_name: CHANNEL });
    assert.equal(presence.status, 409);
    assert.equal(presence.body.code, 'member.invisible');
    const follow = (await ann.get(`/members?channel=${CHANNEL}`)).body.follow[CHANNEL] as string;
    const mine = await ann.form('/usersystem/auth', { socket_id: '1.2', channel_name: follow });
    assert.equal(mine.status, 200);
    assert.deepEqual(JSON.parse(mine.body.channel_data), { user_id: ann.id, user_info: {} });
    const stranger = await bo.form('/usersystem/auth', { socket_id: '1.3', channel_name: follow });
    assert.equal(stranger.status, 403);
    assert.equal(stranger.body.code, 'channel.forbidden');
    await ann.post('/availability', { availability: 'auto' });
    assert.equal(
      (await ann.form('/usersystem/auth', { socket_id: '1.2', channel_name: follow })).status,
      403,
    );
    assert.equal((await ann.get('/members')).body.follow, undefined);
  });

  it('should refuse a follow channel as a site channel', () => {
    assert.throws(() => whatsup({ publisher: recorder(), channels: `${FOLLOW_CHANNEL_PREFIX}x` }), TypeError);
    assert.throws(
      () => whatsup({ publisher: recorder(), defaultChannel: `${FOLLOW_CHANNEL_PREFIX}x` }),
      TypeError,
    );
  });

  it('should fire no member hook for a follow channel', async () => {
    const app = await start();
    const heard: string[] = [];
    app.router.on('member_added', (e) => heard.push(`${e.channel} ${e.userId}`));
    const ann = await app.join('Ann');
    await waitFor(() => heard.length === 1);
    await goInvisible(app, ann);
    const page = await app.connect(ann);
    await presentExactly(app, [ann.id], page.channel.name);
    const signal = collect(page.channel, 'nothing');
    await fence(app, { channel: page.channel });
    assert.deepEqual(signal, []);
    assert.deepEqual(heard, [`${CHANNEL} ${ann.id}`]);
  });
});
