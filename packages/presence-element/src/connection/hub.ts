import type { ChannelEvents, Connection, ConnectionEvents, PresenceMember } from './connection.js';
import { Election } from './leader.js';
import type { PusherConnection } from './pusher.js';
import type { FromLeader, RelayMessage, ToLeader } from './relay-protocol.js';

/** How often the leader says it is alive (followers answer each beat with what they need). */
const BEAT_MS = 1000;
/**
 * No beat for this long: the leader is frozen (or gone without its lock): a visible tab takes over.
 * Each tab adds up to a second of its own, so two visible tabs rarely take it at the same moment.
 */
const SILENT_MS = 3000;
/** Hidden followers wait longer: a hidden leader's timers may wake once a minute (Chrome). */
const SILENT_HIDDEN_MS = 90_000;
/** A leader hidden this long asks a visible tab to take over (background timers get throttled). */
const HIDDEN_MS = 10_000;
/** A follower not heard from for this long is gone (crashed): its channels are not needed any more. */
const FORGET_MS = 5000;
/** A tab that lost the lead keeps its socket this long, so the new one is in before it leaves. */
const OVERLAP_MS = 3000;
/** The last element of a tab went: wait this long before leaving (a panel restarting comes back). */
const LINGER_MS = 1000;

/** One `<whatsup-presence>` connection of this tab: its callbacks and its channels. */
interface Handle {
  on: ConnectionEvents;
  subs: Map<string, ChannelEvents>;
}

/** What this tab knows of one channel: subscribed or not, and who is in it. */
interface ChannelView {
  subscribed: boolean;
  members: Map<string, PresenceMember>;
  /** Leading: the channel was refused; what each tab had asked until then (a new ask tries again). */
  refused?: Map<string, number>;
}

/** A follower as the leader knows it. */
interface Follower {
  chs: Set<string>;
  visible: boolean;
  n: number;
  seen: number;
}

/** Opens this tab's own connection (`openPusher()`), for when it leads. */
export type Open = (on: ConnectionEvents) => PusherConnection;

const hubs = new Map<string, Hub>();

/**
 * This tab's handle on the connection shared by every tab of this browser for `scope` (same
 * origin, same person, same server): one tab, the leader, holds the connection (`open()`, a
 * pusher-js client) and relays what it hears over BroadcastChannel; the others ask it for their
 * channels. Loaded on demand (in the bundles: with pusher-js's chunk, though it never uses it).
 */
export function joinHub(scope: string, open: Open, on: ConnectionEvents): Connection {
  let hub = hubs.get(scope);
  if (!hub || hub.closed) {
    hub = new Hub(scope, open);
    hubs.set(scope, hub);
  }
  return hub.open(on);
}

/** This tab's end of one scope: its handles, its election, and (while leading) the connection. */
class Hub {
  closed = false;
  private readonly _id = Math.random().toString(36).slice(2);
  private readonly _scope: string;
  private readonly _openPusher: Open;
  private _bc!: BroadcastChannel;
  private readonly _election: Election;
  private readonly _handles = new Set<Handle>();
  private readonly _channels = new Map<string, ChannelView>();
  private _state = 'initialized';
  /** Subscriptions asked for by this tab's handles, ever (the leader sees new ones after a refusal). */
  private _n = 0;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _linger: ReturnType<typeof setTimeout> | undefined;
  private _hiddenSince = 0;
  // As a follower:
  private _leader: string | undefined;
  private _lastBeat = Date.now();
  private readonly _silentMs = SILENT_MS + Math.random() * 1000;
  // As the leader:
  private _pusher: PusherConnection | undefined;
  private readonly _onPusher = new Set<string>();
  private readonly _followers = new Map<string, Follower>();
  /** Channels refused once and subscribed again on a new connection. */
  private readonly _retried = new Set<string>();
  /** The server refused the connection for good (4000–4099): what each tab had asked until then. */
  private _dead: Map<string, number> | undefined;

  constructor(scope: string, open: Open) {
    this._scope = scope;
    this._openPusher = open;
    this._listen();
    this._election = new Election(
      `whatsup:${scope}`,
      () => this._lead(),
      () => this._follow(),
    );
    if (document.hidden) this._hiddenSince = Date.now();
    document.addEventListener('visibilitychange', this._visibility);
    addEventListener('pagehide', this._pagehide);
    addEventListener('pageshow', this._pageshow);
    this._election.start();
    this._timer = setInterval(() => this._tick(), BEAT_MS);
  }

  open(on: ConnectionEvents): Connection {
    clearTimeout(this._linger);
    const handle: Handle = { on, subs: new Map() };
    this._handles.add(handle);
    if (this._state !== 'initialized') {
      const state = this._state;
      queueMicrotask(() => this._handles.has(handle) && on.state(state));
    }
    return {
      subscribe: (channel, events) => {
        if (!this._handles.has(handle)) return;
        handle.subs.set(channel, events);
        this._n++;
        const view = this._channels.get(channel);
        if (view?.subscribed) {
          const members = [...view.members.values()];
          queueMicrotask(() => handle.subs.get(channel) === events && events.subscribed(members));
        } else if (!view) this._channels.set(channel, { subscribed: false, members: new Map() });
        this._announce();
      },
      reconnect: () => {
        if (this._election.leading) this._pusher?.reconnect();
        else this._post({ k: 'reconnect', from: this._id });
      },
      disconnect: () => {
        if (!this._handles.delete(handle)) return;
        this._announce();
        if (this._handles.size === 0)
          this._linger = setTimeout(() => this._handles.size === 0 && this._close(), LINGER_MS);
      },
    };
  }

  /** The channels this tab's handles need. */
  private _mine(): Set<string> {
    const chs = new Set<string>();
    for (const h of this._handles) for (const ch of h.subs.keys()) chs.add(ch);
    return chs;
  }

  private _post(m: RelayMessage): void {
    if (!this.closed && this._timer) this._bc.postMessage(m);
  }

  private _listen(): void {
    this._bc = new BroadcastChannel(`whatsup:${this._scope}`);
    this._bc.onmessage = (e: MessageEvent<RelayMessage>) => this._heard(e.data);
  }

  /** What this tab needs changed (or the leader asked): tell the leader, or, leading, act on it. */
  private _announce(): void {
    for (const ch of [...this._channels.keys()])
      if (!this._mine().has(ch) && !this._election.leading) this._channels.delete(ch);
    if (this._election.leading) this._reconcile();
    else
      this._post({
        k: 'want',
        from: this._id,
        chs: [...this._mine()],
        visible: !document.hidden,
        n: this._n,
      });
  }

  // ---- leading -------------------------------------------------------------------------------

  private _lead(): void {
    this._leader = this._id;
    for (const view of this._channels.values()) view.subscribed = false;
    this._followers.clear();
    this._onPusher.clear();
    this._dead = undefined;
    this._pusher = this._newPusher();
    this._send({ k: 'claim', from: this._id });
    this._reconcile();
    this._beat();
  }

  private _newPusher(): PusherConnection {
    const pusher = this._openPusher({
      state: (state) => pusher === this._pusher && this._send({ k: 'state', from: this._id, state }),
      error: (code, message) => {
        if (pusher !== this._pusher) return;
        if (code >= 4000 && code < 4100) this._dead = this._marks();
        this._send({ k: 'error', from: this._id, code, message });
      },
      retrying: (seconds) =>
        pusher === this._pusher && this._send({ k: 'retrying', from: this._id, seconds }),
    });
    return pusher;
  }

  /** Relays to every tab, this one included. */
  private _send(m: FromLeader): void {
    this._post(m);
    this._apply(m);
  }

  /** Subscribes what some tab needs, unsubscribes what none needs; a connection refused for good opens again when asked. */
  private _reconcile(): void {
    if (!this._election.leading || !this._pusher) return;
    const needed = this._mine();
    for (const f of this._followers.values()) for (const ch of f.chs) needed.add(ch);
    if (this._dead && this._askedSince(this._dead)) this._renew();
    for (const ch of needed) {
      const refused = this._channels.get(ch)?.refused;
      if (refused && this._onPusher.has(ch) && this._askedSince(refused)) {
        this._onPusher.delete(ch);
        this._pusher.unsubscribe(ch);
      }
      if (this._onPusher.has(ch)) continue;
      this._onPusher.add(ch);
      this._channels.set(ch, { subscribed: false, members: new Map() });
      this._pusher.subscribe(ch, this._relay(ch));
    }
    for (const ch of [...this._onPusher]) {
      if (needed.has(ch)) continue;
      this._onPusher.delete(ch);
      this._channels.delete(ch);
      this._pusher.unsubscribe(ch);
    }
  }

  /** A new connection in place of this one; every channel needed is subscribed again on it. */
  private _renew(): void {
    this._dead = undefined;
    this._pusher?.disconnect();
    this._onPusher.clear();
    for (const view of this._channels.values()) view.subscribed = false;
    this._pusher = this._newPusher();
  }

  /** How many subscriptions each tab has asked for so far. */
  private _marks(): Map<string, number> {
    const marks = new Map([...this._followers].map(([tab, f]) => [tab, f.n]));
    return marks.set(this._id, this._n);
  }

  /** Some tab asked for a subscription since `marks` were taken. */
  private _askedSince(marks: Map<string, number>): boolean {
    return [...this._marks()].some(([tab, n]) => n > (marks.get(tab) ?? -1));
  }

  private _relay(ch: string): ChannelEvents {
    const from = this._id;
    const pusher = this._pusher;
    const live = (m: FromLeader) => {
      if (pusher === this._pusher && this._onPusher.has(ch)) this._send(m);
    };
    return {
      subscribed: (members) => {
        this._retried.delete(ch);
        live({ k: 'sub', from, ch, members });
      },
      refused: (status) => {
        const view = this._channels.get(ch);
        if (!view || pusher !== this._pusher) return;
        // The server may refuse a connection it has retired (I went invisible: its 4009 is on the
        // way), where a tab of its own would have opened a new one: try once on a new connection.
        if (!this._retried.has(ch)) {
          this._retried.add(ch);
          this._renew();
          return this._reconcile();
        }
        this._retried.delete(ch);
        view.refused = this._marks();
        live({ k: 'refused', from, ch, status });
      },
      added: (member) => live({ k: 'add', from, ch, member }),
      removed: (id) => live({ k: 'rem', from, ch, id }),
      event: (name, data) => live({ k: 'event', from, ch, name, data }),
    };
  }

  /** A follower's word. */
  private _fromFollower(m: ToLeader): void {
    if (m.k === 'reconnect') return this._pusher?.reconnect();
    if (m.k === 'bye') {
      this._followers.delete(m.from);
      return this._reconcile();
    }
    const before = this._followers.get(m.from);
    const chs = new Set(m.chs);
    this._followers.set(m.from, { chs, visible: m.visible, n: m.n, seen: Date.now() });
    if (!before && this._state !== 'initialized')
      this._post({ k: 'state', from: this._id, to: m.from, state: this._state });
    // Newly asked, already subscribed here: who is in it, to that tab only.
    for (const ch of chs) {
      const view = this._channels.get(ch);
      if (view?.subscribed && this._onPusher.has(ch) && (!before?.chs.has(ch) || m.n > before.n))
        this._post({ k: 'sub', from: this._id, to: m.from, ch, members: [...view.members.values()] });
    }
    this._reconcile();
  }

  private _beat(): void {
    this._post({ k: 'beat', from: this._id, state: this._state });
  }

  // ---- following -----------------------------------------------------------------------------

  /** The lead went (stolen while hidden or frozen): keep the socket a moment, then close it. */
  private _follow(): void {
    const pusher = this._pusher;
    this._pusher = undefined;
    this._onPusher.clear();
    this._followers.clear();
    if (pusher) setTimeout(() => pusher.disconnect(), OVERLAP_MS);
    this._lastBeat = Date.now();
    this._leader = undefined;
    if (this._timer) this._announce(); // not while suspended (back-forward cache)
  }

  private _heard(m: RelayMessage): void {
    if (!m || typeof m.from !== 'string' || m.from === this._id) return;
    if (m.k === 'want' || m.k === 'bye' || m.k === 'reconnect') {
      if (this._election.leading) this._fromFollower(m);
      return;
    }
    if (this._election.leading || ('to' in m && m.to && m.to !== this._id)) return;
    if (m.k === 'claim') {
      this._leader = m.from;
      for (const view of this._channels.values()) view.subscribed = false;
    } else if (m.from !== (this._leader ??= m.from)) return;
    this._lastBeat = Date.now();
    if (m.k === 'yield') return this._election.steal();
    if (m.k === 'claim' || m.k === 'beat') {
      if (m.k === 'beat' && m.state !== this._state)
        this._apply({ k: 'state', from: m.from, state: m.state });
      return this._announce();
    }
    this._apply(m);
  }

  /** Every second: the leader beats; a follower looks whether the leader should be replaced. */
  private _tick(): void {
    if (this._election.leading) {
      const now = Date.now();
      let gone = false;
      for (const [tab, f] of this._followers)
        if (now - f.seen > FORGET_MS) gone = this._followers.delete(tab);
      if (gone) this._reconcile();
      this._beat();
      // Hidden for a while: the first visible tab takes over (one tab, so no two race for it).
      const visible = [...this._followers].find(([, f]) => f.visible)?.[0];
      if (document.hidden && now - this._hiddenSince >= HIDDEN_MS && visible)
        this._post({ k: 'yield', from: this._id, to: visible });
    } else this._maybeSteal();
  }

  private _maybeSteal(): void {
    if (this._election.leading || this._handles.size === 0) return;
    const silent = Date.now() - this._lastBeat;
    if (silent > (document.hidden ? SILENT_HIDDEN_MS : this._silentMs)) this._election.steal();
  }

  // ---- every tab -----------------------------------------------------------------------------

  /** What the leader heard, to this tab's handles. */
  private _apply(m: FromLeader): void {
    const each = (ch: string, fn: (events: ChannelEvents) => void): void => {
      for (const h of [...this._handles]) {
        const events = h.subs.get(ch);
        if (events) fn(events);
      }
    };
    switch (m.k) {
      case 'state':
        this._state = m.state;
        for (const h of [...this._handles]) h.on.state(m.state);
        return;
      case 'error':
        for (const h of [...this._handles]) h.on.error(m.code, m.message);
        return;
      case 'retrying':
        for (const h of [...this._handles]) h.on.retrying(m.seconds);
        return;
      case 'claim':
      case 'beat':
      case 'yield':
        return;
    }
    const view = this._channels.get(m.ch);
    if (!view) return;
    switch (m.k) {
      case 'sub':
        view.subscribed = true;
        view.members = new Map(m.members.map((member) => [String(member.id), member]));
        return each(m.ch, (e) => e.subscribed(m.members));
      case 'add':
        view.members.set(String(m.member.id), m.member);
        return each(m.ch, (e) => e.added(m.member));
      case 'rem':
        view.members.delete(m.id);
        return each(m.ch, (e) => e.removed(m.id));
      case 'refused':
        view.subscribed = false;
        return each(m.ch, (e) => e.refused(m.status));
      case 'event':
        return each(m.ch, (e) => e.event(m.name, m.data));
    }
  }

  private readonly _visibility = (): void => {
    if (document.hidden) this._hiddenSince = Date.now();
    if (this._election.leading) this._beat();
    else this._announce();
  };

  /**
   * Into the back-forward cache (or unloading): leave, so a live tab leads. The channel closes too:
   * a message to a cached page (a beat a second) would evict it (Chrome: BroadcastChannelOnMessage).
   */
  private readonly _pagehide = (e: PageTransitionEvent): void => {
    if (!e.persisted) return this._post({ k: 'bye', from: this._id });
    this._suspend();
    this._bc.close();
  };

  /** Back from the back-forward cache: wait in the queue again and ask for my channels. */
  private readonly _pageshow = (e: PageTransitionEvent): void => {
    if (!e.persisted || this.closed || this._timer) return;
    this._lastBeat = Date.now();
    this._listen();
    this._timer = setInterval(() => this._tick(), BEAT_MS);
    this._election.start();
    this._announce();
  };

  private _suspend(): void {
    if (!this._election.leading) this._post({ k: 'bye', from: this._id });
    clearInterval(this._timer);
    this._timer = undefined;
    const pusher = this._pusher;
    this._pusher = undefined;
    this._election.stop();
    pusher?.disconnect();
    this._onPusher.clear();
    this._followers.clear();
  }

  private _close(): void {
    this._suspend();
    this.closed = true;
    this._bc.close();
    document.removeEventListener('visibilitychange', this._visibility);
    removeEventListener('pagehide', this._pagehide);
    removeEventListener('pageshow', this._pageshow);
    if (hubs.get(this._scope) === this) hubs.delete(this._scope);
  }
}
