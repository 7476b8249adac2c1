#!/usr/bin/env node
// whatsup-announce "text": pushes an announcement to every open <whatsup-presence>, like the seed's console command.
import { announce } from './announce.js';
import { pusherOptionsFromEnv } from './env.js';
import { WhatsupError } from './errors.js';
import type { PusherOptions } from './publisher.js';

const usage = `Usage: whatsup-announce "message"

Publishes an announcement to every page showing <whatsup-presence>; each shows it as a toast.

Environment (all optional; with none set it reaches the local demo, \`npm start\`):
  PORT                                       the local demo's port (default 3000)
  PUSHER_APP_ID, PUSHER_KEY, PUSHER_SECRET   app credentials (default app-id / app-key / app-secret);
                                             on their own they are the local demo's, at 127.0.0.1:$PORT
  PUSHER_CLUSTER                             Pusher Channels cluster, e.g. eu
  PUSHER_HOST, PUSHER_PORT, PUSHER_USE_TLS   a Pusher-protocol host such as soketi
  WHATSUP_CHANNEL                            default presence-whatsup-members`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(usage);
  process.exit(0);
}
const message = args.join(' ');
if (!message.trim()) fail(`no message given\n\n${usage}`);

let pusher: PusherOptions;
try {
  // PUSHER_APP_ID/KEY/SECRET alone (no PUSHER_HOST or PUSHER_CLUSTER) are the local demo's own.
  pusher = pusherOptionsFromEnv() ?? {
    appId: env('PUSHER_APP_ID') ?? 'app-id',
    key: env('PUSHER_KEY') ?? 'app-key',
    secret: env('PUSHER_SECRET') ?? 'app-secret',
    host: '127.0.0.1',
    port: localPort(),
    useTLS: false,
  };
} catch (err) {
  fail((err as Error).message);
}
const channel = env('WHATSUP_CHANNEL') ?? 'presence-whatsup-members';
const where = pusher.cluster
  ? `Pusher Channels cluster ${pusher.cluster}`
  : `${pusher.host}:${pusher.port ?? (pusher.useTLS ? 443 : 80)}`;
const local = !pusher.cluster && !env('PUSHER_HOST');

try {
  const sent = await announce(message, { pusher, channel });
  console.log(`whatsup-announce: sent to ${channel} on ${where}: ${JSON.stringify(sent.message)}`);
} catch (err) {
  fail(explain(err));
}

/** The failure in plain words, with what to do about it. */
function explain(err: unknown): string {
  if (err instanceof WhatsupError) return err.message;
  const e = err as {
    message?: string;
    status?: number;
    body?: string;
    error?: { code?: string; message?: string };
  };
  const cause = `${e.error?.code ?? ''} ${e.error?.message ?? ''} ${e.message ?? ''}`;
  if (e.status === undefined && /ECONNREFUSED/.test(cause)) {
    return local
      ? `nothing is listening at ${where}. Is the demo running (npm start)? If it prints another port, set PORT to it: PORT=4000 npm run announce -- "…"`
      : `nothing is listening at ${where}: check PUSHER_HOST and PUSHER_PORT`;
  }
  if (e.status === undefined && /ENOTFOUND|EAI_AGAIN/.test(cause)) {
    return `the host ${pusher.host ?? where} could not be found: check ${pusher.cluster ? 'PUSHER_CLUSTER' : 'PUSHER_HOST'}`;
  }
  // A JSON or text reason is worth showing; an HTML error page (a host app's 404) is not.
  const raw = (e.body ?? '').trim();
  const body = raw.startsWith('<') ? '' : (raw.split('\n')[0] ?? '').slice(0, 200);
  if (e.status === 401 || e.status === 403) {
    return `${where} refused the credentials (HTTP ${e.status}${body ? `: ${body}` : ''}): the key or the secret is wrong. Set PUSHER_KEY and PUSHER_SECRET to the ones the server uses${local ? ' (the demo uses app-key / app-secret unless you set your own)' : ''}.`;
  }
  if (e.status === 404) {
    return `${where} has no app ${JSON.stringify(pusher.appId)} (HTTP 404${body ? `: ${body}` : ''}): the app id is wrong. Set PUSHER_APP_ID to the one the server uses${local ? ' (the demo uses app-id unless you set your own)' : ''}.`;
  }
  return `${e.message ?? String(err)}${e.status ? ` (HTTP ${e.status}${body ? `: ${body}` : ''})` : ''}`;
}

function fail(text: string): never {
  console.error(`whatsup-announce: ${text}`);
  process.exit(1);
}

function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function localPort(): number {
  const raw = env('PORT') ?? '3000';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new TypeError(`PORT must be a port number (1-65535), got ${JSON.stringify(raw)}`);
  }
  return port;
}
