// Who's here is true (issue 20), model-based: fast-check generates sequences of sign-ups, renames,
// going invisible and visible, more tabs (real pusher-js connections) and sign-outs by three
// people; after every step the model's member list is held against the server's — GET /members
// as each person, and the embedded realtime server's presence — and a raw observer socket in the
// channel never sees an invisible person. The model and its commands are in support/model.ts, for
// other views (the panel in a browser) to check against the same runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { whatsup } from '../index.js';
import { CHANNEL, appWithSessions, person, waitFor } from './support/http.js';
import { checkMembersLists, commands, newModel, type Model, type System } from './support/model.js';
import { observer, pusherFor, subscribed } from './support/pusher.js';
import { startRealtime } from './support/servers.js';

const SCALE = Math.max(1, Number(process.env.WHATSUP_FUZZ_SCALE ?? 1) || 1);
const SEED = 20261201;

describe('the identity model against the embedded realtime server', () => {
  it('should keep presence and every member list as the model says, after every step', async () => {
    const runs = 40 * SCALE;
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(commands(3, { maxCommands: 16 }), async (generated) => {
        const realtime = await startRealtime({ webhooks: { graceMs: 0 } });
        const app = await appWithSessions();
        const router = whatsup({
          publisher: realtime,
          rateLimit: { signUpMax: 1000, signUpGlobalMax: 1000, max: 1000 },
        });
        app.web.use('/whatsup', router);
        const watcher = await observer(realtime.port);
        const tabs: ReturnType<typeof pusherFor>[][] = [[], [], []];
        const system: System = {
          browsers: [0, 1, 2].map(() => person(app.base)),
          ids: [undefined, undefined, undefined],
          async openTab(p) {
            const me = system.browsers[p]!;
            const client = pusherFor(me, realtime.port);
            const follow = (await me.get(`/members?channel=${CHANNEL}`)).body.follow?.[CHANNEL] as
              string | undefined;
            await subscribed(client, follow ?? CHANNEL);
            tabs[p]!.push(client);
          },
          async closeTabs(p) {
            for (const client of tabs[p]!.splice(0)) client.disconnect();
          },
          checks: [
            checkMembersLists,
            async (model: Model) => {
              // Presence: the visible people with a tab open, and the observer; nobody else, ever.
              const want = model.people
                .map((q, i) =>
                  q.name !== undefined && !q.invisible && q.tabs > 0 ? system.ids[i]! : undefined,
                )
                .filter((id): id is string => id !== undefined);
              const expected = JSON.stringify(['observer', ...want].sort());
              await waitFor(
                async () => JSON.stringify((await realtime.channelUsers(CHANNEL)).sort()) === expected,
                `presence ${expected}, got ${JSON.stringify(await realtime.channelUsers(CHANNEL))}`,
              );
              for (const [i, q] of model.people.entries()) {
                if (!q.invisible || !system.ids[i]) continue;
                const added = watcher.frames.filter(
                  (f) =>
                    f.event === 'pusher_internal:member_added' &&
                    (f.data as { user_id: string }).user_id === system.ids[i],
                );
                const last = watcher.frames
                  .filter((f) => (f.data as { user_id?: string })?.user_id === system.ids[i])
                  .at(-1);
                assert.ok(
                  added.length === 0 || last?.event === 'pusher_internal:member_removed',
                  'an invisible person reads as gone',
                );
              }
              assert.equal(JSON.stringify(watcher.frames).includes('hidden-'), false);
              steps += 1;
            },
          ],
        };
        try {
          await fc.asyncModelRun(() => ({ model: newModel(3), real: system }), generated);
        } finally {
          for (const p of [0, 1, 2]) await system.closeTabs!(p);
          watcher.close();
          await router.close();
          app.server.closeAllConnections();
          app.server.close();
          await realtime.close();
        }
      }),
      { seed: SEED, numRuns: runs, endOnFailure: true },
    );
    console.log(`# identity model: ${runs} runs, ${steps} steps checked against the embedded server`);
  });
});
