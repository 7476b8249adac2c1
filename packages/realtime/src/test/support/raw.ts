// Raw protocol clients, for what pusher-js never sends: a `ws` client with a frame queue, one made
// by hand over TCP (a close frame with no TCP end after it), and raw HTTP bytes.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { APP, restClient } from './pusher.js';
import { within } from './net.js';

/** A frame as a raw client receives it (`data` still a string where the server double-encodes). */
export type Frame = { event: string; channel?: string; data?: unknown; user_id?: string };

export interface RawSocket {
  ws: WebSocket;
  /** Resolves once open (or closed without opening). */
  opened: Promise<void>;
  /** The first queued frame that matches (taken off the queue); rejects if the socket closes first. */
  next(match: (frame: Frame) => boolean, ms?: number): Promise<Frame>;
  /** Every frame received so far and not yet taken. */
  frames: Frame[];
  send(frame: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
  socketId(): Promise<string>;
}

export const RAW_PATH = `/app/${APP.key}?protocol=7&client=js&version=8.6.0&flash=false`;

const sockets: WebSocket[] = [];

/** A `ws` client speaking the protocol by hand. `track: false` leaves it out of `closeRawSockets()`. */
export function openRaw(
  port: number,
  path = RAW_PATH,
  options: { autoPong?: boolean; track?: boolean } = {},
): RawSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { autoPong: options.autoPong ?? true });
  if (options.track !== false) sockets.push(ws);
  const frames: Frame[] = [];
  const waiters: Array<() => void> = [];
  ws.on('error', () => {});
  ws.on('message', (data) => {
    try {
      frames.push(JSON.parse(data.toString()) as Frame);
    } catch {
      frames.push({ event: '(not json)', data: data.toString() });
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => {
      // first: a race between `closed` and `next()` settles on the close
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters.splice(0)) wake();
    }),
  );
  const opened = new Promise<void>((resolve) => {
    ws.once('open', () => resolve());
    ws.once('close', () => resolve());
  });
  const next = (match: (frame: Frame) => boolean, ms = 10_000): Promise<Frame> =>
    within(
      new Promise<Frame>((resolve, reject) => {
        const check = (): void => {
          const at = frames.findIndex(match);
          if (at !== -1) resolve(frames.splice(at, 1)[0]!);
          else if (ws.readyState === ws.CLOSED)
            reject(new Error(`socket closed before the frame came; got ${JSON.stringify(frames)}`));
          else waiters.push(check);
        };
        check();
      }),
      'a frame',
      ms,
    );
  return {
    ws,
    opened,
    next,
    frames,
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

/** Terminates every raw socket `openRaw()` tracked. */
export function closeRawSockets(): void {
  for (const ws of sockets.splice(0)) ws.terminate();
}

/** `key:signature` for a private or presence subscription, as the pusher library signs it. */
export function channelAuth(socketId: string, channel: string, channelData?: string): string {
  const signed =
    channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${APP.key}:${createHmac('sha256', APP.secret).update(signed).digest('hex')}`;
}

/** A raw socket signed in (`pusher:signin`) as `userId`, signed by the pusher library. */
export async function signedInRaw(port: number, userId: string): Promise<RawSocket> {
  const raw = openRaw(port);
  const auth = restClient(port).authenticateUser(await raw.socketId(), { id: userId });
  raw.send({ event: 'pusher:signin', data: auth });
  await raw.next((f) => f.event === 'pusher:signin_success');
  return raw;
}

/** A raw socket in a presence channel as `userId`. */
export async function presenceRaw(port: number, channel: string, userId: string): Promise<RawSocket> {
  const raw = openRaw(port);
  const auth = restClient(port).authorizeChannel(await raw.socketId(), channel, {
    user_id: userId,
    user_info: { name: userId },
  });
  raw.send({ event: 'pusher:subscribe', data: { ...auth, channel } });
  await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
  return raw;
}

/**
 * A WebSocket client written by hand over TCP (RFC 6455: handshake, masked text and close frames),
 * for a client no library makes: one that sends its close frame and then never ends its TCP
 * connection (a tab mid-unload, a stuck proxy).
 */
export interface HandSocket {
  socket: Socket;
  /** The text frames received so far (server frames are unmasked), parsed as JSON. */
  frames(): Frame[];
  /** The first received frame that matches. */
  next(match: (frame: Frame) => boolean): Promise<Frame>;
  sendText(text: string): void;
  /** Sends a close frame; the TCP connection stays up until `destroy()`. */
  sendClose(code: number): void;
  /** Resolves when the TCP connection is gone. */
  closed: Promise<void>;
  destroy(): void;
}

export async function handSocket(port: number, path = RAW_PATH): Promise<HandSocket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`,
  );
  // chunks as they come, joined only when read (a flood arrives in many)
  const chunks: Buffer[] = [];
  let buffer = Buffer.alloc(0);
  const joined = (): Buffer => {
    if (chunks.length > 0) buffer = Buffer.concat([buffer, ...chunks.splice(0)]);
    return buffer;
  };
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  await within(
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        const end = joined().indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', check);
        const head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        if (head.startsWith('HTTP/1.1 101') && head.includes(accept)) resolve();
        else reject(new Error(`no WebSocket handshake: ${head}`));
      };
      socket.on('data', check);
    }),
    'the WebSocket handshake',
  );
  const frame = (opcode: number, payload: Buffer): Buffer => {
    // client frames are masked (RFC 6455 §5.3); payloads here stay under 64 kB
    const mask = randomBytes(4);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
    const head =
      payload.length < 126
        ? Buffer.from([0x80 | opcode, 0x80 | payload.length])
        : Buffer.from([0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
    return Buffer.concat([head, mask, masked]);
  };
  const frames = (): Frame[] => {
    const buffer = joined();
    const found: Frame[] = [];
    for (let at = 0; at + 2 <= buffer.length;) {
      const opcode = buffer[at]! & 0x0f;
      let length = buffer[at + 1]! & 0x7f;
      let start = at + 2;
      if (length === 126) {
        length = buffer.readUInt16BE(at + 2);
        start += 2;
      } else if (length === 127) {
        length = Number(buffer.readBigUInt64BE(at + 2));
        start += 8;
      }
      if (start + length > buffer.length) break;
      if (opcode === 0x1) found.push(JSON.parse(buffer.subarray(start, start + length).toString()) as Frame);
      at = start + length;
    }
    return found;
  };
  const next = (match: (frame: Frame) => boolean): Promise<Frame> =>
    within(
      new Promise<Frame>((resolve) => {
        const check = (): void => {
          const frame = frames().find(match);
          if (frame === undefined) return;
          socket.off('data', check);
          resolve(frame);
        };
        socket.on('data', check);
        check();
      }),
      'a frame',
    );
  return {
    socket,
    frames,
    next,
    closed,
    sendText: (text) => socket.write(frame(0x1, Buffer.from(text))),
    sendClose: (code) => {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      socket.write(frame(0x8, payload));
    },
    destroy: () => socket.destroy(),
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
      // a client that never completes the WebSocket close handshake goes away
      else setTimeout(() => socket.destroy(), 50).unref();
    });
    socket.on('close', () => resolve(answer));
    socket.write(request);
    // and in case it never answers (another listener owns the upgrade, or the request is incomplete)
    setTimeout(() => (reset ? socket.resetAndDestroy() : socket.destroy()), reset ? 100 : 500).unref();
  });
}

export function upgradeRequest(path: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
  );
}
