import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 hex digest, as the pusher library's `Token.sign`. */
export function sign(secret: string, data: string): string {
  return createHmac('sha256', secret).update(Buffer.from(data)).digest('hex');
}

export function md5(body: Buffer | string): string {
  return createHash('md5').update(body).digest('hex');
}

/** Constant-time comparison of two strings; unequal lengths are simply unequal. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The string pusher-js authorization signs: `socket_id:channel[:channel_data]`, channel_data exactly as received. */
export function channelStringToSign(socketId: string, channel: string, channelData?: string): string {
  return channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
}

/** `{auth, channel_data?}` exactly as the pusher library's `authorizeChannel` makes it. */
export function authorizeChannel(
  key: string,
  secret: string,
  socketId: string,
  channel: string,
  presenceData?: { user_id: string; user_info?: unknown },
): { auth: string; channel_data?: string } {
  if (presenceData === undefined)
    return { auth: `${key}:${sign(secret, channelStringToSign(socketId, channel))}` };
  const channelData = JSON.stringify(presenceData);
  return {
    auth: `${key}:${sign(secret, channelStringToSign(socketId, channel, channelData))}`,
    channel_data: channelData,
  };
}

/** Checks a subscription's `auth` (`key:hexsignature`) for a private or presence channel. */
export function verifyChannelAuth(
  key: string,
  secret: string,
  auth: unknown,
  socketId: string,
  channel: string,
  channelData?: string,
): boolean {
  if (typeof auth !== 'string') return false;
  const expected = `${key}:${sign(secret, channelStringToSign(socketId, channel, channelData))}`;
  return safeEqual(auth, expected);
}

/** Checks a `pusher:signin` `auth` over `socket_id::user::user_data`. */
export function verifyUserAuth(
  key: string,
  secret: string,
  auth: unknown,
  socketId: string,
  userData: string,
): boolean {
  if (typeof auth !== 'string') return false;
  return safeEqual(auth, `${key}:${sign(secret, `${socketId}::user::${userData}`)}`);
}

/** `METHOD\npath\nk=v&…` over the query without `auth_signature`, keys lowercased and sorted, values unescaped. */
export function apiStringToSign(method: string, path: string, params: ReadonlyMap<string, string>): string {
  const query = [...params]
    .filter(([name]) => name !== 'auth_signature')
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return [method.toUpperCase(), path, query].join('\n');
}
