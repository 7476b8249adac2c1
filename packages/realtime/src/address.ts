import type { IncomingMessage } from 'node:http';

/**
 * The address connections are counted under: the socket's peer, or with `trustProxy` the address the
 * trusted proxies saw (`true`: the first X-Forwarded-For entry; a number n: n proxies are trusted, the
 * entry n places from the right, as Express's `trust proxy` hop count).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean | number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustProxy === false || trustProxy === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  // nearest first: the peer, then the proxies' view from right to left
  const chain = [peer, ...forwarded.reverse()];
  const hops = trustProxy === true ? chain.length - 1 : Math.min(trustProxy, chain.length - 1);
  return chain[hops]!;
}
