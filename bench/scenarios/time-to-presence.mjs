// Time to presence (issue 23): a page with one <whatsup-presence>, in headless Chromium, through a
// TCP proxy that adds 75 ms each way and holds the downlink to 1.6 Mbit/s (bench/latency-proxy.mjs),
// in front of a server built from the real packages (bench/time-to-presence/server.mjs). Measured on
// the page's own clock from navigation start and from the moment its script has run: the first row
// of another member, "live" (the subscription_succeeded frame arrived) and the element's `ready`,
// for a signed-in visitor (others already in the channel) and for a new one (the sign-up form, then
// a sign-up through that form). Baseline, same run, same proxy, same session: pusher-js alone (its
// own pusher.min.js) connecting and subscribing to the same presence channel. The signed-in visitor
// and the baseline once more with the scripts uncompressed, as a server without compression sends them. Each page
// load is a fresh browser context (cold cache, new connections); the five take turns, the order
// reversed every round, so a noisy moment hits them alike.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { startLatencyProxy } from '../latency-proxy.mjs';
import { credentials, here, root, stop, track } from '../processes.mjs';
import { ms, percentile, ratio, target } from '../stats.mjs';
import { CHROMIUM_ARGS } from './element.mjs';

export const title = 'Time to presence (150 ms round trip, 1.6 Mbit/s down, headless Chromium)';
const BUNDLE = 'packages/presence-element/dist/whatsup-presence.bundle.min.js';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHANNEL = 'presence-whatsup-members';
const ONE_WAY_MS = 75;
const DOWN_BPS = 1_600_000;
const UP_BPS = 750_000;
/** People in the channel before any round (so a signed-in visitor has rows to see). */
const OTHERS = ['Ada', 'Bram', 'Chen'];
/** issue 23: the first row after the script runs ≤ 1.0× pusher-js alone subscribed after its script runs. */
const TARGET = 1.0;
const LOAD_TIMEOUT_MS = 20_000;

export function available() {
  if (!existsSync(join(root, BUNDLE))) return `${BUNDLE} is not built (npm run build)`;
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;
  return '';
}

export async function run({ quick, log }) {
  const rounds = quick ? 2 : 5;
  const server = track(
    fork(join(here, 'time-to-presence', 'server.mjs'), {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const cleanups = [() => stop(server)];
  try {
    const [msg] = await Promise.race([
      once(server, 'message'),
      once(server, 'exit').then(([code]) => {
        throw new Error(`the time-to-presence server exited (${code}) while starting`);
      }),
    ]);
    const direct = `http://127.0.0.1:${msg.port}`;
    const proxy = await startLatencyProxy({
      target: { host: '127.0.0.1', port: msg.port },
      oneWayMs: ONE_WAY_MS,
      downBitsPerSecond: DOWN_BPS,
      upBitsPerSecond: UP_BPS,
    });
    cleanups.unshift(() => proxy.close());
    const base = `http://127.0.0.1:${proxy.port}`;

    // The others are in the channel through the real auth route, straight to the server.
    for (const name of OTHERS) {
      const socket = await joinChannel(msg.port, direct, await signUp(direct, name, `${name} is here`));
      cleanups.unshift(() => socket.terminate());
    }
    const me = await signUp(direct, 'Me', 'reading');
    const cookies = me.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: base };
    });

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    cleanups.unshift(() => browser.close());
    const probe = readFileSync(join(here, 'time-to-presence', 'probe.js'), 'utf8');
    let visitors = 0;

    /** One page load in a fresh context (cold cache, new connections): the probe's reading. */
    const load = async (path, { signedIn, until, then }) => {
      const context = await browser.newContext();
      try {
        if (signedIn) await context.addCookies(cookies);
        await context.addInitScript({ content: probe });
        const page = await context.newPage();
        const errors = [];
        page.on('pageerror', (err) => errors.push(err.message));
        const before = proxy.stats();
        await page.goto(`${base}${path}`, { waitUntil: 'commit' });
        await page.waitForFunction(until, null, { timeout: LOAD_TIMEOUT_MS, polling: 50 });
        if (then) await then(page);
        const reading = await page.evaluate(() => globalThis.__ttp.read());
        const after = proxy.stats();
        if (errors.length) throw new Error(`${path}: page error: ${errors[0]}`);
        return {
          ...reading,
          connections: after.connections - before.connections,
          bytesDown: after.bytesDown - before.bytesDown,
        };
      } finally {
        await context.close();
      }
    };
    const settled = () => globalThis.__ttp.row && globalThis.__ttp.live && globalThis.__ttp.ready;
    const subscribed = () => globalThis.__ttp.live && globalThis.__ttp.subscribed();
    const kinds = {
      // pusher-js alone, with the same session: its script, then connect, authorize, subscribe
      pusher: () => load('/pusher.html', { signedIn: true, until: subscribed }),
      // then a real hover of my row: the editor's chunk is fetched ahead of the first open
      signedIn: () =>
        load('/element.html', {
          signedIn: true,
          until: settled,
          then: async (page) => {
            await page.evaluate(() => performance.mark('bench:hover'));
            await page.locator('whatsup-presence [part~="me"]').hover();
            await page.waitForFunction(
              () =>
                performance
                  .getEntriesByType('resource')
                  .some((e) => e.name.endsWith('/whatsup-presence.editor.min.js') && e.responseEnd > 0),
              null,
              { timeout: LOAD_TIMEOUT_MS, polling: 20 },
            );
          },
        }),
      // the form, then a sign-up through it as a person would, then rows and live
      newVisitor: () =>
        load('/element.html', {
          signedIn: false,
          until: () => globalThis.__ttp.form && globalThis.__ttp.ready,
          then: async (page) => {
            visitors++;
            await page.evaluate(
              (name) => globalThis.__ttp.signUp(name, 'just arrived'),
              `Visitor ${visitors}`,
            );
            await page.waitForFunction(settled, null, { timeout: LOAD_TIMEOUT_MS, polling: 50 });
          },
        }),
      // the scripts uncompressed, as a server without compression sends them (res.sendFile)
      pusherIdentity: () => load('/pusher.html?enc=identity', { signedIn: true, until: subscribed }),
      signedInIdentity: () => load('/element.html?enc=identity', { signedIn: true, until: settled }),
    };

    const names = Object.keys(kinds);
    const results = Object.fromEntries(names.map((k) => [k, []]));
    // A warm-up, not counted: the server's JIT (bootstrap, auth, sign-up) and Chromium's first
    // contexts. Then the kinds take turns, the order reversed every round.
    for (const name of ['signedIn', 'newVisitor', 'pusher']) await kinds[name]();
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 ? [...names].reverse() : names;
      for (const name of order) results[name].push(await kinds[name]());
      log(`time-to-presence: round ${i + 1}/${rounds}: ${brief(results, i)}`);
    }
    return { rounds, results };
  } finally {
    for (const fn of cleanups) await fn();
  }
}

/** Signs up through POST /register, straight to the server; returns the session cookie. */
async function signUp(direct, username, status) {
  const res = await fetch(`${direct}/whatsup/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, status }),
  });
  if (!res.ok) throw new Error(`POST /register answered ${res.status}: ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

/** A raw Pusher-protocol client in the channel, authorized by the auth route with `cookie`. */
async function joinChannel(port, direct, cookie) {
  const socket = new WebSocket(
    `ws://127.0.0.1:${port}/app/${credentials.key}?protocol=7&client=js&version=8.6.0&flash=false`,
  );
  const frames = [];
  let wake = () => {};
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (frame.event === 'pusher:ping') socket.send(JSON.stringify({ event: 'pusher:pong', data: {} }));
    frames.push(frame);
    wake();
  });
  const next = async (event) => {
    for (;;) {
      const at = frames.findIndex((f) => f.event === event || f.event === 'pusher:error');
      if (at >= 0) {
        const [frame] = frames.splice(at, 1);
        if (frame.event === 'pusher:error') throw new Error(`joining: ${JSON.stringify(frame.data)}`);
        return frame;
      }
      await new Promise((resolve) => (wake = resolve));
    }
  };
  const established = await next('pusher:connection_established');
  const { socket_id: socketId } = JSON.parse(established.data);
  const res = await fetch(`${direct}/whatsup/usersystem/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: `socket_id=${encodeURIComponent(socketId)}&channel_name=${CHANNEL}`,
  });
  if (!res.ok) throw new Error(`POST /usersystem/auth answered ${res.status}: ${await res.text()}`);
  const auth = await res.json();
  socket.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: CHANNEL, ...auth } }));
  await next('pusher_internal:subscription_succeeded');
  return socket;
}

function brief(results, i) {
  const p = results.pusher[i];
  const s = results.signedIn[i];
  const n = results.newVisitor[i];
  const f = (v) => Math.round(v);
  return `after the script: pusher-js subscribed ${f(p.subscribed - p.scriptRan)} ms; signed in: row ${f(s.row - s.scriptRan)}, live ${f(s.live - s.scriptRan)}, ready ${f(s.ready - s.scriptRan)} ms; new: form ${f(n.form - n.scriptRan)} ms, then row ${f(n.row - n.submitted)} ms after the sign-up`;
}

const p50 = (xs) => percentile(xs, 50);
const spread = (xs) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
/** p50 of `key` over the rounds, from navigation start (0) or from another mark of the same load. */
const at = (readings, key, from) => p50(readings.map((r) => r[key] - (from ? r[from] : 0)));
const all = (readings, key, from) => readings.map((r) => r[key] - (from ? r[from] : 0));

/** The requests a load had started before `until` (the page itself first), as paths. */
function requestsBefore(reading, until, since = 0) {
  const started = reading.requests.filter((q) => q.start >= since && q.start < until);
  return { paths: [...(since ? [] : ['the page']), ...started.map((q) => q.path)], started };
}

/** The scripts that had fully arrived before `until`: name, bytes as sent (encoded) and unpacked. */
function scriptsBefore(reading, until) {
  return reading.requests
    .filter((q) => q.path.endsWith('.js') && q.end <= until)
    .map((q) => ({ name: q.path.split('/').pop(), encoded: q.encoded, decoded: q.decoded }));
}

/** When the load's GET /bootstrap was sent and had its answer (0: none). */
const bootstrapOf = (reading) => reading.requests.find((q) => q.path === '/whatsup/bootstrap');

/** The most frequent value of `f` over the rounds, and how many rounds had it. */
function usual(readings, f) {
  const counts = new Map();
  for (const r of readings) {
    const key = JSON.stringify(f(r));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const [key, n] = [...counts].sort((a, b) => b[1] - a[1])[0];
  return { value: JSON.parse(key), n, of: readings.length };
}

const B = (n) => `${n.toLocaleString('en-US')} B`;
const short = (path) =>
  path.startsWith('/whatsup/') ? `\`${path.replace('/whatsup', '')}\`` : path.split('/').pop();

/** The editor's chunk: when it had arrived, from the hover of my row. */
const withEditor = (readings) =>
  readings.map((x) => ({
    ...x,
    editor: x.requests.find((q) => q.path.endsWith('/whatsup-presence.editor.min.js'))?.end ?? 0,
  }));

const withBootstrap = (readings) =>
  readings.map((x) => ({
    ...x,
    bootstrapSent: bootstrapOf(x)?.start ?? 0,
    bootstrap: bootstrapOf(x)?.end ?? 0,
  }));

export function headline(r) {
  const base = at(r.results.pusher, 'subscribed', 'scriptRan');
  const row = at(r.results.signedIn, 'row', 'scriptRan');
  const live = at(r.results.signedIn, 'live', 'scriptRan');
  return [
    [
      'time to presence: first member row after the script runs (signed in; 150 ms round trip, 1.6 Mbit/s)',
      ms(row),
      `pusher-js alone subscribed ${ms(base)}`,
      ratio(row, base),
      ...target(row, base, 'max', TARGET),
    ],
    [
      'time to presence: live (subscribed) after the script runs (signed in)',
      ms(live),
      `pusher-js alone subscribed ${ms(base)}`,
      ratio(live, base),
      '—',
      '',
    ],
  ];
}

export function report(r) {
  const { pusher, signedIn, newVisitor, pusherIdentity, signedInIdentity } = r.results;
  const base = at(pusher, 'subscribed', 'scriptRan');
  const baseId = at(pusherIdentity, 'subscribed', 'scriptRan');
  const line = (label, readings, key, { after = true, vs = base, bold = false } = {}) => {
    const nav = at(readings, key);
    const cells = [
      `${ms(nav)} (${spread(all(readings, key))})`,
      after ? `${ms(at(readings, key, 'scriptRan'))} (${spread(all(readings, key, 'scriptRan'))})` : '—',
      after && vs ? ratio(at(readings, key, 'scriptRan'), vs) : '—',
    ];
    if (bold) cells[1] = `**${cells[1]}**`;
    return `| ${label} | ${cells.join(' | ')} |`;
  };
  const sinceSubmit = (label, key, vs = base) => {
    const v = at(newVisitor, key, 'submitted');
    return `| ${label} | ${ms(v)} (${spread(all(newVisitor, key, 'submitted'))}) | ${vs ? ratio(v, vs) : '—'} |`;
  };

  const editor = all(withEditor(signedIn), 'editor', 'pointer');
  const rtt = 2 * ONE_WAY_MS;
  const rowReqs = usual(signedIn, (x) => requestsBefore(x, x.row).paths);
  const rowBytes = usual(signedIn, (x) => scriptsBefore(x, x.row));
  const formReqs = usual(newVisitor, (x) => requestsBefore(x, x.form).paths);
  const formBytes = usual(newVisitor, (x) => scriptsBefore(x, x.form));
  const readyReqs = usual(signedIn, (x) => requestsBefore(x, x.ready + 1).paths);
  const signUpReqs = usual(newVisitor, (x) => requestsBefore(x, x.row, x.submitted).paths);
  const newReadyReqs = usual(newVisitor, (x) => requestsBefore(x, x.ready + 1).paths);
  const baseReqs = usual(pusher, (x) => requestsBefore(x, x.subscribed + 1).paths);
  const baseBytes = usual(pusher, (x) => scriptsBefore(x, x.subscribed));
  const list = (u) =>
    `${u.value.length}: ${u.value.map(short).join(', ')}${u.n < u.of ? ` (in ${u.n} of ${u.of} rounds)` : ''}`;
  const bytes = (u) =>
    u.value.map((f) => `${f.name} ${B(f.encoded)} (${B(f.decoded)} unpacked)`).join(' + ') +
    (u.n < u.of ? ` (in ${u.n} of ${u.of} rounds)` : '');
  const conns = (readings) => p50(readings.map((x) => x.connections));
  const down = (readings) => B(p50(readings.map((x) => x.bytesDown)));

  return [
    `Every byte between Chromium and the server goes through \`bench/latency-proxy.mjs\`: ${ONE_WAY_MS} ms each way (${2 * ONE_WAY_MS} ms round trip), one shared link of ${DOWN_BPS / 1e6} Mbit/s towards the browser and ${UP_BPS / 1e3} kbit/s towards the server for all bytes and connections (Lighthouse's "Slow 4G"), and a new TCP connection's first bytes wait one more round trip (its handshake). Scripts are sent gzip -9 (\`Content-Encoding: gzip\`) unless said otherwise. ${r.rounds} rounds (p50, with the range), each page load in a fresh browser context (cold cache, new connections), after a warm-up (one load of each of the three gzip pages, not counted); the five loads take turns, the order reversed every round. Times are the page's own clock: from navigation start, and from the moment its script has run (an inline script right after it marks the time; the bundle and \`pusher.min.js\` are classic scripts in \`<head>\`).`,
    '',
    `| scripts gzip | from navigation start, p50 (range) | after the script ran, p50 (range) | ÷ pusher-js alone subscribed after its script |`,
    '|---|---|---|---|',
    line('pusher-js alone (baseline): its script ran', pusher, 'scriptRan', { after: false }),
    line('pusher-js alone: its WebSocket opened', pusher, 'socket', { vs: 0 }),
    line('pusher-js alone: `pusher:subscription_succeeded`', pusher, 'subscribed'),
    line('signed in, others in the channel: the bundle ran', signedIn, 'scriptRan', { after: false }),
    line('signed in: `GET /bootstrap` sent', withBootstrap(signedIn), 'bootstrapSent', { vs: 0 }),
    line('signed in: `GET /bootstrap` answered', withBootstrap(signedIn), 'bootstrap', { vs: 0 }),
    line('signed in: **the first member row** (target ≤ 1.00×)', signedIn, 'row', { bold: true }),
    line('signed in: pusher-js opened its WebSocket', signedIn, 'socket', { vs: 0 }),
    line('signed in: live (the `subscription_succeeded` frame arrived)', signedIn, 'live'),
    line('signed in: `ready` settled (subscribed, then `GET /members` checked)', signedIn, 'ready'),
    line('new visitor (no session): the bundle ran', newVisitor, 'scriptRan', { after: false }),
    line('new visitor: the sign-up form', newVisitor, 'form'),
    '',
    `| new visitor, after submitting the form (name and status filled in, \`requestSubmit()\`) | from the submit, p50 (range) | ÷ pusher-js alone subscribed after its script |`,
    '|---|---|---|',
    sinceSubmit('signed in (`whatsup-signed-in`: `POST /register` answered)', 'signedIn', 0),
    sinceSubmit('pusher-js opened its WebSocket', 'socket', 0),
    sinceSubmit('the first member row', 'row'),
    sinceSubmit('live (the `subscription_succeeded` frame arrived)', 'live'),
    sinceSubmit('`ready` settled', 'ready'),
    '',
    `| scripts uncompressed, as a server without compression sends them (\`res.sendFile\`) | from navigation start, p50 (range) | after the script ran, p50 (range) | ÷ pusher-js alone (uncompressed) subscribed after its script |`,
    '|---|---|---|---|',
    line('pusher-js alone: its script ran', pusherIdentity, 'scriptRan', { after: false }),
    line('pusher-js alone: `pusher:subscription_succeeded`', pusherIdentity, 'subscribed', { vs: baseId }),
    line('signed in: the bundle ran', signedInIdentity, 'scriptRan', { after: false }),
    line('signed in: the first member row', signedInIdentity, 'row', { vs: baseId }),
    line('signed in: live', signedInIdentity, 'live', { vs: baseId }),
    '',
    `| signed in, once \`ready\`: a hover of my row (playwright's mouse), from the first \`pointerover\` | p50 (range) | ÷ one round trip (${rtt} ms) |`,
    '|---|---|---|',
    `| → the editor's chunk (\`whatsup-presence.editor.min.js\`, ${B(usual(signedIn, (x) => x.requests.find((q) => q.path.endsWith('.editor.min.js'))?.encoded ?? 0).value)} gzip) had arrived | ${ms(p50(editor))} (${spread(editor)}) | ${ratio(p50(editor), rtt)} |`,
    '',
    '| requests (gzip) | started before it, in order | JavaScript arrived before it (as sent) | TCP connections, bytes down per load |',
    '|---|---|---|---|',
    `| signed in: the first member row | ${list(rowReqs)} | ${bytes(rowBytes)} | ${conns(signedIn)}, ${down(signedIn)} (until \`ready\`, then the editor's chunk after the hover) |`,
    `| signed in: \`ready\` | ${list(readyReqs)}, and the WebSocket | | |`,
    `| new visitor: the sign-up form | ${list(formReqs)} | ${bytes(formBytes)} | |`,
    `| new visitor: from the submit to the first row | ${list(signUpReqs)}, and the WebSocket | | ${conns(newVisitor)}, ${down(newVisitor)} (the whole load) |`,
    `| new visitor: everything until \`ready\` after the sign-up | ${list(newReadyReqs)}, and the WebSocket | | |`,
    `| pusher-js alone: subscribed | ${list(baseReqs)}, and the WebSocket | ${bytes(baseBytes)} | ${conns(pusher)}, ${down(pusher)} |`,
    '',
    `How it is read. *First member row*: a MutationObserver on the panel's shadow root sees the first \`[part~="list"] > [part~="member"]\` that is not mine (${OTHERS.length} others are in the channel before the rounds: real sign-ups, authorized by the auth route, raw Pusher-protocol sockets straight to the server); its callback runs right after the render, before the next task. *Live*: the \`pusher_internal:subscription_succeeded\` frame reaching the page, read the same way for the element and for pusher-js alone (the page's \`WebSocket\` is wrapped in a subclass that listens before pusher-js does); the element has no public signal at that moment: its \`ready\` settles after the \`GET /members\` check that follows the subscription, one more round trip (given too). pusher-js alone is its own \`dist/web/pusher.min.js\` (${B(baseBytes.value[0]?.encoded ?? 0)} gzip) on a page of its own with the same session cookie, connecting to the same server through the same proxy and subscribing to the same presence channel through the same auth route (\`POST /whatsup/usersystem/auth\`). Requests are the page's resource timing (the page itself added first; WebSocket connections are not in it and are said apart). The target's ratio compares the first member row after the bundle ran with pusher-js alone subscribed after \`pusher.min.js\` ran: the list is on screen before a bare pusher-js client could be subscribed.`,
  ];
}
