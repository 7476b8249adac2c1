import type { AddressInfo } from 'node:net';

/** The secret soketi and our examples publish; anyone can sign with it. */
export const PUBLISHED_SECRET = 'app-secret';

let warned = false;

/** Whether an address only this machine can reach. `0.0.0.0` and `::` are every interface, not loopback. */
export function isLoopback(address: string): boolean {
  return (
    address === 'localhost' ||
    address === '::1' ||
    /^127\.\d+\.\d+\.\d+$/.test(address) ||
    /^::ffff:127\.\d+\.\d+\.\d+$/i.test(address)
  );
}

/**
 * Production guard rail: with the published default secret on an address others can reach, anyone can
 * sign channel authorizations and HTTP API calls (join presence as anyone, publish, terminate
 * connections). A warning, once per process, rather than a refusal: a container listening on 0.0.0.0
 * behind a private network is a legitimate development setup.
 */
export function warnIfPublishedSecret(secret: string, address: AddressInfo | string | null): boolean {
  if (warned || secret !== PUBLISHED_SECRET || address === null) return false;
  const host = typeof address === 'string' ? address : address.address;
  if (typeof address === 'string' && !address.includes('.') && !address.includes(':')) return false; // a pipe
  if (isLoopback(host)) return false;
  warned = true;
  process.emitWarning(
    `the realtime server listens on ${host} with the published default secret '${PUBLISHED_SECRET}': ` +
      'anyone can sign channel authorizations and HTTP API requests. Set the secret option ' +
      '(and the same secret in the pusher library) to a long random value.',
    { type: 'SecurityWarning', code: 'WHATSUP_DEFAULT_SECRET' },
  );
  return true;
}
