// The identity rules as a model, for fast-check's model-based testing (`fc.commands`): several
// people sign up, rename themselves, go invisible and visible, open more tabs and sign out, in any
// order; after each step the model says who must be listed where, and each `System` (the HTTP
// routes alone, the embedded realtime server with pusher-js tabs, later the panel in a browser)
// checks that it agrees. Reusable: a new view of the system is a new `check`.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Answer, Person } from './http.js';

/**
 * Display names in classes of look-alikes: two names of one class must never be held at once.
 * (The classes are written out here, not computed with nameKey(), so the model does not trust the
 * code it checks.)
 */
export const NAME_CLASSES: readonly (readonly string[])[] = [
  ['ann', 'Ann', 'ANN', '\u0430nn'],
  ['bob', 'B0b', 'BOB'],
  ['lolxyz', 'IoIxyz', 'l0lxyz', 'lolxy\u017C', 'lolxyz\u0307'],
  ['cy'],
];
export const NAMES = NAME_CLASSES.flat();
const classOf = (name: string) => NAME_CLASSES.findIndex((names) => names.includes(name));

/** One person as the model sees them. */
export interface ModelPerson {
  /** Their current display name, or undefined while signed out. */
  name: string | undefined;
  invisible: boolean;
  /** While invisible: the name others saw when they turned invisible (they see them as left under it). */
  leftAs: string | undefined;
  /** Open tabs (pusher-js connections) of the current identity. */
  tabs: number;
  /** Every identity they had (ids), to check that ended ones are gone for good. */
  ended: string[];
}

export interface Model {
  people: ModelPerson[];
}

/** What a test drives: one browser per person, and whatever it can see of the server. */
export interface System {
  browsers: Person[];
  /** The current identity's id of each person (undefined while signed out). */
  ids: (string | undefined)[];
  /** Opens a tab for person `p` as the element would: the presence channel, or their follow channel while invisible. */
  openTab?(p: number): Promise<void>;
  /** Tabs closed (they were ended by the server, or the person leaves). */
  closeTabs?(p: number): Promise<void>;
  /** The views that must agree with the model after every step. */
  checks: ((model: Model, system: System) => Promise<void>)[];
}

export function newModel(people: number): Model {
  return {
    people: Array.from({ length: people }, () => ({
      name: undefined,
      invisible: false,
      leftAs: undefined,
      tabs: 0,
      ended: [],
    })),
  };
}

/** Whether `name` is held by someone other than person `p` (the model's rule: held while signed in). */
function heldByOther(model: Model, p: number, name: string): boolean {
  return model.people.some((q, i) => i !== p && q.name !== undefined && classOf(q.name) === classOf(name));
}

function expectOk(answer: Answer, what: string): void {
  assert.equal(answer.status, 200, `${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

async function endIdentity(model: Model, system: System, p: number): Promise<void> {
  const person = model.people[p]!;
  await system.closeTabs?.(p);
  person.tabs = 0;
  if (system.ids[p]) person.ended.push(system.ids[p]!);
  system.ids[p] = undefined;
  person.name = undefined;
  person.invisible = false;
  person.leftAs = undefined;
}

class SignUp implements fc.AsyncCommand<Model, System> {
  constructor(
    readonly p: number,
    readonly name: string,
  ) {}
  check = () => true;
  async run(model: Model, system: System): Promise<void> {
    const person = model.people[this.p]!;
    const answer = await system.browsers[this.p]!.post('/register', { username: this.name, status: '' });
    if (heldByOther(model, this.p, this.name)) {
      assert.equal(answer.status, 409, `${this}: the name is held: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.code, 'name.taken');
      return;
    }
    expectOk(answer, String(this));
    const same = person.name !== undefined && classOf(person.name) === classOf(this.name);
    if (same) assert.equal(answer.body.user.id, system.ids[this.p], 'the same name keeps the identity');
    else {
      // A rename (or a first sign-up): the old identity, if any, ended everywhere.
      if (person.name !== undefined) await endIdentity(model, system, this.p);
      system.ids[this.p] = answer.body.user.id;
      person.invisible = false;
      person.leftAs = undefined;
    }
    // Stored as the server stores it: NFC (a z and a combining dot become ż).
    person.name = this.name.normalize('NFC');
  }
  toString = () => `person ${this.p} signs up as ${JSON.stringify(this.name)}`;
}

class Availability implements fc.AsyncCommand<Model, System> {
  constructor(
    readonly p: number,
    readonly invisible: boolean,
  ) {}
  check = (model: Readonly<Model>) => model.people[this.p]!.name !== undefined;
  async run(model: Model, system: System): Promise<void> {
    const person = model.people[this.p]!;
    const answer = await system.browsers[this.p]!.post('/availability', {
      availability: this.invisible ? 'invisible' : 'auto',
    });
    expectOk(answer, String(this));
    if (person.invisible === this.invisible) return;
    // The element moves its tabs: from the presence channel to the follow channel, or back.
    const tabs = person.tabs;
    await system.closeTabs?.(this.p);
    person.tabs = 0;
    person.invisible = this.invisible;
    person.leftAs = this.invisible ? person.name : undefined;
    for (let i = 0; i < tabs; i += 1) await new OpenTab(this.p).run(model, system);
  }
  toString = () => `person ${this.p} goes ${this.invisible ? 'invisible' : 'visible'}`;
}

class OpenTab implements fc.AsyncCommand<Model, System> {
  constructor(readonly p: number) {}
  check = (model: Readonly<Model>) =>
    model.people[this.p]!.name !== undefined && model.people[this.p]!.tabs < 3;
  async run(model: Model, system: System): Promise<void> {
    if (!system.openTab) return;
    await system.openTab(this.p);
    model.people[this.p]!.tabs += 1;
  }
  toString = () => `person ${this.p} opens a tab`;
}

class SignOut implements fc.AsyncCommand<Model, System> {
  constructor(readonly p: number) {}
  check = () => true;
  async run(model: Model, system: System): Promise<void> {
    const answer = await system.browsers[this.p]!.post('/logout');
    expectOk(answer, String(this));
    await endIdentity(model, system, this.p);
  }
  toString = () => `person ${this.p} signs out`;
}

/** After each command: every check of the system against the model. */
class Check implements fc.AsyncCommand<Model, System> {
  check = () => true;
  async run(model: Model, system: System): Promise<void> {
    for (const check of system.checks) await check(model, system);
  }
  toString = () => 'check';
}

/** The commands for `people` people; `tabs: false` leaves tabs out (a system without a realtime server). */
export function commands(people: number, options: { tabs?: boolean; maxCommands?: number } = {}) {
  const p = fc.integer({ min: 0, max: people - 1 });
  const all = [
    fc.tuple(p, fc.constantFrom(...NAMES)).map(([i, name]) => new SignUp(i, name)),
    fc.tuple(p, fc.boolean()).map(([i, invisible]) => new Availability(i, invisible)),
    p.map((i) => new SignOut(i)),
    ...(options.tabs === false ? [] : [p.map((i) => new OpenTab(i))]),
  ];
  return fc
    .commands(all, { maxCommands: options.maxCommands ?? 12 })
    .map((list) => [...list].flatMap((command) => [command, new Check()]));
}

/** The check every system has: GET /members as each signed-in person lists exactly who the model says. */
export async function checkMembersLists(model: Model, system: System): Promise<void> {
  for (const [p, person] of model.people.entries()) {
    if (person.name === undefined) continue;
    const answer = await system.browsers[p]!.get('/members');
    assert.equal(answer.status, 200, `GET /members as person ${p}: ${JSON.stringify(answer.body)}`);
    const listed = answer.body.members as {
      id: string;
      name: string;
      availability?: string;
      lastSeen?: number;
    }[];
    const byId = new Map(listed.map((m) => [m.id, m]));
    for (const [q, other] of model.people.entries()) {
      const id = system.ids[q];
      for (const old of other.ended)
        assert.equal(byId.has(old), false, `person ${p} still sees an ended identity of person ${q}`);
      if (other.name === undefined || id === undefined) continue;
      const seen = byId.get(id);
      assert.ok(seen, `person ${p} does not see person ${q} (${other.name}): ${JSON.stringify(listed)}`);
      assert.equal(seen.name, q !== p && other.invisible ? other.leftAs : other.name);
      if (q === p) assert.equal(seen.availability === 'invisible', other.invisible, 'own availability');
      else if (other.invisible) {
        // To others an invisible person left, like anyone who closed their tabs: nothing says invisible.
        assert.equal(seen.availability, undefined, `person ${p} learns that person ${q} is invisible`);
        assert.equal(typeof seen.lastSeen, 'number', `person ${q} does not read as left to person ${p}`);
      }
    }
    const names = listed.map((m) => m.name);
    assert.equal(
      new Set(names.map(classOf).filter((c) => c >= 0)).size,
      names.filter((n) => classOf(n) >= 0).length,
      `two look-alike names are listed at once: ${names}`,
    );
    if (person.invisible) assert.ok(answer.body.follow, 'an invisible person is told their follow channel');
    else assert.equal(answer.body.follow, undefined);
  }
}
