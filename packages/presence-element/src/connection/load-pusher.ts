import type Pusher from 'pusher-js';
import { importPusher } from './pusher-module.js';

/** pusher-js's class. */
export type PusherClass = typeof Pusher;

let loading: Promise<PusherClass> | undefined;

/**
 * pusher-js, loaded once: the list is drawn from GET /bootstrap without it, so it is not among the
 * bytes before the first row. The panel starts the load with its bootstrap request, so the
 * connection waits for no extra round trip. A load that failed is tried again next time.
 */
export function loadPusher(): Promise<PusherClass> {
  loading ??= importPusher().then(
    (m) => {
      // a bundler's CommonJS interop may nest the class once more
      const found: unknown = m.default;
      return (typeof found === 'function' ? found : (found as { default: unknown }).default) as PusherClass;
    },
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}
