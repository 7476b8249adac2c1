// One piece of `npm run scale-out` (started by scripts/scale-out.mjs, exactly as the script does),
// in a process group of its own: the chaos tests spawn this detached and SIGKILL the whole group by
// its id, the piece and this runner at once, as a crash or the kernel's OOM killer would.
//   node e2e/chaos-group.mjs redis <port> <data dir>
//   node e2e/chaos-group.mjs soketi <port> <redis port>
//   node e2e/chaos-group.mjs instance <port> <redis port> <soketi or balancer port>
//   node e2e/chaos-group.mjs demo <port> <data dir>   (examples/basic with SESSION_SECRET, as `npm start`)
// Prints `ready` once the piece is, then the piece's output; SIGTERM stops it gracefully.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scale = await import(pathToFileURL(join(root, 'scripts', 'scale-out.mjs')).href);
const [kind, ...args] = process.argv.slice(2);
const port = Number(args[0]);

let running;
try {
  if (kind === 'redis') running = await scale.startRedis(port, args[1]);
  else if (kind === 'soketi') running = await scale.startSoketi(port, Number(args[1]));
  else if (kind === 'instance')
    running = await scale.startInstance(port, { redisPort: Number(args[1]), soketiPort: Number(args[2]) });
  else if (kind === 'demo') running = await startDemo(port, args[1]);
  else throw new Error(`unknown piece: ${kind}`);
} catch (err) {
  console.error(`chaos-group: ${err.message}`);
  process.exit(1);
}
process.stdout.write(`${running.output()}\nready\n`);
running.child.stdout.pipe(process.stdout);
running.child.stderr.pipe(process.stderr);
running.child.on('exit', (code, signal) => {
  console.error(`chaos-group: ${kind} exited (${code ?? signal})`);
  process.exit(code ?? 1);
});
process.on('SIGTERM', () => running.stop().then(() => process.exit(0)));

/** The demo's server.js with its sessions and statuses kept in `dataDir`; ready once it prints its URL. */
async function startDemo(port, dataDir) {
  const child = spawn(process.execPath, ['server.js'], {
    cwd: join(root, 'examples', 'basic'),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SESSION_SECRET: 'chaos demo secret',
      WHATSUP_DATA: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk) => (output += chunk);
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  while (!output.includes('whatsup demo: http')) {
    if (child.exitCode !== null) throw new Error(`the demo exited (${child.exitCode}):\n${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.stdout.off('data', onData);
  child.stderr.off('data', onData);
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
