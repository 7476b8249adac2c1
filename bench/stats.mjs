// Small statistics and formatting helpers shared by the scenarios.

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const ms = (v) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
export const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
export const int = (v) => Math.round(v).toLocaleString('en-US');

/** One round: the clients process starts its clock and says 'go'; resolves with its 'done' time. */
function oneRound(clients, event, publish, i) {
  return new Promise((resolve, reject) => {
    let published = Promise.resolve();
    const timer = setTimeout(
      () => finish(new Error(`round ${i}: '${event}' did not reach every client in 30 s`)),
      30_000,
    );
    const onExit = () => finish(new Error('the clients process exited'));
    const onMessage = (msg) => {
      if (msg.type === 'go') published = Promise.resolve().then(() => publish(i));
      else if (msg.type === 'done') published.then(() => finish(null, msg.ms), finish);
      else if (msg.type === 'error') finish(new Error(msg.message));
    };
    function finish(err, value) {
      clearTimeout(timer);
      clients.off('message', onMessage);
      clients.off('exit', onExit);
      if (err) reject(err);
      else resolve(value);
    }
    clients.on('message', onMessage);
    clients.on('exit', onExit);
    clients.send({ type: 'round', event });
  });
}

/**
 * Rounds of: a clients process starts its clock, the driver publishes, the clients process answers
 * when its last socket has the event. The targets take turns round by round, in an order that
 * reverses every time (A B C, C B A, …), so a noisy moment on the shared machine hits them alike;
 * the first `warmup` turns are not counted. Returns p50/p99 per target name.
 */
export async function interleavedRounds(targets, { count, warmup = 3 }) {
  const times = new Map(targets.map((t) => [t.name, []]));
  for (let i = 0; i < warmup + count; i++) {
    const order = i % 2 ? [...targets].reverse() : targets;
    for (const t of order) {
      const ms = await oneRound(t.clients, t.event, t.publish, i);
      if (i >= warmup) times.get(t.name).push(ms);
    }
  }
  return Object.fromEntries(
    [...times].map(([name, xs]) => [
      name,
      { p50: percentile(xs, 50), p99: percentile(xs, 99), rounds: xs.length, times: xs },
    ]),
  );
}

/** p50/p99 of a list of times. */
export function summary(xs) {
  return { p50: percentile(xs, 50), p99: percentile(xs, 99), rounds: xs.length };
}

/**
 * An issue target for the at-a-glance table: the ratio ours ÷ baseline against a bound.
 * 'max' means the ratio must be at most `bound` (times, bytes), 'min' at least (rates).
 */
export function target(ours, baseline, kind, bound) {
  const value = ours / baseline;
  const met = baseline > 0 && (kind === 'max' ? value <= bound : value >= bound);
  return [`${kind === 'max' ? '≤' : '≥'} ${bound.toFixed(2)}×`, met ? 'yes' : '**no**'];
}
