#!/usr/bin/env node
// whatsup-announce "text": pushes an announcement to every open <whatsup-presence>, like the seed's console command.
import { announce } from './announce.js';
import { pusherOptionsFromEnv } from './env.js';

const usage = `Usage: whatsup-announce "message"

Publishes an announcement to every page showing <whatsup-presence>; each shows it as a toast.

Environment (all optional; with none set it reaches the local demo, \`npm start\`):
  PUSHER_APP_ID, PUSHER_KEY, PUSHER_SECRET   app credentials (default app-id / app-key / app-secret)
  PUSHER_CLUSTER                             Pusher Channels cluster, e.g. eu
  PUSHER_HOST, PUSHER_PORT, PUSHER_USE_TLS   a Pusher-protocol host (default 127.0.0.1, $PORT or 3000, false)
  WHATSUP_CHANNEL                            default presence-whatsup-members`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(usage);
  process.exit(0);
}
const message = args.join(' ');
if (!message.trim()) {
  console.error(`whatsup-announce: no message given\n\n${usage}`);
  process.exit(1);
}

try {
  const pusher = pusherOptionsFromEnv() ?? {
    appId: 'app-id',
    key: 'app-key',
    secret: 'app-secret',
    host: '127.0.0.1',
    port: process.env.PORT ?? '3000',
    useTLS: false,
  };
  const channel = process.env.WHATSUP_CHANNEL ?? 'presence-whatsup-members';
  const sent = await announce(message, { pusher, channel });
  const where = pusher.cluster ? `Pusher cluster ${pusher.cluster}` : `${pusher.host}:${pusher.port ?? ''}`;
  console.log(`whatsup-announce: sent to ${channel} on ${where}: ${JSON.stringify(sent.message)}`);
} catch (err) {
  const e = err as { message?: string; status?: number; body?: string };
  console.error(
    `whatsup-announce: failed: ${e.message ?? err}${e.status ? ` (HTTP ${e.status} ${e.body ?? ''})` : ''}`,
  );
  process.exit(1);
}
