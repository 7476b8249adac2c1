/**
 * JSON from strangers. `JSON.parse` is iterative in V8, but `JSON.stringify` recurses: a 10 kB frame
 * holding an array nested 5,000 deep overflows the stack when it is serialized back (for a relay or an
 * error message). Everything client-supplied is measured here, without recursion, before it is
 * stringified.
 */

/** Deepest nesting accepted in client-supplied values that are serialized again (event data, user_info). */
export const MAX_DEPTH = 64;

/** Whether `value` has objects or arrays nested more than `max` levels deep. Iterative: cannot overflow. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    if (typeof node !== 'object' || node === null) continue;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** `JSON.stringify`, or undefined when the value is nested deeper than `MAX_DEPTH` (or cannot be encoded). */
export function stringifyBounded(value: unknown): string | undefined {
  if (nestedDeeperThan(value, MAX_DEPTH)) return undefined;
  try {
    return JSON.stringify(value);
  } catch {
    // a BigInt or a cycle, from an in-process caller
    return undefined;
  }
}

/** A bad value quoted for an error message: bounded in depth and in length (64 characters). */
export function quote(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (nestedDeeperThan(value, 8)) text = Array.isArray(value) ? '[[[…' : '{…';
  else text = stringifyBounded(value) ?? String(value);
  return `'${text.length > 64 ? `${text.slice(0, 64)}…` : text}'`;
}

/** WebSocket close reasons are at most 123 bytes of UTF-8: cut at a character boundary, never inside one. */
export function closeReason(text: string): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= 123) return text;
  let end = 123;
  // back up over continuation bytes (10xxxxxx) to the start of the character that does not fit
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString();
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
