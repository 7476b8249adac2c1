// 4. Requests per second of POST /whatsup/usersystem/auth (form body, signed-in session cookie)
// against a bare route on the same server and session middleware answering JSON of exactly the
// same size. autocannon, one after the other, same connections and duration.
import autocannon from 'autocannon';
import { register, request, startEmbedded } from '../processes.mjs';
import { int, ratio } from '../stats.mjs';

export const title = 'Auth route (`POST /whatsup/usersystem/auth` with a session)';

export async function run({ quick, log }) {
  const duration = quick ? 2 : 5;
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
    const bare = await autocannon({ ...common, url: `${base}/bare` });
    const auth = await autocannon({ ...common, url: `${base}/whatsup/usersystem/auth` });
    const result = {
      duration,
      bytes,
      authBytes: Buffer.byteLength(text),
      bare: bare.requests.average,
      auth: auth.requests.average,
      bareLatency: bare.latency.p50,
      authLatency: auth.latency.p50,
      problems: auth.errors + auth.non2xx + bare.errors + bare.non2xx,
    };
    log(`auth route: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await server.stop();
  }
}

export function report(r) {
  return [
    '| | requests/s | ratio |',
    '|---|---|---|',
    `| baseline: bare Express route, same server and session middleware, ${r.bytes}-byte JSON | ${int(r.bare)} | 1.00× |`,
    `| whatsup auth route (session, channel rule, HMAC signature), ${r.authBytes}-byte JSON | ${int(r.auth)} | **${ratio(r.auth, r.bare)}** |`,
    '',
    `autocannon, 10 connections, ${r.duration} s each, one after the other; ${r.problems} errors or non-2xx answers. The server runs in its own process.`,
  ];
}
