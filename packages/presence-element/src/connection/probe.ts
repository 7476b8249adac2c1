/**
 * A look every second for the first `STEADY_MS` of an outage (a restart takes a few seconds), then
 * each wait grows by half, up to `MAX_MS`. `GET /config` is static and cheap; a refused connection
 * cheaper still.
 */
const EVERY_MS = 1000;
const STEADY_MS = 30_000;
const MAX_MS = 15_000;

/**
 * While the connection is down, asks the middleware (a cheap `GET`, `url`) now and then whether it
 * answers. The first answer after one that failed means the server was down and is back, usually a
 * restart: `back()` at once, so the connection is tried now rather than after pusher-js's back-off
 * (10 s and more). When HTTP answers all along (a restart quicker than the first look, or only the
 * realtime side down, which pusher-js's retries and a load balancer handle), `back()` comes 2 s
 * into the outage, then after 4, 8… up to 60 s, so a down realtime node is not hammered.
 */
export class ReconnectProbe {
  private readonly _url: string;
  private readonly _back: () => void;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _abort: AbortController | undefined;
  private _failed = false;
  private _since = 0;
  /** When an answer calls `back()` though none failed, and how long until the one after. */
  private _nudgeAt = 0;
  private _nudgeGap = 0;
  private _wait = EVERY_MS;

  constructor(url: string, back: () => void) {
    this._url = url;
    this._back = back;
  }

  /** The connection is down (connecting again, unavailable): start looking, if not already. */
  start(): void {
    if (this._timer !== undefined || this._abort) return;
    this._failed = false;
    this._since = Date.now();
    this._nudgeGap = 2000;
    this._nudgeAt = this._since + this._nudgeGap;
    this._wait = EVERY_MS;
    this._schedule();
  }

  /** Connected again, or closed: stop looking. */
  stop(): void {
    clearTimeout(this._timer);
    this._timer = undefined;
    this._abort?.abort();
    this._abort = undefined;
  }

  private _schedule(): void {
    // ±20 %: pages that lost the same server do not all ask at the same moment.
    const wait = this._wait * (0.8 + Math.random() * 0.4);
    if (Date.now() - this._since > STEADY_MS) this._wait = Math.min(this._wait * 1.5, MAX_MS);
    this._timer = setTimeout(() => {
      this._timer = undefined;
      void this._look();
    }, wait);
  }

  private async _look(): Promise<void> {
    const abort = new AbortController();
    this._abort = abort;
    let answered: boolean;
    try {
      // No cookies needed, and no CORS either: an opaque answer from another origin is an answer.
      // A proxy's 502 or 504 is the server not answering behind it.
      const res = await fetch(this._url, {
        cache: 'no-store',
        credentials: 'omit',
        mode: 'no-cors',
        signal: abort.signal,
      });
      answered = res.type === 'opaque' || (res.status !== 502 && res.status !== 504);
    } catch {
      answered = false;
    }
    if (abort.signal.aborted) return;
    this._abort = undefined;
    if (!answered) this._failed = true;
    else if (this._failed) {
      this._failed = false;
      this._back();
    } else if (Date.now() >= this._nudgeAt) {
      this._nudgeGap = Math.min(this._nudgeGap * 2, 60_000);
      this._nudgeAt = Date.now() + this._nudgeGap;
      this._back();
    }
    this._schedule();
  }
}
