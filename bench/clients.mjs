// Lightweight Pusher-protocol clients (raw ws) in their own process, so the client side is not what
// is measured. Driven over IPC by run.mjs:
//   {type:'connect', url, n, channel, secret?, presence?}  → {type:'ready'}
//   {type:'round', event}                                  → {type:'go'} then {type:'done', ms}
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

let sockets = [];
let pending = null;
let counting = null;

function subscribeFrame(socketId, channel, secret, key, i) {
  if (!channel.startsWith('presence-')) return { event: 'pusher:subscribe', data: { channel, auth: '' } };
  const channelData = JSON.stringify({
    user_id: `bench-${i}`,
    user_info: { name: `Bench ${i}`, status: '' },
  });
  const sig = createHmac('sha256', secret).update(`${socketId}:${channel}:${channelData}`).digest('hex');
  return { event: 'pusher:subscribe', data: { channel, auth: `${key}:${sig}`, channel_data: channelData } };
}

async function connect({ url, n, channel, secret, key }) {
  let subscribed = 0;
  await new Promise((resolve, reject) => {
    for (let i = 0; i < n; i++) {
      const ws = new WebSocket(url);
      ws.on('error', reject);
      ws.on('message', (raw) => {
        const msg = JSON.parse(raw.toString());
        if (msg.event === 'pusher:connection_established') {
          const { socket_id } = JSON.parse(msg.data);
          ws.send(JSON.stringify(subscribeFrame(socket_id, channel, secret, key, i)));
        } else if (msg.event === 'pusher_internal:subscription_succeeded') {
          if (++subscribed === n) resolve();
        } else if (counting && counting.events.includes(msg.event)) {
          counting.count++;
        } else if (pending && msg.event === pending.event) {
          if (++pending.received === n) {
            const ms = performance.now() - pending.t0;
            pending = null;
            process.send({ type: 'done', ms });
          }
        }
      });
      sockets.push(ws);
    }
  });
}

/** M loops, each: connect, join the presence channel as a new member, leave, again — for durationMs. */
async function churn({ url, m, durationMs, channel, secret, key }) {
  const end = performance.now() + durationMs;
  let joins = 0;
  let next = 0;
  const loop = () =>
    new Promise((resolve) => {
      const once = () => {
        if (performance.now() >= end) return resolve();
        const i = next++;
        const ws = new WebSocket(url);
        ws.on('error', () => {});
        ws.on('close', once);
        ws.on('message', (raw) => {
          const msg = JSON.parse(raw.toString());
          if (msg.event === 'pusher:connection_established') {
            const { socket_id } = JSON.parse(msg.data);
            ws.send(JSON.stringify(subscribeFrame(socket_id, channel, secret, key, 100_000 + i)));
          } else if (msg.event === 'pusher_internal:subscription_succeeded') {
            joins++;
            ws.close();
          }
        });
      };
      once();
    });
  await Promise.all(Array.from({ length: m }, loop));
  return joins;
}

process.on('message', async (msg) => {
  if (msg.type === 'count-start') {
    counting = { events: msg.events, count: 0 };
    process.send({ type: 'counting' });
    return;
  }
  if (msg.type === 'count-stop') {
    process.send({ type: 'counted', count: counting?.count ?? 0 });
    counting = null;
    return;
  }
  if (msg.type === 'churn') {
    process.send({ type: 'churned', joins: await churn(msg) });
    return;
  }
  if (msg.type === 'connect') {
    await connect(msg);
    process.send({ type: 'ready' });
  } else if (msg.type === 'round') {
    pending = { event: msg.event, received: 0, t0: performance.now() };
    process.send({ type: 'go' });
  } else if (msg.type === 'close') {
    for (const ws of sockets) ws.terminate();
    sockets = [];
    process.send({ type: 'closed' });
  }
});
