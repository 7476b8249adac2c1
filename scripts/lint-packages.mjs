// `npm run lint`, the packages' part: what a consumer installs from the registry is checked with
// publint (package.json fields against the packed files) and @arethetypeswrong/cli (the types
// resolve under node16 and bundler resolution), on the tarball `npm pack` makes.
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const packages = ['protocol', 'realtime', 'express', 'presence-element'];

// The checks read dist/: build what is missing or stale first.
execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.mjs'), '--quiet'], {
  stdio: 'inherit',
});

let failed = 0;
for (const pkg of packages) {
  const dir = join(root, 'packages', pkg);
  // ESM only, on purpose: CommonJS consumers use import(); `esm-only` ignores node10 and require().
  for (const [tool, args] of [
    ['publint', ['--strict', dir]],
    ['attw', ['--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped']],
  ]) {
    const result = spawnSync(bin(tool), args, { stdio: 'inherit', cwd: root });
    if (result.status !== 0) {
      failed++;
      console.error(`lint-packages: ${tool} found problems in packages/${pkg}`);
    }
  }
}
if (failed) process.exit(1);
console.log(`lint-packages: ${packages.length} packages pass publint and attw`);
