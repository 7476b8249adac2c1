/* global document */
// Evaluated in the bench page once fake-network.js, the lit baseline and the element's ESM bundle
// are loaded. Every figure is a performance.measure() between a mark set just before the input
// (a frame on the in-page socket, or a property set on the baseline) and the moment the DOM shows
// the result with layout done. Each result is checked in the DOM, so a step that silently did
// nothing cannot pass as fast.
export default async (N) => {
  const bench = globalThis.__bench;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ONE_ROUNDS = 21;
  const BURST_ROUNDS = 5;
  const RENDER_ROUNDS = 5;
  const base = Date.now();
  let clock = 0;
  const member = (i, status) => ({
    id: `id-${i}`,
    name: `Person ${String(i).padStart(4, '0')}`,
    status: status ?? `status ${i}`,
    updatedAt: base + clock++,
  });
  const measure = (name, start) => performance.measure(name, start).duration;
  const layout = () => document.body.getBoundingClientRect();
  const check = (ok, what) => {
    if (!ok) throw new Error(`bench page: ${what}`);
  };

  // ---- baseline: the least Lit can do, 1,000 plain <li> ----
  const baseline = { render: [], one: [], burst: [] };
  for (let r = 0; r < RENDER_ROUNDS; r++) {
    const list = document.createElement('bench-lit-list');
    document.body.append(list);
    await list.updateComplete;
    const members = Array.from({ length: N }, (_, i) => member(i));
    performance.mark('lit-render');
    list.members = members;
    await list.updateComplete;
    layout();
    baseline.render.push(measure('lit first render', 'lit-render'));
    check(list.shadowRoot.querySelectorAll('li').length === N, 'lit baseline rows');
    if (r === RENDER_ROUNDS - 1) {
      for (let k = 0; k < ONE_ROUNDS; k++) {
        const i = 1 + ((k * 37) % (N - 1));
        performance.mark('lit-one');
        list.members = list.members.map((m) => (m.id === `id-${i}` ? member(i, `changed ${k}`) : m));
        await list.updateComplete;
        layout();
        baseline.one.push(measure('lit one change', 'lit-one'));
        check(
          list.shadowRoot.querySelector(`[data-id="id-${i}"]`).textContent.includes(`changed ${k}`),
          'lit one',
        );
      }
      for (let b = 0; b < BURST_ROUNDS; b++) {
        performance.mark('lit-burst');
        for (let k = 0; k < 100; k++) {
          const i = 1 + ((k * 7 + b) % (N - 1));
          list.members = list.members.map((m) => (m.id === `id-${i}` ? member(i, `burst ${b}.${k}`) : m));
        }
        await list.updateComplete;
        layout();
        baseline.burst.push(measure('lit burst of 100', 'lit-burst'));
      }
    }
    list.remove();
  }

  // ---- the element, driven through pusher-js frames on the in-page socket ----
  const element = { rowsShown: [], render: [], one: [], burst: [], rows: 0 };
  const rowsOf = (el) => el.shadowRoot?.querySelectorAll('[part~="member"]') ?? [];
  const statusOf = (el, id) =>
    el.shadowRoot?.querySelector(`[data-id="${id}"] [part~="status"]`)?.textContent;
  const settle = async (el, done) => {
    // The list is complete after two steps (subscription_succeeded, then GET /members); wait for both.
    for (let spins = 0; !done(); spins++) {
      await el.updateComplete;
      if (done()) break;
      check(spins < 10_000, 'element never showed the expected list');
      await new Promise((r) => setTimeout(r, 0));
    }
    layout();
  };
  const deliver = (event, data) =>
    bench.socket.deliver({ event, channel: bench.channel, data: JSON.stringify(data) });

  for (let r = 0; r < RENDER_ROUNDS; r++) {
    bench.members = Array.from({ length: N }, (_, i) => member(i));
    const subscribed = new Promise((resolve) => (bench.onSubscribe = resolve));
    const el = document.createElement('whatsup-presence');
    el.setAttribute('auth-endpoint', '/whatsup/usersystem/auth');
    el.setAttribute('channel', bench.channel);
    document.body.append(el);
    await subscribed;
    await el.updateComplete;
    // Presence info carries the status from authorization time; GET /members then brings the current ones.
    const hash = Object.fromEntries(bench.members.map((m) => [m.id, { name: m.name, status: 'joined' }]));
    const last = bench.members[N - 1];
    performance.mark('element-render');
    bench.socket.deliver({
      event: 'pusher_internal:subscription_succeeded',
      channel: bench.channel,
      data: JSON.stringify({ presence: { ids: Object.keys(hash), hash, count: N } }),
    });
    await settle(el, () => rowsOf(el).length >= N - 1);
    element.rowsShown.push(measure('element rows shown', 'element-render'));
    await settle(el, () => statusOf(el, last.id) === last.status);
    element.render.push(measure('element first render', 'element-render'));
    element.rows = rowsOf(el).length;

    if (r === RENDER_ROUNDS - 1) {
      for (let k = 0; k < ONE_ROUNDS; k++) {
        const i = 1 + ((k * 37) % (N - 1));
        const update = member(i, `changed ${k}`);
        performance.mark('element-one');
        deliver('status-updated', update);
        await settle(el, () => statusOf(el, update.id) === update.status);
        element.one.push(measure('element one change', 'element-one'));
      }
      for (let b = 0; b < BURST_ROUNDS; b++) {
        const updates = Array.from({ length: 100 }, (_, k) =>
          member(1 + ((k * 7 + b) % (N - 1)), `burst ${b}.${k}`),
        );
        const lastUpdate = updates[updates.length - 1];
        performance.mark('element-burst');
        for (const update of updates) deliver('status-updated', update);
        await settle(el, () => statusOf(el, lastUpdate.id) === lastUpdate.status);
        element.burst.push(measure('element burst of 100', 'element-burst'));
      }
    }
    el.remove();
    await new Promise((r) => setTimeout(r, 20));
  }

  return {
    n: N,
    rows: element.rows,
    rounds: { render: RENDER_ROUNDS, one: ONE_ROUNDS, burst: BURST_ROUNDS },
    element: {
      rowsShown: median(element.rowsShown),
      render: median(element.render),
      one: median(element.one),
      burst: median(element.burst),
    },
    baseline: { render: median(baseline.render), one: median(baseline.one), burst: median(baseline.burst) },
  };
};
