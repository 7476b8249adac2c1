// A local npm registry for e2e/registry.test.ts: Verdaccio (6.8, the last line that runs on Node 20)
// with its storage and users in the test's temporary folder, no uplinks (it serves what was
// published to it and nothing from outside), on a free 127.0.0.1 port.
//   node e2e/registry-server.mjs <folder>     prints `registry http://127.0.0.1:<port>/` when ready
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runServer } from 'verdaccio';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node e2e/registry-server.mjs <folder>');
const config = join(dir, 'verdaccio.yaml');
writeFileSync(
  config,
  `storage: ${JSON.stringify(join(dir, 'storage'))}
auth:
  htpasswd:
    file: ${JSON.stringify(join(dir, 'htpasswd'))}
    max_users: 10
uplinks: {}
packages:
  '**':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
web:
  enable: false
log: { type: stdout, format: pretty, level: warn }
`,
);

const server = await runServer(config);
server.listen(0, '127.0.0.1', () => console.log(`registry http://127.0.0.1:${server.address().port}/`));
const stop = () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
