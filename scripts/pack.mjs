// `npm run pack`: every published package (scripts/workspaces.mjs) as the tarball `npm publish`
// would upload, in packs/ (older tarballs there are removed first, so `packs/*.tgz` is one version
// of each). Builds what is missing or stale first, declarations included. For installing from a
// clone before the packages are on the registry: `npm install ../whatsup/packs/*.tgz …`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { publishedPackages, root } from './workspaces.mjs';

const packs = join(root, 'packs');
execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.mjs'), '--quiet', '--full'], {
  stdio: 'inherit',
});
mkdirSync(packs, { recursive: true });
for (const name of readdirSync(packs)) if (name.endsWith('.tgz')) rmSync(join(packs, name));

const workspaces = publishedPackages().flatMap((pkg) => ['--workspace', pkg.path]);
const out = execFileSync('npm', ['pack', ...workspaces, '--pack-destination', packs, '--json'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
});
const made = JSON.parse(out).map((pack) => pack.filename);
console.log(`whatsup: packed ${made.length} packages into ${relative(process.cwd(), packs) || '.'}/`);
for (const file of made) console.log(`  ${file}`);
console.log(`install them in an app with: npm install ${packs}/*.tgz express express-session`);
