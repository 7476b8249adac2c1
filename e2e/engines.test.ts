// End-to-end in Firefox and WebKit (issue 22): the core of basic.test.ts, which runs in Chromium,
// on examples/basic started as `npm start` starts it. Two people are two browsers of their own
// (Firefox: a browser context each; WebKit: a MiniBrowser each), each signed in with its own cookie.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EnginePanel } from './engine-panel.js';
import { ENGINES, startEngine, type Engine, type Person } from './engines.js';
import { root, run, startExample, waitFor, type RunningExample } from './support.js';

describe('Firefox and WebKit end to end', () => {
  let example: RunningExample;

  before(async () => {
    example = await startExample('basic');
  });

  after(async () => {
    await example?.stop();
  });

  for (const name of ENGINES) {
    describe(
      name === 'firefox' ? 'in Firefox (firefox-esr over WebDriver BiDi)' : 'in WebKit (WebKitWebDriver)',
      () => {
        let engine: Engine;
        const people: Person[] = [];
        // Names differ per engine, so a person still leaving from one engine's test is no one else.
        const tag = name === 'firefox' ? 'Fx' : 'Wk';

        before(async () => {
          engine = await startEngine(name);
        });

        // Close every person after each test, passed or failed, so no one lingers into the next.
        afterEach(async () => {
          for (const person of people.splice(0)) await person.close().catch(() => {});
        });

        after(async () => {
          await engine?.close();
        });

        async function signedUp(who: string, status: string): Promise<EnginePanel> {
          const person = await engine.person(example.url);
          people.push(person);
          const panel = new EnginePanel(person);
          await panel.signUp(who, status);
          return panel;
        }

        it('should let A and B sign up and see each other with their statuses', async () => {
          const a = await signedUp(`Ann${tag}`, 'writing the report');
          const b = await signedUp(`Bo${tag}`, 'on a call');
          await a.waitForRow(`Bo${tag}`, (row) => row.text.includes('on a call'), 'A sees B');
          await b.waitForRow(`Ann${tag}`, (row) => row.text.includes('writing the report'), 'B sees A');
          assert.equal((await a.rows())[0]!.name, `Ann${tag}`, 'me first');
          assert.equal((await b.rows())[0]!.name, `Bo${tag}`, 'me first');
        });

        it("should show A's new status, its text and its emoji, in B's browser", async () => {
          const a = await signedUp(`Ada${tag}`, 'at my desk');
          const b = await signedUp(`Ben${tag}`, 'coffee');
          await b.waitForRow(`Ada${tag}`, (row) => row.text.includes('at my desk'), 'B sees A');
          await a.setStatus('🌴', 'on holiday');
          await a.waitForRow(`Ada${tag}`, (row) => row.text.includes('🌴'), 'the picker set my emoji');
          await b.waitForRow(`Ada${tag}`, (row) => row.text.includes('on holiday'), "B sees A's new status");
          await b.waitForRow(`Ada${tag}`, (row) => row.text.includes('🌴 on holiday'), "B sees A's emoji");
        });

        it("should remove A from B's list when A signs out", async () => {
          const a = await signedUp(`Amy${tag}`, 'leaving soon');
          const b = await signedUp(`Bob${tag}`, 'here');
          await b.waitForRow(`Amy${tag}`, (row) => row.text.includes('leaving soon'), 'B sees A');
          await a.signOut();
          await b.waitForRow(`Amy${tag}`, undefined, "A gone from B's list");
        });

        it('should show an announcement on both pages as a toast that hides itself after 5 seconds', async () => {
          const a = await signedUp(`Ana${tag}`, 'waiting for news');
          const b = await signedUp(`Bas${tag}`, 'same');
          await b.waitForRow(`Ana${tag}`, () => true, 'B sees A');
          const text = `Lunch is served in ${name} ${Date.now()}`;
          const cli = await run(process.execPath, [join(root, 'packages/express/dist/cli.js'), text], {
            PORT: String(example.port),
          });
          assert.equal(cli.code, 0, cli.output);
          for (const panel of [a, b]) {
            await waitFor(
              async () => (await panel.toasts()).some((t) => t.includes(text)),
              5000,
              () => 'the toast on both pages',
            );
          }
          const shownAt = Date.now();
          await waitFor(
            async () => !(await a.toasts()).some((t) => t.includes(text)),
            9000,
            () => 'the toast hid',
          );
          const hiddenAfter = Date.now() - shownAt;
          assert.ok(hiddenAfter >= 3500, `the toast stays for about 5 s (hid after ${hiddenAfter} ms)`);
        });
      },
    );
  }
});
