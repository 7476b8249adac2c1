// `npm start` (and `npm run announce`, and each example's `npm start`) builds first when a package's
// dist/ is missing or older than its sources: a fresh clone works after `npm install` alone.
// `--quiet` says nothing when everything is built.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const quiet = process.argv.includes('--quiet');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// In build order: the others import @whatsup/protocol.
const outputs = {
  protocol: 'dist/index.js',
  realtime: 'dist/index.js',
  express: 'dist/index.js',
  'presence-element': 'dist/whatsup-presence.bundle.min.js',
};

function newest(dir) {
  return readdirSync(dir).reduce((latest, name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    return Math.max(latest, stat.isDirectory() ? newest(path) : stat.mtimeMs);
  }, 0);
}

const stale = Object.entries(outputs).filter(([pkg, out]) => {
  const target = join(root, 'packages', pkg, out);
  return !existsSync(target) || statSync(target).mtimeMs < newest(join(root, 'packages', pkg, 'src'));
});

if (stale.length === 0) {
  if (!quiet) console.log('whatsup: packages are built');
} else {
  for (const [pkg] of stale) {
    console.error(`whatsup: building ${pkg} (first run, or its sources changed)…`);
    execFileSync(process.execPath, [join(root, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '-c'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, WHATSUP_PKG: pkg },
    });
  }
}
