// Evaluated in the bench page (run.mjs), where the ESM bundle has defined <whatsup-presence>.
// Members are fed through the element's own update path (no network); the baseline is the plain
// DOM API doing the same amount of list work in the same page.
(async () => {
  const N = 1000;
  const ROUNDS = 21;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const member = (i, status = `status ${i}`) => ({
    id: `id-${i}`,
    name: `Person ${i}`,
    status,
    updatedAt: Date.now(),
  });

  // baseline: plain DOM
  const list = document.createElement('ul');
  document.body.append(list);
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    const li = document.createElement('li');
    li.innerText = `${member(i).name} ${member(i).status}`;
    list.append(li);
  }
  list.getBoundingClientRect();
  const baselineRender = performance.now() - t;
  const baselineChanges = [];
  for (let r = 0; r < ROUNDS; r++) {
    t = performance.now();
    list.children[(r * 37) % N].innerText = `changed ${r}`;
    list.getBoundingClientRect();
    baselineChanges.push(performance.now() - t);
  }
  t = performance.now();
  for (let k = 0; k < 100; k++) list.children[(k * 7) % N].innerText = `burst ${k}`;
  list.getBoundingClientRect();
  const baselineBurst = performance.now() - t;
  list.remove();

  // the element
  const el = document.createElement('whatsup-presence');
  document.body.append(el);
  await new Promise((r) => setTimeout(r, 50));
  await el.updateComplete;
  const me = member(0);
  t = performance.now();
  el._me = me;
  el._members = new Map(Array.from({ length: N }, (_, i) => [`id-${i}`, member(i)]));
  el.state = 'signed-in';
  await el.updateComplete;
  el.shadowRoot.querySelector('ul').getBoundingClientRect();
  const firstRender = performance.now() - t;
  const rows = el.shadowRoot.querySelectorAll('[part~="member"]').length;

  const changes = [];
  for (let r = 0; r < ROUNDS; r++) {
    t = performance.now();
    el._upsert(member((r * 37) % N, `changed ${r}`));
    await el.updateComplete;
    el.shadowRoot.querySelector('ul').getBoundingClientRect();
    changes.push(performance.now() - t);
  }
  t = performance.now();
  for (let k = 0; k < 100; k++) el._upsert(member((k * 7) % N, `burst ${k}`));
  await el.updateComplete;
  el.shadowRoot.querySelector('ul').getBoundingClientRect();
  const burst = performance.now() - t;
  el.remove();

  return {
    rows,
    rounds: ROUNDS,
    firstRender,
    oneChange: median(changes),
    burst,
    baselineRender,
    baselineOneChange: median(baselineChanges),
    baselineBurst,
  };
})();
