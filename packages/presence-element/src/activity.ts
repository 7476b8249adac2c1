/** Input that means someone is at this tab. Each listener only stamps the time (passive). */
const INPUTS = ['mousemove', 'pointerdown', 'keydown', 'touchstart', 'wheel', 'focusin'];

/** One tab's word to the others: tab id, user id, away?, and "gone" (pagehide) or "hello" (answer me). */
interface TabMessage {
  t: string;
  u: string;
  a?: boolean;
  g?: 1;
  h?: 1;
}

/**
 * Is the person at one of their tabs? This tab is away after `idleMs()` without input, or with the
 * page hidden that long; any input or the page shown again makes it active at once. The tabs of one
 * browser tell each other through BroadcastChannel('whatsup-activity'): the person is away only if
 * every tab is. `report` is called only when that verdict changes, by the tab whose change made it
 * (or, when a tab closes, by the lowest-id tab left), so a burst of input costs one timestamp per
 * event and at most one report.
 */
export class Activity {
  private _last = Date.now();
  private _hiddenAt = Date.now();
  private _away = false;
  private _tabs = new Map<string, boolean>();
  private _id = Math.random().toString(36).slice(2);
  private _bc: BroadcastChannel;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _known: boolean;
  private readonly _user: string;
  private readonly _idleMs: () => number;
  private readonly _report: (away: boolean) => void;

  /** `serverAway`: what the server has now (a reload while away reports "active" at once). */
  constructor(user: string, idleMs: () => number, report: (away: boolean) => void, serverAway: boolean) {
    this._user = user;
    this._idleMs = idleMs;
    this._report = report;
    this._known = serverAway;
    for (const type of INPUTS) addEventListener(type, this._input, { capture: true, passive: true });
    document.addEventListener('visibilitychange', this._visibility);
    addEventListener('pagehide', this._gone);
    this._bc = new BroadcastChannel('whatsup-activity');
    this._bc.onmessage = (e: MessageEvent<TabMessage>) => this._heard(e.data);
    this._check();
    this._post(1);
    // Opened (or reloaded) while the server still has me away: I am here now.
    this._settle(true);
  }

  /** This browser's verdict: away only if this tab and every other tab are. */
  get away(): boolean {
    return this._away && ![...this._tabs.values()].includes(false);
  }

  /** The idle time changed: the timer is set again from the last input. */
  recheck(): void {
    this._check();
  }

  stop(): void {
    for (const type of INPUTS) removeEventListener(type, this._input, { capture: true });
    document.removeEventListener('visibilitychange', this._visibility);
    removeEventListener('pagehide', this._gone);
    this._gone();
    this._bc.close();
    clearTimeout(this._timer);
  }

  private _input = (): void => {
    this._last = Date.now();
    // While active the timer looks at _last when it fires: nothing more to do per event.
    if (this._away) this._check();
  };

  private _visibility = (): void => {
    if (document.hidden) this._hiddenAt = Date.now();
    else this._last = Date.now();
    this._check();
  };

  private _gone = (): void => {
    this._bc.postMessage({ t: this._id, u: this._user, g: 1 });
  };

  /** Away once the idle time has passed since the last input (or since the page was hidden). */
  private _check(): void {
    clearTimeout(this._timer);
    const idle = this._idleMs() - (Date.now() - (document.hidden ? this._hiddenAt : this._last));
    if (idle > 0) this._timer = setTimeout(() => this._check(), idle);
    if (this._away === idle <= 0) return;
    this._away = idle <= 0;
    this._post();
    this._settle(true);
  }

  private _post(hello?: 1): void {
    this._bc.postMessage({ t: this._id, u: this._user, a: this._away, h: hello });
  }

  private _heard(m: TabMessage): void {
    if (m?.u !== this._user || typeof m.t !== 'string') return;
    if (m.g) this._tabs.delete(m.t);
    else this._tabs.set(m.t, Boolean(m.a));
    if (m.h) this._post();
    // A closing tab cannot report: the lowest id among those left does.
    this._settle(Boolean(m.g) && [...this._tabs.keys()].every((id) => id > this._id));
  }

  private _settle(mine: boolean): void {
    const away = this.away;
    if (away === this._known) return;
    this._known = away;
    if (mine) this._report(away);
  }
}
