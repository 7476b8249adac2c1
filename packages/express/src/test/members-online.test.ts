// GET /members?channel=…&online=1 (issue 26): the ids present in the channel as the realtime server
// has them now, so a panel can check its list after a resubscription (a member missing from a
// rejoin list is not taken for gone) and now and then. Against the embedded server and soketi.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNEL, recorder, waitFor } from './support/http.js';
import { fence, presentExactly, start, type Backend } from './support/app.js';

const sorted = (ids: unknown) => [...(ids as string[])].sort();

for (const backend of ['embedded', 'soketi'] as Backend[]) {
  describe(`GET /members online on ${backend}`, () => {
    it('should list who is in the channel now, never an invisible person', async () => {
      const app = await start({}, { backend });
      const bo = await app.join('Bo');
      const ann = await app.join('Ann');
      const cy = await app.join('Cy');
      await presentExactly(app, [bo.id, ann.id, cy.id]);
      const answer = (await bo.get(`/members?channel=${CHANNEL}&online=1`)).body;
      assert.deepEqual(sorted(answer.online), sorted([bo.id, ann.id, cy.id]));

      cy.client.disconnect();
      await ann.post('/availability', { availability: 'invisible' });
      ann.client.disconnect(); // soketi cannot end a presence member: the page leaves, as the element does
      await presentExactly(app, [bo.id]);
      await fence(app, { channel: bo.channel });
      const later = (await bo.get(`/members?channel=${CHANNEL}&online=1`)).body;
      assert.deepEqual(later.online, [bo.id]);
      // The records still list Ann and Cy, as people who left (Cy's leave is stored as it is told).
      const leftIds = async () =>
        sorted(
          ((await bo.get(`/members?channel=${CHANNEL}`)).body.members as { id: string; lastSeen?: number }[])
            .filter((m) => m.lastSeen)
            .map((m) => m.id),
        );
      await waitFor(async () => (await leftIds()).length === 2, 'both read as left');
      assert.deepEqual(await leftIds(), sorted([ann.id, cy.id]));
    });
  });
}

describe('GET /members online, when it cannot say', () => {
  it('should answer without online unless asked for one channel', async () => {
    const app = await start();
    const bo = await app.join('Bo');
    assert.equal('online' in (await bo.get('/members')).body, false);
    assert.equal('online' in (await bo.get('/members?online=1')).body, false);
    assert.equal('online' in (await bo.get(`/members?channel=${CHANNEL}`)).body, false);
    assert.equal('online' in (await bo.get(`/members?channel=${CHANNEL}&online=yes`)).body, false);
  });

  it('should answer the records without online when the publisher cannot list users, or fails to', async () => {
    for (const channelUsers of [undefined, () => Promise.reject(new Error('node down'))]) {
      const publisher = recorder(undefined, channelUsers ? { channelUsers } : {});
      const app = await start({ publisher });
      const id = await app.register('Bo');
      const res = await app.get(`/members?channel=${CHANNEL}&online=1`);
      assert.equal(res.status, 200);
      assert.equal('online' in res.body, false);
      assert.deepEqual(
        (res.body.members as { id: string }[]).map((m) => m.id),
        [id],
      );
    }
  });

  it('should answer without online past the member cap, where a partial list would read as people missing', async () => {
    const app = await start({ limits: { members: 2 } });
    const bo = await app.join('Bo');
    await app.join('Ann');
    assert.equal((await bo.get(`/members?channel=${CHANNEL}&online=1`)).body.online.length, 2);
    await app.join('Cy');
    const answer = (await bo.get(`/members?channel=${CHANNEL}&online=1`)).body;
    assert.equal('online' in answer, false);
    assert.equal(answer.truncated, true);
  });

  it('should refuse online for a channel the person may not see, as without it', async () => {
    const app = await start({ channels: [CHANNEL] });
    const bo = await app.join('Bo');
    const res = await bo.get('/members?channel=presence-elsewhere&online=1');
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'channel.forbidden');
  });
});
