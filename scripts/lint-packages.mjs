// `npm run lint`, the packages' part: what a consumer installs from the registry is checked with
// publint (package.json fields against the packed files) and @arethetypeswrong/cli (the types
// resolve under node16 and bundler resolution), on the tarball `npm pack` makes.
// Every package scripts/workspaces.mjs lists (the root's workspaces that are not private).
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { publishedPackages, root } from './workspaces.mjs';

const bin = (name) => join(root, 'node_modules', '.bin', name);
const packages = publishedPackages().map((pkg) => pkg.path);

// The checks read what a package ships (declarations too): build what is missing or stale first.
execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.mjs'), '--quiet', '--full'], {
  stdio: 'inherit',
});

let failed = 0;
for (const pkg of packages) {
  const dir = join(root, pkg);
  // ES modules only, on purpose: CommonJS code loads them with require() on Node 20.19+ (which
  // loads ES modules; e2e/registry.test.ts runs a CommonJS app) or import(). `esm-only` ignores
  // node10 and TypeScript's node16-from-CommonJS mode, which refuses require() of ES modules.
  for (const [tool, args] of [
    ['publint', ['--strict', dir]],
    ['attw', ['--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped']],
  ]) {
    const result = spawnSync(bin(tool), args, { stdio: 'inherit', cwd: root });
    if (result.status !== 0) {
      failed++;
      console.error(`lint-packages: ${tool} found problems in ${pkg}`);
    }
  }
}
// No repository, homepage or bugs while there is no public repository (a made-up address would
// send people to one that is not ours, or nowhere). Once there is one, every package names it the
// same way, with its own folder: npm links it, and `npm publish --provenance` checks it.
const urls = new Set();
for (const pkg of publishedPackages()) {
  const { repository } = pkg.manifest;
  if (repository === undefined) continue;
  if (typeof repository !== 'object' || repository.directory !== pkg.path) {
    failed++;
    console.error(`lint-packages: ${pkg.path}'s repository must be { type, url, directory: '${pkg.path}' }`);
  }
  urls.add(repository?.url);
}
if (urls.size > 1 || (urls.size === 1 && publishedPackages().some((pkg) => !pkg.manifest.repository))) {
  failed++;
  console.error(
    `lint-packages: the packages name different repositories, or some none: ${[...urls].join(', ')}`,
  );
}

if (failed) process.exit(1);
console.log(`lint-packages: ${packages.length} packages pass publint and attw`);
