// The reconnect nudge (issue 26): while the connection is down, the probe asks the server over HTTP
// now and then; the first answer after a failed one makes pusher-js try at once rather than after
// its own back-off. The probe against a real route that goes down and up (test-support's
// `/probe-target`), and `reconnect()` on the real pusher-js.
import { expect, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { ReconnectProbe } from '../connection/probe.js';
import { openPusher } from '../connection/pusher.js';

const target = (down?: boolean) =>
  executeServerCommand<number, { down?: boolean }>('whatsup-probe-target', { down });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ReconnectProbe', () => {
  let probe: ReconnectProbe | undefined;
  afterEach(async () => {
    probe?.stop();
    await target(false);
  });

  it('calls back on the first answer after the server did not answer, and not before', async () => {
    await target(true);
    let back = 0;
    probe = new ReconnectProbe('/probe-target', () => back++);
    const asked = await target();
    probe.start();
    await waitUntil(async () => (await target()) >= asked + 2, 'the probe asks again', { timeout: 10_000 });
    expect(back, 'no answer yet: nothing to nudge').to.equal(0);
    await target(false);
    await waitUntil(() => back === 1, 'the answer nudges', { timeout: 10_000 });
    probe.stop();
    const after = await target();
    await sleep(2500);
    expect(await target(), 'no asking after stop()').to.equal(after);
    expect(back).to.equal(1);
  });

  it('nudges 2 s into an outage when HTTP answered all along, then ever more rarely', async () => {
    let back = 0;
    const asked = await target();
    probe = new ReconnectProbe('/probe-target', () => back++);
    probe.start();
    await waitUntil(async () => (await target()) >= asked + 1, 'the probe asks', { timeout: 10_000 });
    expect(back, 'the first answer, about 1 s in: too early to nudge').to.equal(0);
    await waitUntil(() => back === 1, 'a nudge, 2 s in', { timeout: 10_000 });
    const then = await target();
    // The next is 4 s later: the next two asks, a second apart, do not nudge.
    await waitUntil(async () => (await target()) >= then + 2, 'two more asks', { timeout: 10_000 });
    expect(back).to.equal(1);
  });
});

describe('openPusher().reconnect()', () => {
  it('tries at once while waiting to retry, without reporting a disconnection', async () => {
    const states: string[] = [];
    // Nothing listens on port 9: every attempt is refused, and pusher-js says unavailable.
    const connection = openPusher(
      'app-key',
      {
        cluster: 'local',
        wsHost: '127.0.0.1',
        wsPort: 9,
        forceTLS: false,
        enabledTransports: ['ws'],
        unavailableTimeout: 300,
      },
      { state: (s) => states.push(s), error: () => {}, retrying: () => {} },
    );
    try {
      await waitUntil(() => states.at(-1) === 'unavailable', 'unavailable', { timeout: 10_000 });
      const before = states.length;
      connection.reconnect();
      expect(states.slice(before), 'trying again now').to.deep.equal(['connecting']);
      expect(states).not.to.include('disconnected');
    } finally {
      connection.disconnect();
    }
  });

  it('does nothing while connected', async () => {
    const states: string[] = [];
    const config = (await (await fetch('/whatsup/config')).json()) as {
      key: string;
      wsHost?: string;
      wsPort?: number;
    };
    const connection = openPusher(
      config.key,
      {
        cluster: 'local',
        wsHost: config.wsHost ?? location.hostname,
        wsPort: config.wsPort ?? Number(location.port),
        forceTLS: false,
        enabledTransports: ['ws'],
      },
      { state: (s) => states.push(s), error: () => {}, retrying: () => {} },
    );
    try {
      await waitUntil(() => states.at(-1) === 'connected', 'connected', { timeout: 10_000 });
      const before = states.length;
      connection.reconnect();
      await sleep(300);
      expect(states.slice(before)).to.deep.equal([]);
    } finally {
      connection.disconnect();
    }
  });
});
