// Slow bodies (issue 20, item 8): 1,000 connections each send 255 kB of a declared 256 kB body to the
// embedded server's HTTP API with no signature, and 200 more that do sign (they know the secret), then
// every one of them stalls; then they all leave, and the same again. Measured: the server process's
// RSS and what its heap and Buffers hold, before (settled), during each stall and 15 s after each
// round's clients left (each after a full GC), as ratios to before. The server is the bench's
// embedded one (bench/embedded-server.mjs: the realtime server attached to Express, with its default
// limits), alone in its process.
import { createHash, createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { credentials, request, settledRss, startEmbedded } from '../processes.mjs';
import { int, ratio, target } from '../stats.mjs';

export const title = 'Slow bodies (memory a stranger can pin)';

const DECLARED = 256 * 1024;
const SENT = 255 * 1024;
const PATH = `/apps/${credentials.appId}/events`;

/** The query the pusher library would send for this body (what an attacker with the secret can make). */
function signedQuery(body) {
  const params = {
    auth_key: credentials.key,
    auth_timestamp: String(Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    body_md5: createHash('md5').update(body).digest('hex'),
  };
  const query = Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
  const signature = createHmac('sha256', credentials.secret)
    .update(['POST', PATH, query].join('\n'))
    .digest('hex');
  return `?${query}&auth_signature=${signature}`;
}

/** One stalling client: the head, `SENT` bytes of the body, then nothing. Resolves once written. */
function stall(port, query, statuses) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let head = '';
  socket.on('data', (chunk) => {
    if (head.includes('\r\n')) return;
    head += chunk.toString('latin1');
    const status = /^HTTP\/1\.1 (\d+)/.exec(head)?.[1];
    if (status !== undefined) statuses[status] = (statuses[status] ?? 0) + 1;
  });
  socket.write(
    `POST ${PATH}${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${DECLARED}\r\n\r\n`,
  );
  const written = new Promise((resolve) => socket.write(Buffer.alloc(SENT, 'z'), () => resolve()));
  return { socket, written };
}

/** What the server's heap and Buffers hold after a full GC (bench/embedded-server.mjs 'memory'). */
async function held(server) {
  const { usage } = await request(server.child, { type: 'memory' }, 'memory');
  return usage.heapUsed + usage.arrayBuffers;
}

/** One attack: every client sends its head and most of its body, stalls, and after the reading leaves. */
async function attack(server, strangers, signed) {
  const statuses = {};
  const query = signedQuery('{"name":"e","channels":["c"],"data":"{}"}');
  const clients = [];
  for (let i = 0; i < strangers + signed; i++) {
    clients.push(stall(server.port, i < strangers ? '' : query, statuses));
    // a few at a time, so the kernel's accept queue is not what refuses them
    if (i % 50 === 49) await Promise.all(clients.slice(-50).map((c) => c.written));
  }
  await Promise.all(clients.map((c) => c.written));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const during = { rss: await server.rss(), held: await held(server) };
  for (const { socket } of clients) socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  const after = { rss: await server.rss(), held: await held(server) };
  return { statuses, during, after };
}

export async function run(ctx) {
  const strangers = ctx.quick ? 300 : 1000;
  const signed = ctx.quick ? 60 : 200;
  const server = await startEmbedded();
  try {
    const before = { rss: await settledRss(server), held: await held(server) };
    ctx.log(
      `slow-body: RSS before ${int(before.rss / 2 ** 20)} MB; ${strangers} + ${signed} stalling clients, twice`,
    );
    const rounds = [await attack(server, strangers, signed), await attack(server, strangers, signed)];
    const row = { strangers, signed, before, rounds };
    ctx.log(`slow-body: ${JSON.stringify(row)}`);
    return row;
  } finally {
    await server.stop();
  }
}

const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

export function headline(r) {
  const last = r.rounds.at(-1);
  return [
    [
      `heap + Buffers 15 s after ${int(r.strangers + r.signed)} slow-body clients left (second round)`,
      mb(last.after.held),
      `before ${mb(r.before.held)}`,
      ratio(last.after.held, r.before.held),
      ...target(last.after.held, r.before.held, 'max', 1.1),
    ],
    [
      `RSS 15 s after ${int(r.strangers + r.signed)} slow-body clients left (second round)`,
      mb(last.after.rss),
      `before ${mb(r.before.rss)}`,
      ratio(last.after.rss, r.before.rss),
      ...target(last.after.rss, r.before.rss, 'max', 1.5),
    ],
  ];
}

export function report(r) {
  const answers = Object.entries(r.rounds[0].statuses)
    .map(([status, n]) => `${int(n)} × ${status}`)
    .join(', ');
  const line = (what, x) =>
    `| ${what} | ${mb(x.rss)} | ${ratio(x.rss, r.before.rss)} | ${mb(x.held)} | ${ratio(x.held, r.before.held)} |`;
  return [
    `${int(r.strangers)} clients with no signature and ${int(r.signed)} with a valid one each sent ${int(SENT / 1024)} kB of a declared ${int(DECLARED / 1024)} kB body to \`POST ${PATH}\` and stalled; 2 s later their memory was read, then they all left; 15 s later it was read again; then a second round the same. Answers while they stalled (first round): ${answers || 'none'}.`,
    '',
    '| server, after a full GC | RSS | ÷ before | heap + Buffers | ÷ before |',
    '|---|---|---|---|---|',
    line('before (RSS settled)', r.before),
    ...r.rounds.flatMap((round, i) => [
      line(`round ${i + 1}: during the stall`, round.during),
      line(`round ${i + 1}: 15 s after the clients left`, round.after),
    ]),
    '',
    'Before issue 20 the HTTP API read every body whole before checking anything: 1,000 such clients took the RSS from 79 to 336 MB and held it until Node’s 300 s request timeout. Now the signature (which covers `body_md5`) is checked before a byte of the body is read, a refused request’s connection is closed once its answer is written (its body is not read on), a body is given `limits.requestBodyTimeout` (10 s), and at most `limits.requestBodiesPerAddress` (32) are read from one address at once. The heap and Buffers come back to where they were (the few hundred kB above are Node’s pool of up to 1,000 HTTP parsers, kept for reuse). RSS settles 15–30 % above where it was: glibc’s allocator keeps the pages of its main heap that 1,200 simultaneous connections used (their sockets, parsers and read buffers) for reuse rather than give them back, and a second round reuses them instead of adding to them. Before issue 20 the same attack held 5.6× the RSS (69 → 390 MB, on this machine).',
  ];
}
