// Lightweight Pusher-protocol clients (raw ws, protocol 7) in their own process, so the client
// side is not what is measured; all timing happens here, on this process's monotonic clock.
// Driven over IPC by the scenarios:
//   {type:'connect', url, n, channel, key?, secret?, idBase?} → {type:'ready'}
//       n sockets subscribed to one channel (presence/private ones signed with the app secret
//       exactly as the pusher library does: HMAC-SHA256 of `${socket_id}:${channel}[:${channel_data}]`)
//   {type:'round', event}  → {type:'go'} (the driver publishes now) … {type:'done', ms}
//       ms = last socket's arrival − the moment before 'go' was sent
//   {type:'steady', url, rate, holdMs, durationMs, channel, key, secret}
//       → {type:'steadied', joins, leaves, delivered, expected, joinLatencies, leaveLatencies}
//       a new member every 1000/rate ms, each leaving holdMs after it joined (open loop)
//   {type:'churn', url, m, durationMs, channel, key, secret}
//       → {type:'churned', joins, leaves, delivered, expected, joinLatencies}
//       m loops join the presence channel as a new member and leave again, back to back, while the
//       sockets from 'connect' watch; counts member events the watchers got and how long a join
//       took to reach every watcher
//   {type:'roomJoins', url, count, channel, key, secret}
//       → {type:'roomJoined', succeeded, seen, left, members, frameBytes}
//       one more member joins the presence room of the 'connect' sockets and leaves, count times:
//       subscribe → its subscription_succeeded, → every member's member_added, close → member_removed
//   {type:'httpRounds', host, port, event, count, warmup} → {type:'httpTimes', times}
//       "as a user sees it": this process calls the pusher library's trigger() itself, so the clock
//       starts just before trigger() and stops when the last socket has the event; no IPC hop
//   {type:'socketRounds', port, event, count, warmup} → {type:'socketTimes', times, firsts}
//       the same for the embedded server's in-process trigger: one byte to its trigger port
//       (bench/embedded-server.mjs) makes it call realtime.trigger(); one local hop, no IPC;
//       firsts: when the first socket had the event (same clock)
import { createHmac } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { performance } from 'node:perf_hooks';
import Pusher from 'pusher';
import WebSocket from 'ws';

let sockets = [];
let round = null;
let watch = null;

export function subscribeFrame(socketId, channel, { key, secret, userId }) {
  if (!channel.startsWith('presence-') && !channel.startsWith('private-')) {
    return { event: 'pusher:subscribe', data: { channel } };
  }
  const channelData = channel.startsWith('presence-')
    ? JSON.stringify({ user_id: userId, user_info: { name: `Bench ${userId}`, status: 'benchmarking' } })
    : undefined;
  const signed = channelData ? `${socketId}:${channel}:${channelData}` : `${socketId}:${channel}`;
  const auth = `${key}:${createHmac('sha256', secret).update(signed).digest('hex')}`;
  return {
    event: 'pusher:subscribe',
    data: { channel, auth, ...(channelData ? { channel_data: channelData } : {}) },
  };
}

function open(url, channel, options, onEvent) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('message', (raw) => {
    const text = raw.toString();
    // Filling a big presence room sends every member each later join: not counted unless watching,
    // so not parsed either (the clients process must not be what limits the fill).
    if (!watch && text.startsWith('{"event":"pusher_internal:member_')) return;
    const msg = JSON.parse(text);
    if (msg.event === 'pusher:connection_established') {
      const { socket_id } = JSON.parse(msg.data);
      ws.send(JSON.stringify(subscribeFrame(socket_id, channel, options)));
    } else if (msg.event === 'pusher:ping') {
      ws.send('{"event":"pusher:pong","data":{}}');
    }
    onEvent(msg, ws);
  });
  return ws;
}

/**
 * Handshakes in flight at most while filling. All N at once overflowed the servers' listen queues
 * (Node's default backlog is 511, uSockets' 512): at 10,000 the kernel dropped ~40,000 SYNs and
 * handshake ACKs, the fill took 24 s of retransmission back-off, and a few connections failed their
 * SYN cookie and were reset (ECONNRESET), for either server.
 */
const OPENING_AT_ONCE = 256;

async function connect({ url, n, channel, key, secret, idBase = 'bench' }) {
  let subscribed = 0;
  let started = 0;
  let opening = 0;
  await new Promise((resolve, reject) => {
    const more = () => {
      while (started < n && opening < OPENING_AT_ONCE) {
        opening++;
        const ws = one(started++);
        ws.once('open', () => {
          opening--;
          more();
        });
      }
    };
    const one = (i) => {
      const ws = open(url, channel, { key, secret, userId: `${idBase}-${i}` }, (msg) => {
        if (msg.event === 'pusher_internal:subscription_succeeded') {
          if (++subscribed === n) resolve();
        } else if (msg.event === 'pusher:error') {
          reject(new Error(`pusher:error ${JSON.stringify(msg.data)}`));
        } else if (watch && msg.event === 'pusher_internal:member_added') {
          watch.delivered++;
          const id = JSON.parse(msg.data).user_id;
          const join = watch.joins.get(id);
          if (join && ++join.seen === watch.watchers) {
            watch.joinLatencies.push(performance.now() - join.t0);
            watch.joins.delete(id);
          }
        } else if (watch && msg.event === 'pusher_internal:member_removed') {
          watch.delivered++;
          const id = JSON.parse(msg.data).user_id;
          const leave = watch.leaves?.get(id);
          if (leave && ++leave.seen === watch.watchers) {
            watch.leaveLatencies.push(performance.now() - leave.t0);
            watch.leaves.delete(id);
          }
        } else if (round && msg.event === round.event) {
          if (round.received === 0) round.first = performance.now() - round.t0;
          if (++round.received === round.n) {
            const ms = performance.now() - round.t0;
            const { resolve, first } = round;
            round = null;
            if (resolve) resolve({ ms, first });
            else process.send({ type: 'done', ms });
          }
        }
      });
      // After the promise settled these are no-ops: a server going away later is not an error here.
      ws.on('error', reject);
      ws.on('close', () => reject(new Error('closed while connecting')));
      sockets.push(ws);
      return ws;
    };
    more();
  });
}

/** What the 'connect' sockets count and time while they watch members join and leave. */
function watching() {
  return {
    watchers: sockets.length,
    delivered: 0,
    joins: new Map(),
    joinLatencies: [],
    leaves: new Map(),
    leaveLatencies: [],
  };
}

async function churn({ url, m, durationMs, channel, key, secret }) {
  watch = watching();
  const end = performance.now() + durationMs;
  let joins = 0;
  let leaves = 0;
  let next = 0;
  const loop = () =>
    new Promise((resolve) => {
      const again = () => {
        if (performance.now() >= end) return resolve();
        const userId = `churn-${next++}`;
        let joined = false;
        watch.joins.set(userId, { t0: performance.now(), seen: 0 });
        const ws = open(url, channel, { key, secret, userId }, (msg) => {
          if (msg.event === 'pusher_internal:subscription_succeeded') {
            joined = true;
            joins++;
            ws.close();
          }
        });
        ws.on('error', () => {});
        ws.on('close', () => {
          if (joined) leaves++;
          else watch.joins.delete(userId);
          again();
        });
      };
      again();
    });
  await Promise.all(Array.from({ length: m }, loop));
  // Let the last member_removed frames arrive before counting.
  await new Promise((r) => setTimeout(r, 1000));
  const result = {
    joins,
    leaves,
    delivered: watch.delivered,
    expected: (joins + leaves) * watch.watchers,
    joinLatencies: watch.joinLatencies,
  };
  watch = null;
  return result;
}

/**
 * Open loop at a steady rate: a new member every 1000/rate ms, each leaving (a clean close) holdMs
 * after its join succeeded, for durationMs; joins and leaves are timed until every watcher saw them.
 */
async function steady({ url, rate, holdMs, durationMs, channel, key, secret }) {
  watch = watching();
  let joins = 0;
  let leaves = 0;
  let next = 0;
  const inside = new Set();
  const started = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      while (next < due) {
        const userId = `steady-${next++}`;
        let joined = false;
        watch.joins.set(userId, { t0: performance.now(), seen: 0 });
        const ws = open(url, channel, { key, secret, userId }, (msg) => {
          if (msg.event === 'pusher_internal:subscription_succeeded') {
            joined = true;
            joins++;
            setTimeout(() => {
              watch.leaves.set(userId, { t0: performance.now(), seen: 0 });
              ws.close();
            }, holdMs);
          }
        });
        inside.add(ws);
        ws.on('error', () => {});
        ws.on('close', () => {
          inside.delete(ws);
          if (joined) leaves++;
        });
      }
      if (performance.now() - started < durationMs) setTimeout(tick, 5);
      else resolve();
    };
    tick();
  });
  // Every member still inside leaves after its hold; then the last frames arrive.
  const give = performance.now() + holdMs + 10_000;
  while (inside.size > 0 && performance.now() < give) await new Promise((r) => setTimeout(r, 50));
  for (const ws of inside) ws.terminate();
  await new Promise((r) => setTimeout(r, 500));
  const result = {
    joins,
    leaves,
    delivered: watch.delivered,
    expected: (joins + leaves) * watch.watchers,
    joinLatencies: watch.joinLatencies,
    leaveLatencies: watch.leaveLatencies,
  };
  watch = null;
  return result;
}

/**
 * One more member joins the room the 'connect' sockets are in, `count` times, one at a time: how
 * long its subscribe takes to be answered (the `subscription_succeeded` that carries every member)
 * and until every member has its `member_added`; then it leaves (a clean close), timed until every
 * member has its `member_removed`. All on this process's clock, from the moment the subscribe is sent.
 */
async function roomJoins({ url, channel, key, secret, count }) {
  const succeeded = [];
  let members = 0;
  let frameBytes = 0;
  watch = watching();
  const until = async (done) => {
    const give = performance.now() + 30_000;
    while (!done()) {
      if (performance.now() > give) throw new Error('a member event did not reach every member within 30 s');
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  try {
    for (let i = 0; i < count; i++) {
      const userId = `joiner-${i}`;
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let t0 = 0;
      const joined = new Promise((resolve, reject) => {
        ws.on('message', (raw) => {
          const text = raw.toString();
          if (text.startsWith('{"event":"pusher_internal:subscription_succeeded"')) {
            succeeded.push(performance.now() - t0);
            frameBytes = Buffer.byteLength(text);
            members = JSON.parse(JSON.parse(text).data).presence.count;
            resolve();
          } else if (text.startsWith('{"event":"pusher:connection_established"')) {
            const { socket_id } = JSON.parse(JSON.parse(text).data);
            t0 = performance.now();
            watch.joins.set(userId, { t0, seen: 0 });
            ws.send(JSON.stringify(subscribeFrame(socket_id, channel, { key, secret, userId })));
          } else if (text.startsWith('{"event":"pusher:error"')) reject(new Error(text));
        });
        ws.on('error', reject);
      });
      await joined;
      await until(() => watch.joinLatencies.length === i + 1);
      watch.leaves.set(userId, { t0: performance.now(), seen: 0 });
      ws.close();
      await until(() => watch.leaveLatencies.length === i + 1);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { succeeded, seen: watch.joinLatencies, left: watch.leaveLatencies, members, frameBytes };
  } finally {
    watch = null;
  }
}

/** Rounds timed in this process from just before the pusher library's trigger() to the last arrival. */
async function httpRounds({ host, port, event, count, warmup }) {
  const pusher = new Pusher({
    appId: 'app-id',
    key: 'app-key',
    secret: 'app-secret',
    host,
    port: String(port),
    useTLS: false,
  });
  const times = [];
  for (let i = 0; i < warmup + count; i++) {
    const arrived = new Promise((resolve) => {
      round = { event, n: sockets.length, received: 0, t0: performance.now(), resolve };
    });
    const answered = pusher.trigger('bench', event, { at: 1 });
    const { ms } = await arrived;
    await answered;
    if (i >= warmup) times.push(ms);
    // let the sockets settle so rounds do not overlap
    await new Promise((r) => setTimeout(r, 10));
  }
  return times;
}

/** Rounds timed from just before one byte goes to the embedded server's trigger port. */
async function socketRounds({ port, event, count, warmup }) {
  const socket = connectTcp(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const times = [];
  const firsts = [];
  try {
    for (let i = 0; i < warmup + count; i++) {
      const arrived = new Promise((resolve) => {
        round = { event, n: sockets.length, received: 0, t0: performance.now(), resolve };
      });
      socket.write('t');
      const { ms, first } = await arrived;
      if (i >= warmup) {
        times.push(ms);
        firsts.push(first);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    socket.destroy();
  }
  return { times, firsts };
}

process.on('message', async (msg) => {
  try {
    if (msg.type === 'connect') {
      await connect(msg);
      process.send({ type: 'ready' });
    } else if (msg.type === 'round') {
      round = { event: msg.event, n: sockets.length, received: 0, t0: performance.now() };
      process.send({ type: 'go' });
    } else if (msg.type === 'socketRounds') {
      process.send({ type: 'socketTimes', ...(await socketRounds(msg)) });
    } else if (msg.type === 'httpRounds') {
      process.send({ type: 'httpTimes', times: await httpRounds(msg) });
    } else if (msg.type === 'steady') {
      process.send({ type: 'steadied', ...(await steady(msg)) });
    } else if (msg.type === 'roomJoins') {
      process.send({ type: 'roomJoined', ...(await roomJoins(msg)) });
    } else if (msg.type === 'churn') {
      process.send({ type: 'churned', ...(await churn(msg)) });
    }
  } catch (err) {
    process.send({ type: 'error', message: String(err?.message ?? err) });
  }
});
