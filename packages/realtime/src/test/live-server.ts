// A realtime server in a child process (attached to an Express app, or listening alone), so a test
// can prove that hostile input leaves the PROCESS running: a crash shows as the child's exit, with
// its stack in `output()`. No tests in here; the crash and fuzz tests share it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';
import PusherJs from 'pusher-js';
import PusherServer from 'pusher';
import { WebSocket } from 'ws';

const Pusher = PusherJs as unknown as typeof PusherJs.default;

export const APP = { appId: 'app-id', key: 'app-key', secret: 'app-secret' } as const;

const REALTIME = new URL('../index.js', import.meta.url).href;
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
    process.send({ heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss });
  }
});
`;

export interface LiveServer {
  port: number;
  /** Everything the child wrote (stdout and stderr, NODE_DEBUG=whatsup included). */
  output(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startLiveServer(
  mode: 'attached' | 'alone',
  options: Record<string, unknown> = {},
): Promise<LiveServer> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
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
  const client = new Pusher(APP.key, {
    cluster: 'local',
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
  });
  try {
    const channel = client.subscribe(`fresh-${tag}`);
    await new Promise<void>((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', () => resolve());
      channel.bind('pusher:subscription_error', (error: unknown) =>
        reject(new Error(`subscription failed: ${JSON.stringify(error)}`)),
      );
    });
    const received = new Promise<unknown>((resolve) => channel.bind('ping', resolve));
    const publisher = new PusherServer({ ...APP, host: '127.0.0.1', port: String(port), useTLS: false });
    await publisher.trigger(`fresh-${tag}`, 'ping', { tag });
    const data = await received;
    if ((data as { tag?: string }).tag !== tag) throw new Error(`unexpected event ${JSON.stringify(data)}`);
  } finally {
    client.disconnect();
  }
}

/** A raw WebSocket with a frame queue, for input pusher-js would never send. */
export interface RawSocket {
  ws: WebSocket;
  next(match: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  send(frame: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
  socketId(): Promise<string>;
}

export function openRaw(port: number, path = '/app/app-key?protocol=7&client=js&version=8.4.0'): RawSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  const frames: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  ws.on('error', () => {});
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters.splice(0)) wake();
    }),
  );
  const next = async (
    match: (frame: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown>> => {
    for (;;) {
      const at = frames.findIndex(match);
      if (at !== -1) return frames.splice(at, 1)[0]!;
      if (ws.readyState === ws.CLOSED)
        throw new Error(`socket closed before the frame came; got ${JSON.stringify(frames)}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    ws,
    next,
    closed,
    send: (frame) => {
      const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
      if (ws.readyState === ws.OPEN) ws.send(text);
      else ws.once('open', () => ws.send(text));
    },
    socketId: async () => {
      const frame = await next((f) => f.event === 'pusher:connection_established');
      return (JSON.parse(frame.data as string) as { socket_id: string }).socket_id;
    },
  };
}

/** Sends raw bytes (an upgrade request) and resolves with what came back; `reset` ends with a TCP RST. */
export function rawRequest(port: number, request: string, { reset = false } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('error', () => resolve(answer));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      // reset once the server has taken the request and answered (its socket is mid-close)
      if (reset) socket.resetAndDestroy();
    });
    socket.on('close', () => resolve(answer));
    socket.write(request);
    if (reset) {
      // and in case it never answers (another listener owns the upgrade): reset anyway
      setTimeout(() => socket.resetAndDestroy(), 100).unref();
    }
  });
}

export function upgradeRequest(path: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
  );
}
