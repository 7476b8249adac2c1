// `npm start` (and `npm run announce`, and each example's `npm start`) builds first when a package
// is not built or is older than its sources: a fresh clone works after `npm install` alone.
//
//   node scripts/build-if-needed.mjs [--quiet] [--full]
//
// By default it builds what runs and nothing else (WHATSUP_BUILD=start in rollup.config.mjs: no
// tests, no declarations, no locale scripts), with TypeScript compiled file by file and each rollup
// config a process of its own, side by side (scripts/rollup-jobs.mjs), one line per package: the
// same JavaScript as a full build, in about a third of its CPU time. `--full` builds what a package
// ships (declarations and custom-elements.json too), one package after the other through its own
// `npm run build`, for `npm run pack` and `npm run lint`. `npm run build` and `npm test` always
// build everything, type check included. `--quiet` says nothing when everything is built.
//
// What "built" means is read from each package's package.json: every file its `exports` and `bin`
// point at that the repository does not hold (by default only the JavaScript ones), newer than
// everything in its src/ (tests aside). The packages are those scripts/workspaces.mjs lists.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, sep } from 'node:path';
import { publishedPackages, root } from './workspaces.mjs';

const quiet = process.argv.includes('--quiet');
const full = process.argv.includes('--full');
const started = Date.now();

/** Every file an exports map, bin or main/types field names, with whether it is a types target. */
function targets(manifest) {
  const found = [];
  const walk = (value, types) => {
    if (typeof value === 'string') found.push({ file: value.replace(/^\.\//, ''), types });
    else if (Array.isArray(value)) for (const item of value) walk(item, types);
    else if (value && typeof value === 'object')
      for (const [condition, item] of Object.entries(value)) walk(item, types || condition === 'types');
  };
  walk(manifest.exports, false);
  walk(typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {}), false);
  walk(manifest.main, false);
  walk(manifest.types, true);
  // `./locales/*.js` and the like: a pattern names no one file to look for
  return found.filter(({ file }) => !file.includes('*'));
}

/** Files git holds (sources, not outputs); without git, anything outside dist/ counts as held. */
function trackedFiles() {
  try {
    return new Set(
      execFileSync('git', ['ls-files', '-z', '--', 'packages'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .split('\0')
        .filter(Boolean),
    );
  } catch {
    return null;
  }
}

function newest(dir) {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((latest, name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) return name === 'test' ? latest : Math.max(latest, newest(path));
    return Math.max(latest, stat.mtimeMs);
  }, 0);
}

const tracked = trackedFiles();
const isOutput = (pkg, file) => (tracked ? !tracked.has(`${pkg.path}/${file}`) : file.startsWith('dist/'));

const stale = publishedPackages().filter((pkg) => {
  const sources = newest(join(root, pkg.path, 'src'));
  return targets(pkg.manifest)
    .filter(({ file, types }) => isOutput(pkg, file) && (full || (!types && /\.[cm]?js$/.test(file))))
    .some(({ file }) => {
      const path = join(root, pkg.path, file);
      return !existsSync(path) || statSync(path).mtimeMs < sources;
    });
});

/** Runs one build with its output collected: shown if it fails or warns, never the file lists. */
function run(label, command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      // rollup's progress lines (the inputs → the output, "created …") are noise; its warnings are not
      const worth = output
        // colour codes, should a tool ignore NO_COLOR
        // eslint-disable-next-line no-control-regex
        .replace(/\x1b\[[0-9;]*m/g, '')
        .split('\n')
        .filter((line) => line.trim() && !line.includes(' → ') && !/^created /.test(line))
        .filter((line) => !/^> |^npm (notice|warn install-scripts)/.test(line));
      if (code !== 0) {
        reject(new Error(`building ${label} failed (exit ${code}):\n${worth.join('\n')}`));
        return;
      }
      if (/\(!\)/.test(output)) console.error(worth.join('\n'));
      resolve();
    });
  });
}

const announce = (pkg) => console.error(`whatsup: building ${pkg.dir} (first run, or its sources changed)…`);

/** Runs jobs with at most `limit` at a time, in the order given. */
async function inParallel(list, limit, build) {
  const queue = [...list];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await build(next);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

async function main() {
  if (stale.length === 0) {
    if (!quiet) console.log('whatsup: packages are built');
    return;
  }
  const rollup = join(root, 'node_modules', 'rollup', 'dist', 'bin', 'rollup');
  if (full) {
    // One after the other: a package's type check reads the declarations of those before it.
    for (const pkg of stale) {
      announce(pkg);
      if (pkg.manifest.scripts?.build)
        await run(pkg.dir, 'npm', ['run', 'build', '--workspace', pkg.path], {});
      else await run(pkg.dir, process.execPath, [rollup, '-c'], { WHATSUP_PKG: pkg.dir });
    }
  } else {
    // Without type checks only the bundles read another's output (the protocol's): every other job
    // at once, as many as there are cores, the one-input ones first (the element's bundles, minified, longest).
    process.env.WHATSUP_BUILD = 'start';
    delete process.env.WHATSUP_PKG;
    const { jobs } = await import('./rollup-jobs.mjs');
    const owner = (job) => stale.find((pkg) => job.name.startsWith(join(root, pkg.path) + sep));
    const unbuilt = stale.filter((pkg) => !jobs.some((job) => owner(job) === pkg));
    if (unbuilt.length)
      throw new Error(
        `rollup.config.mjs builds nothing into ${unbuilt.map((pkg) => `${pkg.path}/dist`).join(', ')}`,
      );
    const mine = jobs
      .filter(owner)
      .sort((a, b) => Number(Array.isArray(a.config.input)) - Number(Array.isArray(b.config.input)));
    const announced = new Set();
    const build = (job) => {
      const pkg = owner(job);
      if (!announced.has(pkg)) announce(pkg);
      announced.add(pkg);
      return run(pkg.dir, process.execPath, [rollup, '-c', join(root, 'scripts', 'rollup-jobs.mjs')], {
        WHATSUP_BUILD: 'start',
        WHATSUP_JOB: job.name,
      });
    };
    // The element's bundles read @whatsup/protocol's dist/ (its constants go inside): it comes first.
    const protocol = (job) => owner(job).dir === 'protocol';
    await inParallel(mine.filter(protocol), 1, build);
    await inParallel(
      mine.filter((job) => !protocol(job)),
      Math.max(1, availableParallelism()),
      build,
    );
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.error(`whatsup: built ${stale.map((pkg) => pkg.dir).join(', ')} in ${seconds} s`);
}

main().catch((err) => {
  console.error(`whatsup: ${err.message}`);
  process.exit(1);
});
