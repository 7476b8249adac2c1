// 4. Requests per second of POST /whatsup/usersystem/auth (form body, signed-in session cookie)
// against a bare route on the same server and session middleware answering JSON of exactly the
// same size. autocannon, one after the other, same connections and duration.
import autocannon from 'autocannon';
import { register, request, startEmbedded } from '../processes.mjs';
import { int, ratio, target } from '../stats.mjs';

export const title = 'Auth route (`POST /whatsup/usersystem/auth` with a session)';

export async function run({ quick, log }) {
  const duration = quick ? 2 : 6;
  const server = await startEmbedded();
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const { cookie } = await register(`${base}/whatsup`, 'bench-auth');
    const common = {
      method: 'POST',
      connections: 10,
      duration,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: 'socket_id=1234.5678&channel_name=presence-whatsup-members',
    };
    const sample = await fetch(`${base}/whatsup/usersystem/auth`, common);
    const text = await sample.text();
    if (!sample.ok) throw new Error(`the auth route answered ${sample.status}: ${text}`);
    const { bytes } = await request(
      server.child,
      { type: 'bare-size', bytes: Buffer.byteLength(text) },
      'sized',
    );
    // Bare, auth, auth, bare: slices in an order that cancels a drift in the machine's load.
    const totals = {
      bare: { requests: 0, seconds: 0, problems: 0 },
      auth: { requests: 0, seconds: 0, problems: 0 },
    };
    for (const name of ['bare', 'auth', 'auth', 'bare']) {
      const path = name === 'bare' ? '/bare' : '/whatsup/usersystem/auth';
      const r = await autocannon({ ...common, duration: duration / 2, url: `${base}${path}` });
      totals[name].requests += r.requests.total;
      totals[name].seconds += r.duration;
      totals[name].problems += r.errors + r.non2xx;
    }
    const result = {
      duration,
      bytes,
      authBytes: Buffer.byteLength(text),
      bare: totals.bare.requests / totals.bare.seconds,
      auth: totals.auth.requests / totals.auth.seconds,
      problems: totals.bare.problems + totals.auth.problems,
    };
    log(`auth route: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await server.stop();
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
  return [
    '| | requests/s | ratio |',
    '|---|---|---|',
    `| baseline: bare Express route, same server and session middleware, ${r.bytes}-byte JSON | ${int(r.bare)} | 1.00× |`,
    `| whatsup auth route (session, channel rule, HMAC signature), ${r.authBytes}-byte JSON | ${int(r.auth)} | **${ratio(r.auth, r.bare)}** |`,
    '',
    `autocannon, 10 connections, ${r.duration} s each, in four slices of ${r.duration / 2} s (bare, auth, auth, bare) so a drift in the shared machine's load cancels out; ${r.problems} errors or non-2xx answers. The server runs in its own process.`,
  ];
}
