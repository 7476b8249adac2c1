// Signing out ends realtime access: terminateUserConnections removes the user from presence at once,
// and an authorization signed before the sign-out cannot be replayed on a connection that predates it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import PusherJs from 'pusher-js';
import type { PresenceChannel } from 'pusher-js';
import PusherServer from 'pusher';
import { createRealtimeServer, type RealtimeServer } from '../index.js';
import { APP } from './support/pusher.js';
import { openRaw, type RawSocket } from './support/raw.js';

const Pusher = PusherJs as unknown as typeof PusherJs.default;
type Pusher = PusherJs.default;

describe('terminateUserConnections', () => {
  let server: RealtimeServer;
  let signer: PusherServer;
  const clients: Pusher[] = [];
  before(async () => {
    server = createRealtimeServer({ ...APP, port: 0 });
    await server.ready;
    signer = new PusherServer({ ...APP, host: '127.0.0.1', port: String(server.port), useTLS: false });
  });
  after(async () => {
    for (const client of clients) if (client.connection.state === 'connected') client.disconnect();
    // let pusher-js finish its close handshakes first, or its 30 s close timers hold the process
    while (server.connectionCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await server.close();
  });

  /** pusher-js signed in as `userId`, its authorizations made by the real pusher library. */
  function connect(userId: string): Pusher {
    const client = new Pusher(APP.key, {
      cluster: 'local',
      wsHost: '127.0.0.1',
      wsPort: server.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      channelAuthorization: {
        customHandler: ({ socketId, channelName }, callback) =>
          callback(
            null,
            signer.authorizeChannel(socketId, channelName, { user_id: userId, user_info: { name: userId } }),
          ),
      },
      userAuthentication: {
        customHandler: ({ socketId }, callback) =>
          callback(null, signer.authenticateUser(socketId, { id: userId })),
      },
    });
    clients.push(client);
    return client;
  }

  /**
   * The user who gets signed out, on a raw socket signed by the pusher library: pusher-js answers a
   * 40xx close by closing its already-closed socket again, which leaves a 30 s timer holding the
   * test process (pusher-js behaviour, not the server's).
   */
  async function rawMember(userId: string, channel: string): Promise<RawSocket> {
    const raw = openRaw(server.port);
    const socketId = await raw.socketId();
    raw.send({ event: 'pusher:signin', data: signer.authenticateUser(socketId, { id: userId }) });
    await raw.next((f) => f.event === 'pusher:signin_success');
    raw.send({
      event: 'pusher:subscribe',
      data: {
        channel,
        ...signer.authorizeChannel(socketId, channel, { user_id: userId, user_info: { name: userId } }),
      },
    });
    await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
    return raw;
  }

  function joined(client: Pusher, name: string): Promise<PresenceChannel> {
    const channel = client.subscribe(name) as PresenceChannel;
    return new Promise((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', () => resolve(channel));
      channel.bind('pusher:subscription_error', (error: unknown) => reject(new Error(JSON.stringify(error))));
    });
  }

  describe('when a present user is terminated', () => {
    it('should remove them from presence before their socket has finished closing, and tell the others', async () => {
      const alice = await rawMember('alice', 'presence-room');
      const bob = connect('bob');
      const room = await joined(bob, 'presence-room');
      if (room.members.get('alice') === null) {
        await new Promise((resolve) => room.bind('pusher:member_added', resolve));
      }
      const removed = new Promise<{ id: string }>((resolve) => room.bind('pusher:member_removed', resolve));
      const closing = server.terminateUserConnections('alice');
      // synchronously with the call, not after alice's close handshake
      assert.deepEqual(await server.channelUsers('presence-room'), ['bob']);
      assert.equal((await removed).id, 'alice');
      await closing;
      assert.equal((await alice.closed).code, 4009);
      assert.equal(room.members.count, 1);
    });
  });

  describe('when a pre-sign-out authorization is replayed on an older anonymous socket', () => {
    it('should refuse presence subscribe and pusher:signin for that user, and allow others', async () => {
      // the attacker's second socket, opened while carol was signed in, and signatures made for it then
      const spare = openRaw(server.port);
      const spareId = await spare.socketId();
      const presenceAuth = signer.authorizeChannel(spareId, 'presence-room', { user_id: 'carol' });
      const userAuth = signer.authenticateUser(spareId, { id: 'carol' });
      const carol = await rawMember('carol', 'presence-room');

      await server.terminateUserConnections('carol');
      assert.equal((await carol.closed).code, 4009);
      assert.deepEqual(await server.channelUsers('presence-room'), ['bob']);

      spare.send({ event: 'pusher:subscribe', data: { channel: 'presence-room', ...presenceAuth } });
      const refused = await spare.next((f) => f.event === 'pusher:subscription_error');
      assert.deepEqual(
        {
          type: (refused.data as { type: string }).type,
          status: (refused.data as { status: number }).status,
        },
        { type: 'AuthError', status: 401 },
      );
      assert.match((refused.data as { error: string }).error, /signed out after this connection opened/);
      spare.send({ event: 'pusher:signin', data: userAuth });
      const error = await spare.next((f) => f.event === 'pusher:error');
      assert.equal((error.data as { code: number }).code, 4009);
      assert.deepEqual(await server.channelUsers('presence-room'), ['bob']);

      // the same old socket may still join as someone who was not signed out
      spare.send({
        event: 'pusher:subscribe',
        data: {
          channel: 'presence-room',
          ...signer.authorizeChannel(spareId, 'presence-room', { user_id: 'dave' }),
        },
      });
      await spare.next((f) => f.event === 'pusher_internal:subscription_succeeded');
      assert.deepEqual((await server.channelUsers('presence-room')).sort(), ['bob', 'dave']);
      spare.ws.close();
    });
  });

  describe('when the user signs in again afterwards', () => {
    it('should let a new connection join and sign in with fresh authorizations', async () => {
      await server.terminateUserConnections('erin');
      const erin = connect('erin');
      erin.signin();
      await erin.user.signinDonePromise;
      assert.equal(erin.user.user_data?.id, 'erin');
      await joined(erin, 'presence-room');
      assert.ok((await server.channelUsers('presence-room')).includes('erin'));
    });
  });
});
