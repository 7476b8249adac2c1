// `npm run fuzz`: runs every *fuzz*.test.js under packages/*/dist/test (built first) with
// WHATSUP_FUZZ_SCALE (10 from the npm script) and adds up what each suite reports on its
// FUZZ-RESULT line: cases tried, failures (properties that found a counterexample) and deaths
// (server processes that exited). Exits non-zero unless every suite passed with 0 deaths.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fuzzFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return fuzzFiles(path);
    return /fuzz.*\.test\.js$/.test(name) ? [path] : [];
  });
}

const files = readdirSync(join(root, 'packages')).flatMap((pkg) => {
  const dir = join(root, 'packages', pkg, 'dist', 'test');
  try {
    return statSync(dir).isDirectory() ? fuzzFiles(dir) : [];
  } catch {
    return [];
  }
});
if (files.length === 0) {
  console.error('no *fuzz*.test.js under packages/*/dist/test: run `npm run build` first');
  process.exit(1);
}

const scale = process.env.WHATSUP_FUZZ_SCALE ?? '1';
console.log(`fuzz: ${files.map((file) => relative(root, file)).join(', ')} (WHATSUP_FUZZ_SCALE=${scale})`);
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  cwd: root,
  env: { ...process.env, WHATSUP_FUZZ_SCALE: scale },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
child.stdout.on('data', (chunk) => {
  output += chunk;
  process.stdout.write(chunk);
});
const code = await new Promise((resolve) => child.on('close', resolve));

const results = [...output.matchAll(/FUZZ-RESULT (\{.*\})/g)].map((match) => JSON.parse(match[1]));
const total = { cases: 0, failures: 0, deaths: 0 };
console.log('\nfuzz summary');
for (const result of results) {
  console.log(
    `  ${result.suite}: ${result.cases} cases, ${result.failures} failures, ${result.deaths} deaths`,
  );
  for (const key of Object.keys(total)) total[key] += result[key];
}
const unreported = files.length - results.length;
if (unreported > 0)
  console.log(`  (${unreported} file(s) printed no FUZZ-RESULT line; their counts are not included)`);
console.log(`  total: ${total.cases} cases, ${total.failures} failures, ${total.deaths} deaths`);
process.exit(code === 0 && total.deaths === 0 && total.failures === 0 ? 0 : 1);
