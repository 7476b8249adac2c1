// soketi (an independent Pusher-protocol server, a dev dependency) on a free port, for the tests
// that hold the embedded server against it. One spawner for every realtime test; the bench and
// scripts can import it from packages/realtime/dist/test/support/soketi.js.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { APP } from './pusher.js';
import { delay, freePort } from './net.js';

export const SOKETI = fileURLToPath(new URL('../../../../../node_modules/.bin/soketi', import.meta.url));

export interface Soketi {
  port: number;
  child: ChildProcess;
  /** Everything it printed. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts soketi with the test app's credentials on a free 127.0.0.1 port, metrics off, no shutdown
 * grace, plus `env` (its `SOKETI_*` settings); resolves once it answers its health check.
 */
export async function startSoketi(env: Record<string, string> = {}): Promise<Soketi> {
  const port = await freePort();
  const child = spawn(process.execPath, [SOKETI, 'start'], {
    env: {
      ...process.env,
      SOKETI_PORT: String(port),
      SOKETI_HOST: '127.0.0.1',
      SOKETI_METRICS_ENABLED: 'false',
      SOKETI_DEFAULT_APP_ID: APP.appId,
      SOKETI_DEFAULT_APP_KEY: APP.key,
      SOKETI_DEFAULT_APP_SECRET: APP.secret,
      SOKETI_SHUTDOWN_GRACE_PERIOD: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`soketi exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`soketi did not answer on port ${port} within 30 s:\n${output}`);
    }
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
    } catch {
      // not listening yet
    }
    await delay(200);
  }
  return { port, child, output: () => output, stop };
}
