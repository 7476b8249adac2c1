// 4. Requests per second of POST /whatsup/usersystem/auth (form body, signed-in session cookie)
// against a bare route on the same server and session middleware answering JSON of exactly the
// same size. autocannon, the same request (method, headers, cookie, body) to both, one route at a
// time: a warm-up of each that is not counted, then eight slices in the order bare, auth, auth,
// bare, bare, auth, auth, bare, so a drift in the shared machine's load hits both alike. Also the
// server process's CPU time per request (user + system from /proc), steadier than requests/s
// when other work shares the cores.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { register, request, startEmbedded } from '../processes.mjs';
import { int, ratio, target } from '../stats.mjs';

export const title = 'Auth route (`POST /whatsup/usersystem/auth` with a session)';

const ORDER = ['bare', 'auth', 'auth', 'bare', 'bare', 'auth', 'auth', 'bare'];

export async function run({ quick, log }) {
  const duration = quick ? 2 : 6;
  const slice = duration / (ORDER.length / 2);
  const server = await startEmbedded();
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const { cookie } = await register(`${base}/whatsup`, 'bench-auth');
    const common = {
      method: 'POST',
      connections: 10,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: 'socket_id=1234.5678&channel_name=presence-whatsup-members',
    };
    const paths = { bare: '/bare', auth: '/whatsup/usersystem/auth' };
    const sample = await fetch(`${base}${paths.auth}`, common);
    const text = await sample.text();
    if (!sample.ok) throw new Error(`the auth route answered ${sample.status}: ${text}`);
    const { bytes } = await request(
      server.child,
      { type: 'bare-size', bytes: Buffer.byteLength(text) },
      'sized',
    );
    const headers = {};
    for (const name of ['bare', 'auth']) {
      const res = await fetch(`${base}${paths[name]}`, common);
      await res.text();
      headers[name] = [...res.headers.keys()].sort();
    }
    // Warm-up, not counted: the first requests on a fresh process pay for JIT compilation and the
    // heap's growth, which would otherwise land on whichever route goes first.
    for (const name of ['bare', 'auth']) {
      await autocannon({ ...common, duration: quick ? 0.5 : 1, url: `${base}${paths[name]}` });
    }
    const totals = {
      bare: { requests: 0, seconds: 0, cpuMs: 0, problems: 0 },
      auth: { requests: 0, seconds: 0, cpuMs: 0, problems: 0 },
    };
    for (const name of ORDER) {
      const cpu = cpuMs(server.child.pid);
      const r = await autocannon({ ...common, duration: slice, url: `${base}${paths[name]}` });
      totals[name].cpuMs += cpuMs(server.child.pid) - cpu;
      totals[name].requests += r.requests.total;
      totals[name].seconds += r.duration;
      totals[name].problems += r.errors + r.non2xx;
    }
    const cpuKnown = !Number.isNaN(totals.bare.cpuMs);
    const result = {
      duration,
      slice,
      bytes,
      authBytes: Buffer.byteLength(text),
      headers,
      bare: totals.bare.requests / totals.bare.seconds,
      auth: totals.auth.requests / totals.auth.seconds,
      bareCpuUs: cpuKnown ? (totals.bare.cpuMs * 1000) / totals.bare.requests : undefined,
      authCpuUs: cpuKnown ? (totals.auth.cpuMs * 1000) / totals.auth.requests : undefined,
      problems: totals.bare.problems + totals.auth.problems,
    };
    log(`auth route: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await server.stop();
  }
}

/** CPU time (user + system) a process has used, in ms; NaN where /proc is missing. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, in clock ticks of 10 ms (USER_HZ is 100 on Linux)
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** One line for the summary at the top of BENCHMARKS.md. */
export function headline(r) {
  return [
    [
      'auth route, requests/s',
      int(r.auth),
      `bare route ${int(r.bare)}`,
      ratio(r.auth, r.bare),
      ...target(r.auth, r.bare, 'min', 0.85),
    ],
  ];
}

export function report(r) {
  const cpu = r.bareCpuUs !== undefined;
  const extra = r.headers ? r.headers.auth.filter((h) => !r.headers.bare.includes(h)) : [];
  return [
    `| | requests/s | ratio |${cpu ? ' server CPU per request | ratio (bare ÷ auth) |' : ''}`,
    `|---|---|---|${cpu ? '---|---|' : ''}`,
    `| baseline: bare Express route, same server and session middleware, ${r.bytes}-byte JSON | ${int(r.bare)} | 1.00× |${cpu ? ` ${int(r.bareCpuUs)} µs | 1.00× |` : ''}`,
    `| whatsup auth route (session, channel rule, HMAC signature), ${r.authBytes}-byte JSON | ${int(r.auth)} | **${ratio(r.auth, r.bare)}** |${cpu ? ` ${int(r.authCpuUs)} µs | ${ratio(r.bareCpuUs, r.authCpuUs)} |` : ''}`,
    '',
    `autocannon, 10 connections, the same request to both (form body, session cookie); after a warm-up of each route that is not counted, ${r.duration} s each in eight slices of ${r.slice} s (bare, auth, auth, bare, bare, auth, auth, bare) so a drift in the shared machine's load cancels out; ${r.problems} errors or non-2xx answers. The server runs in its own process; its CPU time per request is read from /proc around each slice.` +
      (extra.length ? ` Headers only the auth route sends: ${extra.map((h) => `\`${h}\``).join(', ')}.` : ''),
  ];
}
