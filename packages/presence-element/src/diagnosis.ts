import { apiBaseFrom } from './api.js';
import type { PresenceOptions } from './presence-options.js';

/**
 * Refusals whose message is for the site's developer, not its visitors: configuration, CORS, the
 * realtime server refusing the app or the channel, an answer that is not the middleware's.
 * Visitors see plain words; the developer finds the diagnosis and its fix in the console.
 */
export function forDeveloper(code: string): boolean {
  return /^(config|cors|connection|subscription|response|http)\./.test(code);
}

/** The message with the fix for the page's developer, naming the URLs and names the panel used. */
export function diagnosis(code: string, message: string, o: PresenceOptions): string {
  const base = (o.apiBase || apiBaseFrom(o.authEndpoint)).replace(/\/$/, '');
  switch (code) {
    case 'config.unreachable':
      return `${message} Fix: ${base}/config must answer the whatsup() router's JSON: mount it there (app.use('${base}', whatsup(…))) or set api-base to where it is mounted.`;
    case 'connection.refused':
      return `${message} Fix: the realtime server does not take this app (Pusher close codes 4000–4099; 4001: unknown app key). Compare the key attribute, or the key ${base}/config gives, with the realtime server's.`;
    case 'subscription.failed':
      return `${message} Fix: ${o.authEndpoint} refused the channel "${o.channel}": allow it with whatsup({ channels: ['${o.channel}'] }), or set the channel attribute to one it allows.`;
    case 'response.invalid':
      return `${message} Fix: ${base}/isLoggedIn did not answer a whatsup user record: is another app mounted at ${base}?`;
    default:
      return code.startsWith('http.')
        ? `${message} (${code.slice(5)} from ${base}: see the server's log).`
        : message;
  }
}
