/* global location */
// Installed in the bench page before anything else: answers the element's fetch() calls and plays
// the Pusher server on an in-page WebSocket, so the element runs its real code path (pusher-js,
// its event handlers, Lit) with no network and every timed step happens inside the page.
// The channel authorization (an XHR made by pusher-js) is answered by the bench through
// page.route(), before any timing starts.
(() => {
  const CHANNEL = 'presence-whatsup-members';
  const bench = {
    channel: CHANNEL,
    members: [],
    socket: null,
    onSubscribe: null,
  };
  globalThis.__bench = bench;

  const json = (body) =>
    new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

  globalThis.fetch = async (input) => {
    const path = new URL(typeof input === 'string' ? input : input.url, location.href).pathname;
    if (path.endsWith('/config')) {
      return json({
        key: 'app-key',
        cluster: 'local',
        forceTLS: false,
        enabledTransports: ['ws'],
        channel: CHANNEL,
        mode: 'guest',
        limits: { name: 40, status: 140 },
      });
    }
    if (path.endsWith('/isLoggedIn')) return json({ authenticated: true, user: bench.members[0] });
    if (path.endsWith('/members')) return json({ success: true, error: false, members: bench.members });
    return new Response('{"success":false,"error":true,"code":"not.found","message":"no"}', { status: 404 });
  };

  class BenchSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      bench.socket = this;
      setTimeout(() => {
        this.readyState = 1;
        this.onopen?.({});
        this.deliver({
          event: 'pusher:connection_established',
          data: JSON.stringify({ socket_id: '1234.5678', activity_timeout: 120 }),
        });
      }, 0);
    }
    send(raw) {
      const msg = JSON.parse(raw);
      if (msg.event === 'pusher:subscribe') bench.onSubscribe?.(msg.data);
      if (msg.event === 'pusher:ping') this.deliver({ event: 'pusher:pong', data: '{}' });
    }
    close() {
      if (this.readyState === 3) return;
      this.readyState = 3;
      if (bench.socket === this) bench.socket = null;
      setTimeout(() => this.onclose?.({ code: 1000, reason: '', wasClean: true }), 0);
    }
    /** One frame from the "server", dispatched synchronously like a real socket's message event. */
    deliver(frame) {
      this.onmessage?.({ data: JSON.stringify(frame) });
    }
  }
  globalThis.WebSocket = BenchSocket;
})();
