// One piece of `npm run scale-out` (started by scripts/scale-out.mjs, exactly as the script does),
// in a process group of its own: the chaos tests spawn this detached and SIGKILL the whole group by
// its id, the piece and this runner at once, as a crash or the kernel's OOM killer would.
//   node e2e/chaos-group.mjs redis <port> <data dir>
//   node e2e/chaos-group.mjs soketi <port> <redis port>
//   node e2e/chaos-group.mjs instance <port> <redis port> <soketi or balancer port>
// Prints `ready` once the piece is, then the piece's output; SIGTERM stops it gracefully.
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
