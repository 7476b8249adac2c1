import { HIDDEN_PREFIX } from '@whatsup/protocol';
import type { Member } from './types.js';

type Compare = (a: Member, b: Member) => number;
const orders = new Map<string, Compare>();

/**
 * Name in `lang` ('' for the browser's), numbers as numbers ("Cruz 2" before "Cruz 10"), then id:
 * equal names keep a stable order. One Intl.Collator per language, made once.
 */
export function byName(lang: string): Compare {
  let compare = orders.get(lang);
  if (!compare) {
    let collator: Intl.Collator;
    try {
      collator = new Intl.Collator(lang || undefined, { numeric: true });
    } catch {
      collator = new Intl.Collator(undefined, { numeric: true }); // a malformed lang tag
    }
    compare = (a, b) => collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    orders.set(lang, compare);
  }
  return compare;
}

/** Name (the browser's language, numbers as numbers), then id. */
export function byNameThenId(a: Member, b: Member): number {
  return byName('')(a, b);
}

/** Which record wins: the newer one; on a tie the one already held (no churn for equal data). */
export function newer(known: Member | undefined, fresh: Member): Member {
  return known && known.updatedAt >= fresh.updatedAt ? known : fresh;
}

function member(id: string, d: Record<string, unknown>, updatedAt: number): Member {
  const str = (k: string) => (typeof d[k] === 'string' && d[k] ? { [k]: d[k] } : {});
  const num = (k: string) => (typeof d[k] === 'number' ? { [k]: d[k] } : {});
  const a = d['availability'];
  return {
    id,
    name: typeof d['name'] === 'string' ? d['name'] : id,
    status: typeof d['status'] === 'string' ? d['status'] : '',
    updatedAt: typeof d['updatedAt'] === 'number' ? d['updatedAt'] : updatedAt,
    ...str('avatar'),
    ...str('emoji'),
    ...num('clearAt'),
    // Only the values the element knows: anything else reads as automatic / active.
    ...(a === 'dnd' || a === 'invisible' ? { availability: a } : {}),
    ...(d['activity'] === 'away' ? { activity: 'away' as const } : {}),
    ...num('activitySince'),
    ...num('lastSeen'),
  };
}

/** Ids of the anonymous presence members of invisible people: never shown, never counted. */
export const hiddenId = (id: string): boolean => id.startsWith(HIDDEN_PREFIX);

/** A member from presence `user_info` (authorization-time status; updatedAt 0 = not known yet). */
export function fromPresence(id: unknown, info: unknown): Member {
  return member(String(id), (info ?? {}) as Record<string, unknown>, 0);
}

/** A member from a server record (`status-updated`, GET /members, /register…), or null if malformed. */
export function fromRecord(data: unknown): Member | null {
  const d = data as Record<string, unknown> | null;
  return d && typeof d === 'object' && typeof d['id'] === 'string' ? member(d['id'], d, Date.now()) : null;
}

/** A status as one line: the emoji, then the text (for a row's text, title and announcements). */
export function statusText(m: Pick<Member, 'status' | 'emoji'>): string {
  return m.emoji ? `${m.emoji} ${m.status}`.trim() : m.status;
}

/**
 * The people online, kept sorted by name as they come and go: a join, a leave or a rename is a
 * binary search plus one splice, never a full re-sort, so an event costs O(log n) comparisons
 * whatever the room's size. `list` is the same array until something changes (a cheap identity
 * check for renderers) and is frozen so nobody outside mutates the order. Names are collated in
 * `lang()`, looked at when the list is read: a new language sorts everyone once.
 */
export class MemberList {
  private _byId = new Map<string, Member>();
  private _order: Member[] = [];
  private _list: readonly Member[] | null = null;
  private readonly _lang: () => string;
  private _compare: Compare;
  private _collatedIn: string;

  constructor(lang: () => string = () => '') {
    this._lang = lang;
    this._collatedIn = lang();
    this._compare = byName(this._collatedIn);
  }

  get size(): number {
    return this._byId.size;
  }

  get(id: string): Member | undefined {
    return this._byId.get(id);
  }

  has(id: string): boolean {
    return this._byId.has(id);
  }

  /** Everyone, by name then id. */
  get list(): readonly Member[] {
    const lang = this._lang();
    if (lang !== this._collatedIn) {
      this._collatedIn = lang;
      this._compare = byName(lang);
      this._order.sort(this._compare);
      this._list = null;
    }
    return (this._list ??= Object.freeze(this._order.slice()));
  }

  values(): IterableIterator<Member> {
    return this._byId.values();
  }

  /** Adds or replaces a member; returns whether anything changed. */
  set(member: Member): boolean {
    const old = this._byId.get(member.id);
    if (old === member) return false;
    this._byId.set(member.id, member);
    if (old && this._compare(old, member) === 0) {
      // Same place in the order (a status change): swap in place.
      this._order[this._find(old)] = member;
    } else {
      if (old) this._order.splice(this._find(old), 1);
      this._order.splice(this._insertionPoint(member), 0, member);
    }
    this._list = null;
    return true;
  }

  delete(id: string): Member | undefined {
    const old = this._byId.get(id);
    if (!old) return undefined;
    this._byId.delete(id);
    this._order.splice(this._find(old), 1);
    this._list = null;
    return old;
  }

  clear(): void {
    this._byId.clear();
    this._order = [];
    this._list = null;
  }

  /** Index of a member that is in the order (same name and id). */
  private _find(member: Member): number {
    const i = this._insertionPoint(member);
    return this._order[i]?.id === member.id ? i : this._order.findIndex((m) => m.id === member.id);
  }

  /** First index whose member sorts at or after `member`. */
  private _insertionPoint(member: Member): number {
    let lo = 0;
    let hi = this._order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this._compare(this._order[mid]!, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
