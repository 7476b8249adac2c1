// The app's own users. Passwords are scrypt hashes (all three demo passwords are "whatsup-demo").
import { readFileSync } from 'node:fs';
import { scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt);
const accounts = JSON.parse(readFileSync(new URL('./accounts.json', import.meta.url), 'utf8'));

/** The account for these credentials, or null. Takes the same time whether the user exists or not. */
export async function verify(username, password) {
  const account = accounts.find((a) => a.username === String(username ?? '').toLowerCase());
  const salt = account?.salt ?? '00000000000000000000000000000000';
  const actual = await scryptAsync(String(password ?? ''), salt, 32);
  const expected = Buffer.from(account?.hash ?? '0'.repeat(64), 'hex');
  return account && timingSafeEqual(actual, expected) ? account : null;
}

export function byId(id) {
  return accounts.find((a) => a.id === id) ?? null;
}

export const usernames = accounts.map((a) => a.username);
