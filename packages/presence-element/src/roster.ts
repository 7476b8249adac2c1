import type { Member } from './types.js';
import { MemberList, fromPresence, fromRecord, hiddenId, newer } from './members.js';
import type { PresenceMember } from './connection/connection.js';
import {
  WhatsupActivityChangedEvent,
  WhatsupMemberJoinedEvent,
  WhatsupMemberLeftEvent,
  WhatsupStatusChangedEvent,
} from './events.js';

/** What the roster needs from its owner. */
export interface RosterHost {
  /** Something shown changed: render. */
  changed(): void;
  /** Fires a `whatsup-*` event. */
  emit(event: Event): void;
  /** How long someone who left stays greyed ("left just now"), in ms; 0: gone at once. */
  graceMs(): number;
  /** Someone is gone for good (after their grace, or signed out). */
  left(): void;
  /** The language names are collated in (the panel's). */
  lang(): string;
}

/**
 * Who is here, as this browser knows it: me, the others (sorted by name), those in their leave
 * grace (still listed with `lastSeen`, not counted) and who left lately. It applies what the
 * channel and the server say, keeping the newer record, and fires the member events.
 */
export class Roster {
  /** The signed-in visitor, or null. */
  me: Member | null = null;
  /** Everyone else, by name (in the host's language, numbers as numbers) then id. */
  readonly others: MemberList;
  /** People who left lately (GET /members records with `lastSeen`), latest first. */
  recent: readonly Member[] = [];
  private _leaving = new Map<string, ReturnType<typeof setTimeout>>();
  /** Listed here, missing from the realtime server's list at the last check (`confirmed`). */
  private _missing = new Set<string>();
  private _subscribedBefore = false;
  private readonly _host: RosterHost;

  constructor(host: RosterHost) {
    this._host = host;
    this.others = new MemberList(() => host.lang());
  }

  /** How many people are online, me included (not those in their leave grace). */
  get count(): number {
    return this.others.size - this._leaving.size + (this.me ? 1 : 0);
  }

  /** A new start (signed in as `me`, or nobody): nobody else is known yet. */
  reset(me: Member | null): void {
    this.me = me;
    this.others.clear();
  }

  /** The connection went: grace timers stop, and the next subscription is a fresh one. */
  stop(): void {
    this._leaving.forEach(clearTimeout);
    this._leaving.clear();
    this._missing.clear();
    this.recent = [];
    this._subscribedBefore = false;
  }

  setMe(me: Member): void {
    this._moved(this.me, me);
    this.me = me;
    this._host.changed();
  }

  /** Adds or updates someone (my own record goes to `me`). */
  upsert(member: Member): void {
    if (member.id === this.me?.id) return this.setMe(member);
    const previous = this.others.get(member.id);
    if (this.others.set(member)) this._host.changed();
    this._moved(previous, member);
  }

  /**
   * GET /bootstrap's members, before any subscription: who is here (the realtime server's
   * `online` ids, else the records without `lastSeen`) is listed at once, who left lately is `recent`. The first subscription then rebuilds the list silently,
   * keeping these records' statuses where they are newer: someone who left in between is no
   * longer listed, someone who came is.
   */
  snapshot(records: readonly unknown[], online?: readonly string[]): void {
    const here = present(records, online);
    const recent: Member[] = [];
    for (const record of records) {
      const m = fromRecord(record);
      if (!m || m.id === this.me?.id || hiddenId(m.id)) continue;
      if (here.has(m.id)) this.others.set(withoutLastSeen(m));
      else if (m.lastSeen !== undefined) recent.push(m);
    }
    this.recent = recent.sort((a, b) => b.lastSeen! - a.lastSeen!);
    this._host.changed();
  }

  /**
   * Everyone in the channel now (after every (re)subscription): rebuilt from it, keeping what we
   * know to be newer; who came or went while we were away joins or leaves (silently the first time).
   */
  subscribed(members: readonly PresenceMember[]): void {
    this._rebuild(members.map((m) => fromPresence(m.id, m.info)));
  }

  /**
   * While I am invisible my page is in no presence channel: who is here is GET /members (the
   * realtime server's `online` ids, else the records without `lastSeen`), rebuilt as after a
   * subscription, at the start and at every refresh.
   */
  followed(records: readonly unknown[], online?: readonly string[]): void {
    const here = present(records, online);
    const members: Member[] = [];
    for (const record of records) {
      const m = fromRecord(record);
      if (m && here.has(m.id)) members.push(withoutLastSeen(m));
    }
    this._rebuild(members);
    this.refreshed(records);
  }

  private _rebuild(members: readonly Member[]): void {
    const meId = this.me?.id;
    const seen = new Set<string>();
    const joined: Member[] = [];
    for (const fresh of members) {
      seen.add(fresh.id);
      if (fresh.id === meId || hiddenId(fresh.id)) continue;
      const known = this._back(fresh.id);
      if (!known) joined.push(fresh);
      this.others.set(newer(known, fresh));
    }
    for (const m of [...this.others.values()]) {
      if (seen.has(m.id)) continue;
      if (this._subscribedBefore) this._leave(m);
      else this.others.delete(m.id);
    }
    if (this._subscribedBefore) for (const m of joined) this._host.emit(new WhatsupMemberJoinedEvent(m));
    this._subscribedBefore = true;
    this._host.changed();
  }

  /** Someone's connection joined. Returns true when their status is not known yet (ask GET /members). */
  added(m: PresenceMember): boolean {
    const fresh = fromPresence(m.id, m.info);
    if (fresh.id === this.me?.id || hiddenId(fresh.id)) return false;
    this.recent = this.recent.filter((r) => r.id !== fresh.id);
    const known = this._back(fresh.id);
    // An upsert: a member we already hold (e.g. from a rebuild) keeps the newer status.
    this.upsert(newer(known, fresh));
    if (known) return false;
    this._host.emit(new WhatsupMemberJoinedEvent(fresh));
    // Presence info carries no time.
    return fresh.updatedAt === 0;
  }

  /** Someone's last connection went. */
  removed(id: string): void {
    const member = this.others.get(id);
    if (member) this._leave(member);
  }

  /** A `status-updated` record: applied to people in the channel, unless older than what we hold. */
  updated(data: unknown): void {
    const update = fromRecord(data);
    if (!update) return;
    const mine = update.id === this.me?.id;
    const previous = mine ? this.me! : this.others.get(update.id);
    // Only people in the channel are listed; the others get their status from GET /members later.
    if (!previous) return;
    if (previous.status === update.status && previous.updatedAt >= update.updatedAt) return;
    if (previous.updatedAt > update.updatedAt && !mine) return;
    const member = this._merge(previous, update);
    this.upsert(member);
    if (!mine) this._host.emit(new WhatsupStatusChangedEvent(member, previous.status));
  }

  /** GET /members: the statuses as they are now, and who left lately. */
  refreshed(records: readonly unknown[]): void {
    const recent: Member[] = [];
    for (const record of records) {
      const m = fromRecord(record);
      const present = m && (m.id === this.me?.id ? this.me : this.others.get(m.id));
      if (m && present && m.updatedAt >= present.updatedAt) this.upsert(this._merge(present, m));
      else if (m?.lastSeen && !present) recent.push(m);
    }
    this.recent = recent.sort((a, b) => b.lastSeen! - a.lastSeen!);
    this._host.changed();
  }

  /**
   * The realtime server's own list (GET /members `online`), after a subscription and now and then:
   * the list's truth beats what this browser pieced together from events. Someone it has who is
   * greyed as left (missing from a rejoin list) is back at once; someone it has that is not listed
   * joins; someone listed it has not had at two checks in a row leaves (one miss may be a join that
   * came after its answer).
   */
  confirmed(online: readonly string[], records: readonly unknown[]): void {
    const here = new Set(online);
    const byId = new Map<string, Member>();
    for (const record of records) {
      const m = fromRecord(record);
      if (m) byId.set(m.id, m);
    }
    for (const id of here) {
      this._missing.delete(id);
      if (id === this.me?.id || hiddenId(id) || (this.others.get(id) && !this._leaving.has(id))) continue;
      if (this._back(id)) continue;
      const record = byId.get(id);
      if (!record) continue; // nothing to show yet (past the record cap): the next event brings them
      const { lastSeen: _stale, ...member } = record;
      this.recent = this.recent.filter((r) => r.id !== id);
      this.upsert(member);
      this._host.emit(new WhatsupMemberJoinedEvent(member));
    }
    for (const m of [...this.others.values()]) {
      if (here.has(m.id) || this._leaving.has(m.id)) continue;
      if (this._missing.delete(m.id)) this._leave(m);
      else this._missing.add(m.id);
    }
  }

  /** Gone for good, without a grace (signed out: their connections close next). */
  gone(id: string): void {
    clearTimeout(this._leaving.get(id));
    this._leaving.delete(id);
    const member = this.others.delete(id);
    if (!member) return;
    this._host.changed();
    this._host.emit(new WhatsupMemberLeftEvent(member));
    this._host.left();
  }

  private _moved(previous: Member | null | undefined, member: Member): void {
    if (
      previous?.id === member.id &&
      (previous.activity !== member.activity || previous.availability !== member.availability)
    )
      this._host.emit(new WhatsupActivityChangedEvent(member, previous));
  }

  /** A newer record of someone listed; one in their leave grace stays greyed. */
  private _merge(previous: Member, update: Member): Member {
    const { lastSeen: _gone, ...rest } = update;
    return this._leaving.has(update.id) ? { ...rest, lastSeen: previous.lastSeen! } : rest;
  }

  /** Greyed for the grace, then gone (unless they come back). */
  private _leave(m: Member): void {
    const ms = this._host.graceMs();
    if (!ms) return this.gone(m.id);
    if (this._leaving.has(m.id)) return;
    this.others.set({ ...m, lastSeen: Date.now() });
    this._leaving.set(
      m.id,
      setTimeout(() => this.gone(m.id), ms),
    );
    this._host.changed();
  }

  /** Back within the grace: no leave, no join, the row as it was. */
  private _back(id: string): Member | undefined {
    const known = this.others.get(id);
    if (!known || !this._leaving.has(id)) return known;
    clearTimeout(this._leaving.get(id));
    this._leaving.delete(id);
    const { lastSeen: _gone, ...back } = known;
    this.others.set(back);
    this._host.changed();
    return back;
  }
}

/**
 * Who is here: the realtime server's ids when it said (`online`), else the records without
 * `lastSeen` (which may include someone who signed up and never connected).
 */
function present(records: readonly unknown[], online?: readonly string[]): Set<string> {
  if (online) return new Set(online);
  const here = new Set<string>();
  for (const record of records) {
    const m = fromRecord(record);
    if (m && m.lastSeen === undefined) here.add(m.id);
  }
  return here;
}

function withoutLastSeen(m: Member): Member {
  const { lastSeen: _gone, ...rest } = m;
  return rest;
}
