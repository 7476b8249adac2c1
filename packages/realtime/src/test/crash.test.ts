// The four inputs that killed the whole process (issue 10), each against a live server in a child
// process: after each, the process must still be running and serve a fresh pusher-js client.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import PusherServer from 'pusher';
import { servesFreshClient, startLiveServer, type LiveServer } from './support/live-server.js';
import { APP } from './support/pusher.js';
import { openRaw, rawRequest, upgradeRequest } from './support/raw.js';

/** An array nested `depth` deep, as JSON text: 5,000 deep is a 10 kB frame. */
function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

const signer = new PusherServer({ ...APP, host: '127.0.0.1' });

for (const mode of ['attached', 'alone'] as const) {
  describe(`hostile input (${mode === 'attached' ? 'attached to an Express app' : 'listening alone'})`, () => {
    let server: LiveServer;
    let round = 0;
    before(async () => {
      server = await startLiveServer(mode);
    });
    after(() => server.stop());

    async function assertStillServing(): Promise<void> {
      round += 1;
      assert.ok(server.alive(), `the server process died:\n${server.output()}`);
      await servesFreshClient(server.port, `${mode}-${round}`);
      assert.ok(server.alive(), `the server process died:\n${server.output()}`);
      assert.doesNotMatch(server.output(), /Uncaught|RangeError|TypeError/);
    }

    describe('when auth is an array nested 5,000 deep', () => {
      it('should refuse pusher:subscribe with a bounded message and keep the socket', async () => {
        const raw = openRaw(server.port);
        await raw.socketId();
        const frame = `{"event":"pusher:subscribe","data":{"channel":"private-x","auth":${nested(5000)}}}`;
        assert.ok(frame.length > 10_000);
        raw.send(frame);
        const error = await raw.next((f) => f.event === 'pusher:subscription_error');
        const message = (error.data as { error: string }).error;
        assert.match(message, /^Invalid signature/);
        assert.ok(message.length < 300, message);
        raw.send({ event: 'pusher:ping', data: {} });
        await raw.next((f) => f.event === 'pusher:pong');
        raw.ws.close();
        await assertStillServing();
      });

      it('should refuse pusher:signin with a bounded message and keep the socket', async () => {
        const raw = openRaw(server.port);
        await raw.socketId();
        raw.send(
          `{"event":"pusher:signin","data":{"user_data":"{\\"id\\":\\"1\\"}","auth":${nested(5000)}}}`,
        );
        const error = await raw.next((f) => f.event === 'pusher:error');
        assert.match((error.data as { message: string }).message, /^Invalid signature for pusher:signin/);
        raw.ws.close();
        await assertStillServing();
      });
    });

    describe('when a client event carries data nested 5,000 deep', () => {
      it('should refuse it with pusher:error and relay nothing', async () => {
        const sender = openRaw(server.port);
        const listener = openRaw(server.port);
        const [senderId, listenerId] = await Promise.all([sender.socketId(), listener.socketId()]);
        for (const [raw, id] of [
          [sender, senderId],
          [listener, listenerId],
        ] as const) {
          raw.send({
            event: 'pusher:subscribe',
            data: { channel: 'private-deep', ...signer.authorizeChannel(id, 'private-deep') },
          });
          await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
        }
        sender.send(`{"event":"client-deep","channel":"private-deep","data":${nested(5000)}}`);
        const error = await sender.next((f) => f.event === 'pusher:error');
        assert.match((error.data as { message: string }).message, /nested deeper than 64 levels/);
        // a shallow event after it still goes through: the deep one was dropped, not queued
        sender.send({ event: 'client-shallow', channel: 'private-deep', data: { ok: [[1]] } });
        const relayed = await listener.next((f) => String(f.event).startsWith('client-'));
        assert.equal(relayed.event, 'client-shallow');
        sender.ws.close();
        listener.ws.close();
        await assertStillServing();
      });
    });

    describe('when ?protocol= is 31 euro signs', () => {
      it('should close 4006 with a reason cut at a character boundary within 123 bytes', async () => {
        const raw = openRaw(server.port, `/app/app-key?protocol=${encodeURIComponent('€'.repeat(31))}`);
        const { code, reason } = await raw.closed;
        assert.equal(code, 4006);
        assert.ok(Buffer.byteLength(reason) <= 123, `${Buffer.byteLength(reason)} bytes`);
        assert.ok(!reason.includes('\uFFFD'), reason);
        assert.match(reason, /^Invalid version string format: '€+$/);
        await assertStillServing();
      });
    });

    describe('when the upgrade URL does not parse (GET //[)', () => {
      it('should answer it over HTTP and keep running', async () => {
        const answer = await rawRequest(server.port, upgradeRequest('//['));
        // attached, the path is not the server's (the host answers 404); alone every path is, and is told 4005
        assert.match(answer, mode === 'attached' ? /^HTTP\/1\.1 404/ : /"code":4005/);
        await assertStillServing();
      });
    });

    describe('when an upgrade is reset by the client', () => {
      const paths = mode === 'attached' ? ['/', '/whatsup/config', '//['] : ['/', '/app/app-key', '//['];
      for (const path of paths) {
        it(`should survive a TCP reset after an upgrade to ${path}`, async () => {
          for (let i = 0; i < 5; i += 1) await rawRequest(server.port, upgradeRequest(path), { reset: true });
          await assertStillServing();
        });
      }
    });

    describe('when handling a frame throws (an app listener that throws)', () => {
      it('should close that socket with 4199, log it, and keep every other socket', async () => {
        const bystander = openRaw(server.port);
        const culprit = openRaw(server.port);
        const [culpritId] = await Promise.all([culprit.socketId(), bystander.socketId()]);
        culprit.send({
          event: 'pusher:subscribe',
          data: { channel: 'private-boom', ...signer.authorizeChannel(culpritId, 'private-boom') },
        });
        await culprit.next((f) => f.event === 'pusher_internal:subscription_succeeded');
        culprit.send({ event: 'client-explode', channel: 'private-boom', data: {} });
        const { code } = await culprit.closed;
        assert.equal(code, 4199);
        assert.match(server.output(), /error handling a frame, closing it: Error: an app listener exploded/);
        bystander.send({ event: 'pusher:ping', data: {} });
        await bystander.next((f) => f.event === 'pusher:pong');
        bystander.ws.close();
        round += 1;
        assert.ok(server.alive());
        await servesFreshClient(server.port, `${mode}-${round}`);
      });
    });
  });
}
