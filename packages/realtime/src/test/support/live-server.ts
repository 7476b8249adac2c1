// A realtime server in a child process (attached to an Express app, or listening alone), so a test
// can prove that hostile input leaves the PROCESS running: a crash shows as the child's exit, with
// its stack in `output()`, and its memory can be read after a full GC. The crash, fuzz and body
// tests share it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { within } from './net.js';
import { APP, connect, next, restClient, subscribed } from './pusher.js';

const REALTIME = new URL('../../index.js', import.meta.url).href;
const EXPRESS = pathToFileURL(createRequire(import.meta.url).resolve('express')).href;

// The child: prints its port, then serves until killed. A listener that throws on `client-explode`
// stands for an app's buggy observer: a real path by which handling a frame can throw.
const CHILD = `
const { createRealtimeServer } = await import(${JSON.stringify(REALTIME)});
const express = (await import(${JSON.stringify(EXPRESS)})).default;
const { createServer } = await import('node:http');
const options = JSON.parse(process.env.WHATSUP_TEST_OPTIONS);
let realtime;
if (process.env.WHATSUP_TEST_MODE === 'attached') {
  const app = express();
  app.get('/whatsup/config', (req, res) => res.json({ ok: true }));
  app.get('/', (req, res) => res.send('home'));
  const http = createServer(app);
  realtime = createRealtimeServer({ ...options, server: http });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  console.log('PORT ' + http.address().port);
} else {
  realtime = createRealtimeServer({ ...options, port: 0 });
  await realtime.ready;
  console.log('PORT ' + realtime.port);
}
realtime.on('client_event', ({ event }) => {
  if (event === 'client-explode') throw new Error('an app listener exploded');
});
process.on('message', (message) => {
  if (message === 'memory') {
    globalThis.gc?.();
    const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
    process.send({ heapUsed, rss, external, arrayBuffers });
  }
});
`;

/** The child's memory after a full GC (it runs with --expose-gc), in bytes. */
export interface Memory {
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
}

export interface LiveServer {
  port: number;
  /** Everything the child wrote (stdout and stderr, NODE_DEBUG=whatsup included). */
  output(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Its memory right after a full GC. */
  memory(): Promise<Memory>;
  stop(): Promise<void>;
}

export async function startLiveServer(
  mode: 'attached' | 'alone',
  options: Record<string, unknown> = {},
): Promise<LiveServer> {
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD], {
    env: {
      ...process.env,
      NODE_DEBUG: 'whatsup',
      WHATSUP_TEST_MODE: mode,
      WHATSUP_TEST_OPTIONS: JSON.stringify({ ...APP, ...options }),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (): void => {
      const match = /PORT (\d+)/.exec(output);
      if (match !== null) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
  return {
    port,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    memory: () =>
      new Promise<Memory>((resolve, reject) => {
        child.once('message', (message) => resolve(message as Memory));
        if (!child.send('memory')) reject(new Error('the server process is gone'));
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}

/** Proves the server still serves: a new pusher-js client connects, subscribes, and receives an event the pusher library triggers. */
export async function servesFreshClient(port: number, tag: string): Promise<void> {
  const client = connect(port);
  try {
    // a dead server would leave pusher-js retrying for ever: `within` gives up after 10 s
    const channel = await within(subscribed(client, `fresh-${tag}`), `a fresh client (${tag})`, 10_000);
    const received = next<{ tag?: string }>(channel, 'ping', 10_000);
    await restClient(port).trigger(`fresh-${tag}`, 'ping', { tag });
    const data = await received;
    if (data.tag !== tag) throw new Error(`unexpected event ${JSON.stringify(data)}`);
  } finally {
    client.disconnect();
  }
}
