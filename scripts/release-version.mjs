// `npm run release:version -- <patch|minor|major|x.y.z>`: RELEASING.md's version step. Every
// published package (scripts/workspaces.mjs) gets the same new version, and so does what must agree
// with it:
// - the ranges by which one of our packages depends on another (`"@whatsup/protocol": "^0.1.0"` →
//   `"^0.2.0"`): `npm version --workspace` leaves them, and a 0.x range does not take the next minor,
//   so npm would look for the old version on the registry (devDependencies on `*` stay as they are);
// - a version written in a package's source on a line that says it is package.json's (the element's
//   `static readonly version = '0.1.0'; // = package.json's`);
// - the lock file (`npm install --package-lock-only`, offline: only our own packages change).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishedPackages, root } from './workspaces.mjs';

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

function next(current, bump) {
  if (SEMVER.test(bump)) return bump;
  const [, major, minor, patch] = SEMVER.exec(current).map(Number);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  if (bump === 'patch') return `${major}.${minor}.${patch + 1}`;
  throw new Error(`say patch, minor, major or a version like 1.2.3, not '${bump}'`);
}

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' ? [] : sourceFiles(path);
    return /\.[cm]?[jt]s$/.test(name) ? [path] : [];
  });
}

function main() {
  const bump = process.argv[2];
  if (!bump) throw new Error('usage: npm run release:version -- <patch|minor|major|x.y.z>');
  const packages = publishedPackages();
  const versions = new Set(packages.map((pkg) => pkg.version));
  if (versions.size !== 1)
    throw new Error(
      `the packages must share one version before a release: ${packages.map((p) => `${p.name}@${p.version}`).join(', ')}`,
    );
  const [current] = versions;
  if (!SEMVER.test(current)) throw new Error(`the current version '${current}' is not x.y.z`);
  const version = next(current, bump);
  const names = new Set(packages.map((pkg) => pkg.name));

  for (const pkg of packages) {
    const file = join(root, pkg.path, 'package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.version = version;
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [name, range] of Object.entries(manifest[field] ?? {})) {
        if (!names.has(name)) continue;
        const match = /^([\^~]?)(\d+\.\d+\.\d+)$/.exec(range);
        if (!match)
          throw new Error(`${pkg.name} depends on ${name}@'${range}': write it as ^x.y.z, ~x.y.z or x.y.z`);
        manifest[field][name] = `${match[1]}${version}`;
      }
    }
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);

    const literal = new RegExp(`(['"])${current.replace(/\./g, '\\.')}\\1(?=.*package\\.json)`);
    for (const source of sourceFiles(join(root, pkg.path, 'src'))) {
      const text = readFileSync(source, 'utf8');
      const lines = text.split('\n').map((line) => line.replace(literal, `$1${version}$1`));
      if (lines.join('\n') !== text) writeFileSync(source, lines.join('\n'));
    }
  }

  execFileSync(
    'npm',
    ['install', '--package-lock-only', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  console.log(`${packages.map((pkg) => pkg.name).join(', ')}: ${current} → ${version}`);
}

try {
  main();
} catch (err) {
  console.error(`release:version: ${err.message}`);
  process.exit(1);
}
