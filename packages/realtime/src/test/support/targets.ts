// The conformance suites run each topic against the embedded server and against soketi, with the
// same tests. Where soketi and Pusher's documentation disagree, the embedded server follows the
// documentation and the test says so per target (`target.name === 'soketi'` branches carry a comment).
import { after, afterEach, before, describe } from 'node:test';
import { createRealtimeServer, type RealtimeServer, type RealtimeServerOptions } from '../../index.js';
import { delay } from './net.js';
import { APP, closeClients } from './pusher.js';
import { closeRawSockets } from './raw.js';
import { startSoketi } from './soketi.js';

export interface Target {
  name: 'embedded' | 'soketi';
  port: number;
  /** Only for the embedded target. */
  server?: RealtimeServer;
  stop(): Promise<void>;
}

/** The embedded server alone on a free port. */
export async function startEmbedded(options: Partial<RealtimeServerOptions> = {}): Promise<Target> {
  const server = createRealtimeServer({ ...APP, port: 0, ...options });
  await server.ready;
  return { name: 'embedded', port: server.port, server, stop: () => server.close() };
}

/** soketi set to Pusher's documented limits where its defaults differ. */
export async function startSoketiTarget(): Promise<Target> {
  const soketi = await startSoketi({
    SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true',
    // Pusher's documented limits, which soketi's defaults differ from (unlimited, 100 kB)
    SOKETI_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SEC: '10',
    SOKETI_EVENT_MAX_SIZE_IN_KB: '10',
    // terminate_connections acts on signed-in users, which soketi only accepts with this on
    SOKETI_DEFAULT_APP_USER_AUTHENTICATION: 'true',
    SOKETI_USER_AUTHENTICATION_TIMEOUT: '600000',
  });
  return { name: 'soketi', port: soketi.port, stop: soketi.stop };
}

/** Closes every client the helpers opened (pusher-js first: it leaks retry timers when cut mid-reconnect). */
export async function cleanup(): Promise<void> {
  closeClients();
  closeRawSockets();
  await delay(20);
}

/**
 * `describe(`${topic}: embedded`)` and `describe(`${topic}: soketi`)` around the same tests. `target`
 * stands for the server of the running suite (started before its first test, stopped after its last).
 */
export function conformance(topic: string, suite: (target: Target) => void): void {
  for (const [name, start] of [
    ['embedded', () => startEmbedded()],
    ['soketi', startSoketiTarget],
  ] as const) {
    let current: Target | undefined;
    const running = (): Target => {
      if (current === undefined) throw new Error(`the ${name} server is not started`);
      return current;
    };
    const target: Target = {
      name,
      get port() {
        return running().port;
      },
      get server() {
        return running().server;
      },
      stop: () => running().stop(),
    };
    describe(`${topic}: ${name}`, () => {
      before(async () => {
        current = await start();
      });
      after(async () => {
        await cleanup();
        await current?.stop();
      });
      afterEach(cleanup);
      suite(target);
    });
  }
}
