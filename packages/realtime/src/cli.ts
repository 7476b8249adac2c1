#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createRealtimeServer } from './server.js';
import { targetsFromSoketi } from './webhooks/options.js';

const HELP = `Usage: whatsup-realtime [options]

Runs the embedded Pusher-protocol server alone (pusher-js connects to ws://host:port/app/<key>,
the pusher library to http://host:port/apps/<app-id>/…).

Options:
  --port <n>        port to listen on (default 6001; 0 = any free port)
  --host <addr>     address to listen on (default 127.0.0.1)
  --app-id <id>     app id  (env WHATSUP_APP_ID, then SOKETI_DEFAULT_APP_ID, default app-id)
  --key <key>       app key (env WHATSUP_KEY, then SOKETI_DEFAULT_APP_KEY, default app-key)
  --secret <secret> secret  (env WHATSUP_SECRET, then SOKETI_DEFAULT_APP_SECRET, default app-secret)
  --path <prefix>   prefix before /app and /apps (default none)
  -h, --help        show this help

Webhooks: env SOKETI_DEFAULT_APP_WEBHOOKS, in soketi's format
  '[{"url":"http://127.0.0.1:3000/whatsup/webhooks","event_types":["member_added","member_removed"]}]'
  (filter.channel_name_starts_with and headers too); WHATSUP_WEBHOOK_GRACE_MS sets the member_removed
  grace (default 3000).

Debug output: NODE_DEBUG=whatsup whatsup-realtime
`;

function main(): void {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'app-id': { type: 'string' },
      key: { type: 'string' },
      secret: { type: 'string' },
      path: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const port = Number(values.port ?? env.WHATSUP_PORT ?? env.SOKETI_PORT ?? 6001);
  const server = createRealtimeServer({
    appId: values['app-id'] ?? env.WHATSUP_APP_ID ?? env.SOKETI_DEFAULT_APP_ID ?? 'app-id',
    key: values.key ?? env.WHATSUP_KEY ?? env.SOKETI_DEFAULT_APP_KEY ?? 'app-key',
    secret: values.secret ?? env.WHATSUP_SECRET ?? env.SOKETI_DEFAULT_APP_SECRET ?? 'app-secret',
    port,
    host: values.host ?? env.WHATSUP_HOST ?? '127.0.0.1',
    path: values.path ?? '',
    ...(env.SOKETI_DEFAULT_APP_WEBHOOKS
      ? {
          webhooks: {
            targets: targetsFromSoketi(env.SOKETI_DEFAULT_APP_WEBHOOKS),
            ...(env.WHATSUP_WEBHOOK_GRACE_MS === undefined
              ? {}
              : { graceMs: Number(env.WHATSUP_WEBHOOK_GRACE_MS) }),
          },
        }
      : {}),
  });
  server.ready.then(
    () => process.stdout.write(`whatsup-realtime listening on ${server.url}\n`),
    (error: unknown) => {
      process.stderr.write(
        `whatsup-realtime: cannot listen: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
  const stop = (signal: string): void => {
    process.stdout.write(`whatsup-realtime: ${signal}, closing\n`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

try {
  main();
} catch (error) {
  process.stderr.write(
    `whatsup-realtime: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`,
  );
  process.exitCode = 2;
}
