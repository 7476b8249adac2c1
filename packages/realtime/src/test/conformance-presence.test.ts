// Conformance: presence channels, members, and leaving.
// Run against the embedded server and against soketi (support/targets.ts) with the real pusher-js
// client and the real pusher server library.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiUsers,
  connect,
  memberIds,
  next,
  restClient,
  silent,
  subscribedPresence,
  subscriptionError,
} from './support/pusher.js';
import { handSocket, openRaw, presenceRaw } from './support/raw.js';
import { unique, waitFor } from './support/net.js';
import { restStatus } from './support/http.js';
import { conformance } from './support/targets.js';

conformance('presence', (target) => {
  describe('presence channels', () => {
    it('should send {ids, hash, count} including the subscriber itself', async () => {
      const name = `presence-${unique()}`;
      const ann = await subscribedPresence(connect(target.port, { userId: 'ann' }), name);
      assert.equal(ann.members.count, 1);
      assert.deepEqual(ann.members.me, { id: 'ann', info: { name: 'ann' } });
      const bo = await subscribedPresence(connect(target.port, { userId: 'bo' }), name);
      assert.equal(bo.members.count, 2);
      assert.deepEqual(memberIds(bo.members), ['ann', 'bo']);
    });

    it('should send member_added and member_removed to the others, not to the member itself', async () => {
      const name = `presence-${unique()}`;
      const ann = await subscribedPresence(connect(target.port, { userId: 'ann' }), name);
      const added = next<{ id: string; info: unknown }>(ann.channel, 'pusher:member_added');
      const boClient = connect(target.port, { userId: 'bo', userInfo: { name: '<b>Bo</b>' } });
      const bo = await subscribedPresence(boClient, name);
      const selfAdded = silent(bo.channel, 'pusher:member_added');
      assert.deepEqual(await added, { id: 'bo', info: { name: '<b>Bo</b>' } });
      await selfAdded;
      const removed = next<{ id: string }>(ann.channel, 'pusher:member_removed');
      boClient.disconnect();
      assert.equal((await removed).id, 'bo');
      assert.equal(ann.members.count, 1);
    });

    it('should count two tabs of one user as one member: added on the first, removed after the last', async () => {
      const name = `presence-${unique()}`;
      const watcher = await subscribedPresence(connect(target.port, { userId: 'watcher' }), name);
      const firstAdded = next(watcher.channel, 'pusher:member_added');
      const tab1 = connect(target.port, { userId: 'ann', userInfo: { name: 'Ann', tab: 1 } });
      await subscribedPresence(tab1, name);
      await firstAdded;
      const noSecondAdd = silent(watcher.channel, 'pusher:member_added');
      const tab2 = connect(target.port, { userId: 'ann', userInfo: { name: 'Ann', tab: 2 } });
      const second = await subscribedPresence(tab2, name);
      await noSecondAdd;
      assert.equal(second.members.count, 2, 'watcher + ann, not 3');
      if (target.name === 'embedded') {
        // Pusher's docs: the first connection's user_info stands until the user's last tab leaves;
        // soketi rebuilds the hash from every socket, so which tab's info it shows is not defined.
        assert.deepEqual(second.members.me?.info, { name: 'Ann', tab: 1 });
      }
      const noRemove = silent(watcher.channel, 'pusher:member_removed');
      tab1.disconnect();
      await noRemove;
      const removed = next<{ id: string }>(watcher.channel, 'pusher:member_removed');
      tab2.disconnect();
      assert.equal((await removed).id, 'ann');
    });

    it('should refuse channel_data changed after signing', async () => {
      const client = connect(target.port, {
        userId: 'ann',
        tamper: (auth) => ({
          auth: auth.auth,
          channel_data: JSON.stringify({ user_id: 'admin', user_info: { name: 'Admin' } }),
        }),
      });
      assert.equal((await subscriptionError(client, `presence-${unique()}`)).status, 401);
    });

    it('should list presence users through the HTTP API and the pusher library', async () => {
      const name = `presence-${unique()}`;
      await subscribedPresence(connect(target.port, { userId: 'ann' }), name);
      await subscribedPresence(connect(target.port, { userId: 'ann' }), name);
      await subscribedPresence(connect(target.port, { userId: 'bo' }), name);
      const rest = restClient(target.port);
      const users = (await (await rest.get({ path: `/channels/${name}/users` })).json()) as {
        users: Array<{ id: string }>;
      };
      assert.deepEqual(users.users.map((u) => u.id).sort(), ['ann', 'bo']);
      const info = (await (
        await rest.get({ path: `/channels/${name}`, params: { info: 'user_count,subscription_count' } })
      ).json()) as Record<string, unknown>;
      assert.equal(info.occupied, true);
      assert.equal(info.user_count, 2);
      assert.equal(info.subscription_count, 3);
      const list = (await (
        await rest.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } })
      ).json()) as {
        channels: Record<string, { user_count?: number }>;
      };
      // Pusher answers info=user_count on /channels; soketi ignores info there (documented difference)
      if (target.name === 'embedded') assert.equal(list.channels[name]?.user_count, 2);
      else assert.ok(list.channels[name], 'listed');
    });

    it('should answer 400 for the users of a non-presence channel', async () => {
      const status = await restStatus(
        target,
        restClient(target.port).get({ path: `/channels/private-${unique()}/users` }),
      );
      assert.equal(status, 400);
    });
  });

  describe('leaving, and user_id types', () => {
    it('should remove a member as soon as its close frame arrives, before the TCP connection ends', async () => {
      const channel = `presence-${unique()}`;
      const watcher = await presenceRaw(target.port, channel, 'watcher');
      // a client that sends its close frame and never ends its TCP connection (a tab mid-unload, a
      // stuck proxy): ws gives up on it only after 30 s; the close frame alone must be the leave
      const leaver = await handSocket(target.port);
      try {
        const established = await leaver.next((f) => f.event === 'pusher:connection_established');
        const socketId = (JSON.parse(established.data as string) as { socket_id: string }).socket_id;
        const auth = restClient(target.port).authorizeChannel(socketId, channel, { user_id: 'leaver' });
        leaver.sendText(JSON.stringify({ event: 'pusher:subscribe', data: { ...auth, channel } }));
        await leaver.next((f) => f.event === 'pusher_internal:subscription_succeeded');
        assert.deepEqual(await apiUsers(target.port, channel), ['leaver', 'watcher']);
        leaver.sendClose(1000);
        assert.deepEqual(await apiUsers(target.port, channel), ['watcher']);
        const removed = await watcher.next((f) => f.event === 'pusher_internal:member_removed');
        assert.deepEqual(JSON.parse(removed.data as string), { user_id: 'leaver' });
      } finally {
        leaver.destroy();
      }
    });

    it('should never list a member whose close frame came before the request (30 tries)', async () => {
      // the close frame, then at once the users read through the pusher library: the leave must be
      // final before the request is handled, every time (soketi: "get api presence users")
      const channel = `presence-${unique()}`;
      await presenceRaw(target.port, channel, 'stayer');
      let stale = 0;
      for (let i = 0; i < 30; i += 1) {
        const leaver = await presenceRaw(target.port, channel, `leaver-${i}`);
        leaver.ws.close(1000);
        const users = await apiUsers(target.port, channel);
        if (users.includes(`leaver-${i}`)) stale += 1;
      }
      assert.equal(stale, 0, `${stale} of 30 reads listed a member that had left`);
    });

    it('should count a user once, and drop them from the count at their last close frame', async () => {
      // soketi: "presence channel users should count only once"
      const channel = `presence-${unique()}`;
      const tabs = [
        await presenceRaw(target.port, channel, 'ann'),
        await presenceRaw(target.port, channel, 'ann'),
        await presenceRaw(target.port, channel, 'bo'),
      ];
      const count = async (): Promise<number> => {
        const response = await restClient(target.port).get({
          path: `/channels/${channel}`,
          params: { info: 'user_count' },
        });
        return ((await response.json()) as { user_count: number }).user_count;
      };
      assert.equal(await count(), 2);
      tabs[0]!.ws.close(1000);
      assert.equal(await count(), 2, 'ann still has a tab');
      tabs[1]!.ws.close(1000);
      assert.equal(await count(), 1);
      assert.deepEqual(await apiUsers(target.port, channel), ['bo']);
    });

    it('should forget channels and members after unsubscribe, disconnect and a sudden close', async () => {
      const rest = restClient(target.port);
      const info = async (name: string): Promise<{ occupied: boolean; subscription_count?: number }> =>
        (await (
          await rest.get({ path: `/channels/${name}`, params: { info: 'subscription_count' } })
        ).json()) as { occupied: boolean; subscription_count?: number };
      const users = async (name: string): Promise<unknown[]> =>
        ((await (await rest.get({ path: `/channels/${name}/users` })).json()) as { users: unknown[] }).users;
      for (const how of ['unsubscribe', 'disconnect', 'sudden close'] as const) {
        for (const prefix of ['public-', 'private-', 'presence-']) {
          const name = `${prefix}${unique()}`;
          const raw =
            prefix === 'presence-'
              ? await presenceRaw(target.port, name, `u-${unique()}`)
              : await openRaw(target.port);
          if (prefix !== 'presence-') {
            const socketId = await raw.socketId();
            const auth = prefix === 'private-' ? rest.authorizeChannel(socketId, name) : {};
            raw.send({ event: 'pusher:subscribe', data: { ...auth, channel: name } });
            await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
          }
          assert.equal((await info(name)).occupied, true);
          if (how === 'unsubscribe') raw.send({ event: 'pusher:unsubscribe', data: { channel: name } });
          else if (how === 'disconnect') raw.ws.close(1000);
          else raw.ws.terminate();
          await waitFor(async () => !(await info(name)).occupied, `${how} of ${name}`);
          if (prefix === 'presence-') assert.deepEqual(await users(name), []);
        }
      }
    });

    it('should give a numeric presence user_id as Pusher documents it (a string)', async () => {
      const channel = `presence-${unique()}`;
      const first = await presenceRaw(target.port, channel, 7 as unknown as string);
      const second = await openRaw(target.port);
      const auth = restClient(target.port).authorizeChannel(await second.socketId(), channel, {
        user_id: 8 as unknown as string,
      });
      second.send({ event: 'pusher:subscribe', data: { ...auth, channel } });
      const succeeded = await second.next((f) => f.event === 'pusher_internal:subscription_succeeded');
      const presence = (JSON.parse(succeeded.data as string) as { presence: { ids: unknown[] } }).presence;
      const added = await first.next((f) => f.event === 'pusher_internal:member_added');
      const addedId = (JSON.parse(added.data as string) as { user_id: unknown }).user_id;
      if (target.name === 'embedded') {
        // Pusher's protocol gives user_id as a String everywhere, and its SDKs (Swift, Android, Flutter)
        // type it so; pusher-js keys members by string anyway. One id, one type: apps compare strings.
        assert.deepEqual([...presence.ids].sort(), ['7', '8']);
        assert.equal(addedId, '8');
      } else {
        // soketi passes the JSON number through (documented difference in the README)
        assert.deepEqual([...presence.ids].sort(), [7, 8]);
        assert.equal(addedId, 8);
      }
    });
  });
});
