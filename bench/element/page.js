/* global document */
// Evaluated in the bench page once fake-network.js, the lit baseline and the element's ESM bundle
// are loaded. Every figure is a performance.measure() between a mark set just before the input
// (a frame on the in-page socket, or a property set on the baseline) and the moment the DOM shows
// the result with layout done. Each result is checked in the DOM, so a step that silently did
// nothing cannot pass as fast. The element and the baseline take turns at every step, so a noisy
// moment on the machine hits both alike.
export default async (N) => {
  const bench = globalThis.__bench;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const big = N > 2000;
  const RENDER_ROUNDS = big ? 5 : 7;
  const ONE_ROUNDS = big ? 11 : 21;
  const BURST_ROUNDS = big ? 5 : 7;
  const JOIN_ROUNDS = big ? 7 : 11;
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

  // ---- baseline: the least Lit can do, N plain <li> ----
  const baseline = { render: [], one: [], burst: [], join: [], leave: [], list: null };
  const litRow = (list, id) => list.shadowRoot.querySelector(`[data-id="${id}"]`)?.textContent ?? '';
  const lit = {
    async render() {
      baseline.list?.remove();
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
      baseline.list = list;
    },
    async change(updates, into) {
      const list = baseline.list;
      performance.mark('lit-change');
      for (const u of updates) {
        const next = list.members.slice();
        next[Number(u.id.slice(3))] = u;
        list.members = next;
      }
      await list.updateComplete;
      layout();
      into.push(measure('lit change', 'lit-change'));
      const last = updates[updates.length - 1];
      check(litRow(list, last.id).includes(last.status), 'lit change shown');
    },
    async join(m) {
      const list = baseline.list;
      performance.mark('lit-join');
      list.members = [...list.members, m];
      await list.updateComplete;
      layout();
      baseline.join.push(measure('lit join', 'lit-join'));
      check(litRow(list, m.id).includes(m.name), 'lit join shown');
    },
    async leave(m) {
      const list = baseline.list;
      performance.mark('lit-leave');
      list.members = list.members.filter((x) => x.id !== m.id);
      await list.updateComplete;
      layout();
      baseline.leave.push(measure('lit leave', 'lit-leave'));
      check(!list.shadowRoot.querySelector(`[data-id="${m.id}"]`), 'lit leave shown');
    },
  };

  // ---- the element, driven through pusher-js frames on the in-page socket ----
  const element = { rowsShown: [], render: [], one: [], burst: [], join: [], leave: [], rows: 0, el: null };
  const rowsOf = (el) => el.shadowRoot?.querySelectorAll('[part~="member"]') ?? [];
  // Every row in the DOM, or — once the element renders only what is visible — rows that say they
  // are of a list of N (aria-setsize), so a virtualized list passes and an empty one does not.
  const listShown = (el, n) => {
    const rows = rowsOf(el);
    if (rows.length >= n - 1) return true;
    return rows.length > 0 && Number(rows[rows.length - 1].getAttribute('aria-setsize')) >= n - 1;
  };
  const shownIds = (el) =>
    [...rowsOf(el)].map((row) => row.getAttribute('data-id')).filter((id) => id && id !== 'id-0');
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
  const wp = {
    async render() {
      if (element.el) {
        element.el.remove();
        await new Promise((r) => setTimeout(r, 20));
      }
      bench.members = Array.from({ length: N }, (_, i) => member(i));
      const subscribed = new Promise((resolve) => (bench.onSubscribe = resolve));
      const el = document.createElement('whatsup-presence');
      el.setAttribute('auth-endpoint', '/whatsup/usersystem/auth');
      el.setAttribute('channel', bench.channel);
      // A leave is measured until the row goes: without the grace (default 30 s) a leaver stays greyed.
      el.setAttribute('leave-grace', '0');
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
      await settle(el, () => listShown(el, N));
      element.rowsShown.push(measure('element rows shown', 'element-render'));
      // the last member, or the last one on screen when only the visible rows are rendered
      const seen = rowsOf(el).length >= N - 1 ? last : bench.members[Number(shownIds(el).pop()?.slice(3))];
      check(seen !== undefined, 'element shows member rows');
      await settle(el, () => statusOf(el, seen.id) === seen.status);
      element.render.push(measure('element first render', 'element-render'));
      element.rows = rowsOf(el).length;
      element.el = el;
    },
    async change(updates, into) {
      const el = element.el;
      const last = updates[updates.length - 1];
      performance.mark('element-change');
      for (const update of updates) deliver('status-updated', update);
      await settle(el, () => statusOf(el, last.id) === last.status);
      into.push(measure('element change', 'element-change'));
    },
    async join(m) {
      const el = element.el;
      performance.mark('element-join');
      bench.socket.deliver({
        event: 'pusher_internal:member_added',
        channel: bench.channel,
        data: JSON.stringify({ user_id: m.id, user_info: { name: m.name, status: m.status } }),
      });
      await settle(el, () => statusOf(el, m.id) !== undefined);
      element.join.push(measure('element join', 'element-join'));
    },
    async leave(m) {
      const el = element.el;
      performance.mark('element-leave');
      bench.socket.deliver({
        event: 'pusher_internal:member_removed',
        channel: bench.channel,
        data: JSON.stringify({ user_id: m.id }),
      });
      await settle(el, () => !el.shadowRoot.querySelector(`[data-id="${m.id}"]`));
      element.leave.push(measure('element leave', 'element-leave'));
    },
  };

  const turns = (r) => (r % 2 ? [wp, lit] : [lit, wp]);
  for (let r = 0; r < RENDER_ROUNDS; r++) for (const side of turns(r)) await side.render();
  // Changes go to members the element has on screen (all of them, or the visible ones once it
  // renders only those), so the change can be seen; the baseline changes the same members.
  const onScreen = shownIds(element.el).map((id) => Number(id.slice(3)));
  check(onScreen.length > 0, 'element shows member rows to change');
  const target = (k) => onScreen[k % onScreen.length];
  for (let k = 0; k < ONE_ROUNDS; k++) {
    for (const side of turns(k)) {
      await side.change([member(target(k * 37), `changed ${k}`)], side === wp ? element.one : baseline.one);
    }
  }
  for (let b = 0; b < BURST_ROUNDS; b++) {
    for (const side of turns(b)) {
      const updates = Array.from({ length: 100 }, (_, k) => member(target(k * 7 + b), `burst ${b}.${k}`));
      await side.change(updates, side === wp ? element.burst : baseline.burst);
    }
  }
  // A member joins (named to sort first, so it is on screen either way), then leaves again.
  for (let j = 0; j < JOIN_ROUNDS; j++) {
    const joiner = { id: `joiner-${j}`, name: `Aaron Joiner ${j}`, status: 'just here', updatedAt: base };
    for (const side of turns(j)) await side.join(joiner);
    for (const side of turns(j + 1)) await side.leave(joiner);
  }
  element.el.remove();
  baseline.list.remove();

  return {
    n: N,
    rows: element.rows,
    rounds: { render: RENDER_ROUNDS, one: ONE_ROUNDS, burst: BURST_ROUNDS, join: JOIN_ROUNDS },
    element: {
      rowsShown: median(element.rowsShown),
      render: median(element.render),
      one: median(element.one),
      burst: median(element.burst),
      join: median(element.join),
      leave: median(element.leave),
    },
    baseline: {
      render: median(baseline.render),
      one: median(baseline.one),
      burst: median(baseline.burst),
      join: median(baseline.join),
      leave: median(baseline.leave),
    },
  };
};
