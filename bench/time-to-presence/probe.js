// Added to every page of the time-to-presence scenario before its own scripts (playwright's
// addInitScript): it notes, on the page's clock (performance.now(), 0 = navigation start), when
// what the visitor waits for happened. Nothing here touches the element's insides: it reads the
// DOM the element renders into (open shadow root, ::part names), its public `ready` promise and
// `whatsup-signed-in` event, and the WebSocket frames the page receives.
//   __ttp.live      the first `pusher_internal:subscription_succeeded` frame arrived (the
//                          WebSocket is wrapped in a subclass that listens before pusher-js does)
//   __ttp.form      the sign-up form is in the panel
//   __ttp.row       the first row of a member other than me is in the panel's list
//   __ttp.ready     the element's `ready` settled (signed in: subscribed, then checked)
//   __ttp.signedIn  `whatsup-signed-in` fired
//   __ttp.socket    the first WebSocket was opened
//   __ttp.pointer   the first pointer over the panel after the bench:hover mark
//   __ttp.signUp()  fills the form and submits it as a person would; notes when (submitted)
//   __ttp.read()    all of the above, the page's marks (bench:script-ran, bench:subscribed,
//                          bench:hover)
//                          and every request from resource timing
/* global document, MutationObserver */
(() => {
  const ttp = { live: 0, form: 0, row: 0, ready: 0, signedIn: 0, submitted: 0, socket: 0, pointer: 0 };
  globalThis.__ttp = ttp;

  const Native = globalThis.WebSocket;
  globalThis.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      ttp.socket ||= performance.now();
      this.addEventListener('message', (event) => {
        if (
          !ttp.live &&
          typeof event.data === 'string' &&
          event.data.includes('"pusher_internal:subscription_succeeded"')
        )
          ttp.live = performance.now();
      });
    }
  };

  const ROW = '[part~="list"] > [part~="member"]:not([part~="me"])';
  let panel = null;
  const check = () => {
    const root = panel?.shadowRoot;
    if (!root) return;
    const now = performance.now();
    if (!ttp.form && root.querySelector('[part~="form"]')) ttp.form = now;
    if (!ttp.row && root.querySelector(ROW)) ttp.row = now;
  };
  const watchReady = () => {
    const since = ttp.submitted;
    panel.ready.then(() => {
      if (ttp.submitted === since) ttp.ready = performance.now();
    });
  };
  const found = (el) => {
    panel = el;
    // A MutationObserver's callback runs right after the render that made the change, before the
    // next task (any network event): the time it reads is when the DOM had it.
    new MutationObserver(check).observe(el.shadowRoot, { childList: true, subtree: true });
    check();
    watchReady();
    el.addEventListener('whatsup-signed-in', () => {
      ttp.signedIn ||= performance.now();
      // the attempt after a sign-up has a `ready` of its own, made before this event
      if (ttp.submitted) watchReady();
    });
  };
  // The panel is upgraded when the parser inserts it (its bundle ran in <head>): its shadow root
  // exists by the time this observer hears of it.
  const observer = new MutationObserver(() => {
    const el = document.querySelector('whatsup-presence');
    if (el?.shadowRoot) {
      observer.disconnect();
      found(el);
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  // The first pointer over the panel once the bench asked for a hover (the mouse really moved).
  document.addEventListener(
    'pointerover',
    (e) => {
      if (!ttp.pointer && mark('bench:hover') && e.target === panel) ttp.pointer = performance.now();
    },
    true,
  );

  ttp.signUp = (username, status) => {
    const form = panel.shadowRoot.querySelector('[part~="form"]');
    form.querySelector('[name="username"]').value = username;
    form.querySelector('[name="status"]').value = status;
    ttp.submitted = performance.now();
    ttp.row = 0;
    ttp.ready = 0;
    form.requestSubmit();
  };

  const mark = (name) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? 0;
  ttp.subscribed = () => mark('bench:subscribed');
  ttp.read = () => ({
    live: ttp.live,
    form: ttp.form,
    row: ttp.row,
    ready: ttp.ready,
    signedIn: ttp.signedIn,
    submitted: ttp.submitted,
    socket: ttp.socket,
    scriptRan: mark('bench:script-ran'),
    hover: mark('bench:hover'),
    pointer: ttp.pointer,
    subscribed: mark('bench:subscribed'),
    requests: performance.getEntriesByType('resource').map((e) => ({
      path: new URL(e.name).pathname,
      start: e.startTime,
      end: e.responseEnd,
      encoded: e.encodedBodySize,
      decoded: e.decodedBodySize,
    })),
  });
})();
