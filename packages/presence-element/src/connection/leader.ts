/**
 * One tab of a browser holds the Web Lock `name`: the leader. Every other tab waits in the lock's
 * queue, so when the leader's tab closes, navigates or crashes (the browser releases its lock by
 * itself) the next one is granted it. `steal()` takes it from a leader that is hidden or frozen:
 * that tab's request rejects (as soon as it runs again) and it waits in the queue once more.
 */
export class Election {
  /** This tab holds the lock. */
  leading = false;
  private readonly _name: string;
  private readonly _lead: () => void;
  private readonly _lose: () => void;
  private _queued: AbortController | undefined;
  private _release: (() => void) | undefined;
  private _running = false;
  /** A steal is under way: another would take the lock from this tab's own new grant. */
  private _stealing = false;

  /** `lead()`: the lock is granted; `lose()`: it went (stolen, or resigned). */
  constructor(name: string, lead: () => void, lose: () => void) {
    this._name = name;
    this._lead = lead;
    this._lose = lose;
  }

  /** Waits in the queue for the lock (granted at once when no tab holds it). */
  start(): void {
    this._running = true;
    this._request(false);
  }

  /** Takes the lock now from the tab that holds it. */
  steal(): void {
    if (!this._running || this.leading || this._stealing) return;
    this._stealing = true;
    this._request(true);
  }

  /** Lets the lock go (and leaves the queue): another tab leads. */
  stop(): void {
    this._running = false;
    this._queued?.abort();
    this._queued = undefined;
    this._release?.();
  }

  private _request(steal: boolean): void {
    this._queued?.abort();
    const queued = steal ? undefined : new AbortController();
    this._queued = queued;
    let granted = false;
    let release: (() => void) | undefined;
    const held = (): Promise<void> => {
      granted = true;
      if (steal) this._stealing = false;
      if (this._queued === queued) this._queued = undefined;
      if (!this._running) return Promise.resolve();
      // An earlier grant of this tab was stolen by this one: it is over.
      this._release?.();
      this.leading = true;
      const done = new Promise<void>((resolve) => (release = resolve));
      this._release = release;
      this._lead();
      return done;
    };
    // A steal cannot be aborted (the Web Locks API refuses `signal` with `steal`).
    const options: LockOptions = steal ? { steal: true } : { signal: queued!.signal };
    navigator.locks.request(this._name, options, held).then(
      () => this._ended(granted, release),
      () => {
        if (steal) this._stealing = false;
        this._ended(granted, release);
      },
    );
  }

  /** A request ended: resigned, stolen, or (never granted) aborted. */
  private _ended(granted: boolean, release: (() => void) | undefined): void {
    if (!granted || this._release !== release) return;
    this._release = undefined;
    this.leading = false;
    this._lose();
    // Stolen (or resigned while still running): wait in the queue again.
    if (this._running && !this._queued) this._request(false);
  }
}
