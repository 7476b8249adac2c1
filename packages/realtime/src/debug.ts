import { debuglog } from 'node:util';

// NODE_DEBUG=whatsup turns this on; the library itself never writes to the console.
const log = debuglog('whatsup');

/** Debug output prefixed with the package, so it can be told apart from the middleware's. */
export function debug(format: string, ...args: unknown[]): void {
  log(`realtime: ${format}`, ...args);
}
