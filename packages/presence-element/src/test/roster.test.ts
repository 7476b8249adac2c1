// The roster's rules without a network: who joins, who leaves (with and without the grace), which
// record wins, and what is ignored (malformed records, invisible people's anonymous ids, old news).
import { expect } from '@open-wc/testing';
import { Roster, type RosterHost } from '../roster.js';
import type { Member } from '../types.js';

describe('Roster', () => {
  function roster(graceMs = 0): { roster: Roster; events: CustomEvent[]; left: string[] } {
    const events: CustomEvent[] = [];
    const left: string[] = [];
    const host: RosterHost = {
      changed() {},
      emit: (e) => events.push(e as CustomEvent),
      graceMs: () => graceMs,
      left: () => left.push('left'),
      lang: () => 'en',
    };
    return { roster: new Roster(host), events, left };
  }
  const me: Member = { id: 'me', name: 'Me', status: '', updatedAt: 1 };
  const types = (events: CustomEvent[]) => events.map((e) => e.type);

  describe('when subscribed', () => {
    it('should list the others by name, without me or anonymous ids, and fire no joins the first time', () => {
      const { roster: r, events } = roster();
      r.reset(me);
      r.subscribed([
        { id: 'b', info: { name: 'Bo' } },
        { id: 'me', info: { name: 'Me' } },
        { id: 'hidden-x1', info: {} },
        { id: 'a', info: { name: 'Ada' } },
      ]);
      expect(r.others.list.map((m) => m.name)).to.deep.equal(['Ada', 'Bo']);
      expect(r.count).to.equal(3);
      expect(events).to.deep.equal([]);
    });

    it('should fire the joins and leaves it missed when subscribed again', () => {
      const { roster: r, events } = roster();
      r.reset(me);
      r.subscribed([{ id: 'a', info: { name: 'Ada' } }]);
      r.subscribed([{ id: 'b', info: { name: 'Bo' } }]);
      expect(types(events)).to.deep.equal(['whatsup-member-left', 'whatsup-member-joined']);
      expect(r.others.list.map((m) => m.id)).to.deep.equal(['b']);
    });
  });

  describe('checked against the realtime server (GET /members online)', () => {
    const bo = { id: 'b', name: 'Bo', status: 'here', updatedAt: 5 };
    it('should keep someone a rejoin list missed: greyed, then back without a leave or a join', () => {
      const { roster: r, events } = roster(30_000);
      r.reset(me);
      r.subscribed([{ id: 'b', info: { name: 'Bo' } }]);
      // A rejoin list that misses Bo (soketi, several clients rejoining at once): greyed for the grace…
      r.subscribed([]);
      expect(r.others.get('b')!.lastSeen).to.be.a('number');
      expect(r.count).to.equal(1);
      // …and the server's own list says he is there: back, as if nothing happened.
      r.confirmed(['me', 'b'], [bo]);
      expect(r.others.get('b')!.lastSeen).to.equal(undefined);
      expect(r.count).to.equal(2);
      expect(events).to.deep.equal([]);
      r.stop();
    });

    it('should add someone the server has whom this list lacks, with their record', () => {
      const { roster: r, events } = roster();
      r.reset(me);
      r.subscribed([]);
      r.confirmed(['me', 'b', 'nobody-known'], [bo, { ...me }]);
      expect(r.others.list.map((m) => m.name)).to.deep.equal(['Bo']);
      expect(r.others.get('b')).to.include({ status: 'here', updatedAt: 5 });
      expect(types(events)).to.deep.equal(['whatsup-member-joined']);
    });

    it('should let someone go only when missing at two checks in a row', () => {
      const { roster: r, events } = roster();
      r.reset(me);
      r.subscribed([
        { id: 'b', info: { name: 'Bo' } },
        { id: 'c', info: { name: 'Cy' } },
      ]);
      r.confirmed(['me', 'c'], []);
      expect(r.others.size, 'one miss may be a join after the answer').to.equal(2);
      r.confirmed(['me', 'b', 'c'], []);
      r.confirmed(['me', 'c'], []);
      expect(r.others.size, 'seen in between: counting starts again').to.equal(2);
      r.confirmed(['me', 'c'], []);
      expect(r.others.list.map((m) => m.id)).to.deep.equal(['c']);
      expect(types(events)).to.deep.equal(['whatsup-member-left']);
    });

    it('should never list me, nor anonymous ids, from the server’s list', () => {
      const { roster: r } = roster();
      r.reset(me);
      r.subscribed([]);
      r.confirmed(['me', 'hidden-x1'], [me, { id: 'hidden-x1', name: 'x', status: '', updatedAt: 1 }]);
      expect(r.others.size).to.equal(0);
    });
  });

  describe('status-updated', () => {
    it('should apply a newer record, ignore an older one and anything malformed or unknown', () => {
      const { roster: r, events } = roster();
      r.reset(me);
      r.subscribed([{ id: 'a', info: { name: 'Ada', status: 'joined' } }]);
      r.updated({ id: 'a', name: 'Ada', status: 'coffee', updatedAt: 10 });
      r.updated({ id: 'a', name: 'Ada', status: 'stale', updatedAt: 5 });
      r.updated({ id: 'nobody', name: 'X', status: 'not in the channel', updatedAt: 20 });
      r.updated(null);
      r.updated('<img src=x onerror=alert(1)>');
      r.updated({ name: 'no id', status: 'x' });
      expect(r.others.get('a')).to.include({ status: 'coffee', updatedAt: 10 });
      expect(r.others.size).to.equal(1);
      expect(events.map((e) => [e.type, e.detail.previous])).to.deep.equal([
        ['whatsup-status-changed', 'joined'],
      ]);
    });

    it('should take my own record into `me` without a status-changed event', () => {
      const { roster: r, events } = roster();
      r.reset(me);
      r.updated({ id: 'me', name: 'Me', status: 'from another tab', updatedAt: 2 });
      expect(r.me?.status).to.equal('from another tab');
      expect(events).to.deep.equal([]);
    });
  });

  describe('leaving', () => {
    it('should remove at once without a grace, and tell the host', () => {
      const { roster: r, events, left } = roster(0);
      r.reset(me);
      r.subscribed([{ id: 'a', info: { name: 'Ada' } }]);
      r.removed('a');
      expect(r.others.size).to.equal(0);
      expect(types(events)).to.deep.equal(['whatsup-member-left']);
      expect(left).to.have.length(1);
    });

    it('should keep a leaver greyed (not counted) for the grace, and a return is no leave and no join', () => {
      const { roster: r, events } = roster(60_000);
      r.reset(me);
      r.subscribed([{ id: 'a', info: { name: 'Ada' } }]);
      r.removed('a');
      expect(r.others.get('a')?.lastSeen).to.be.a('number');
      expect(r.count).to.equal(1);
      expect(r.added({ id: 'a', info: { name: 'Ada' } })).to.equal(false);
      expect(r.others.get('a')?.lastSeen).to.equal(undefined);
      expect(r.count).to.equal(2);
      expect(events).to.deep.equal([]);
      r.stop();
    });

    it('should drop someone signed out for good at once, whatever the grace', () => {
      const { roster: r, events } = roster(60_000);
      r.reset(me);
      r.subscribed([{ id: 'a', info: { name: 'Ada' } }]);
      r.gone('a');
      expect(r.others.size).to.equal(0);
      expect(types(events)).to.deep.equal(['whatsup-member-left']);
    });
  });

  it('should ask for GET /members after a join whose status time is unknown', () => {
    const { roster: r, events } = roster();
    r.reset(me);
    r.subscribed([]);
    expect(r.added({ id: 'a', info: { name: 'Ada', status: 'hi' } })).to.equal(true);
    expect(r.added({ id: 'hidden-y', info: {} })).to.equal(false);
    expect(types(events)).to.deep.equal(['whatsup-member-joined']);
  });

  it('should keep people who left lately from GET /members, latest first, and apply newer statuses', () => {
    const { roster: r } = roster();
    r.reset(me);
    r.subscribed([{ id: 'a', info: { name: 'Ada' } }]);
    r.refreshed([
      { id: 'a', name: 'Ada', status: 'now', updatedAt: 50 },
      { id: 'old', name: 'Old', status: '', updatedAt: 1, lastSeen: 100 },
      { id: 'older', name: 'Older', status: '', updatedAt: 1, lastSeen: 50 },
      'garbage',
    ]);
    expect(r.others.get('a')?.status).to.equal('now');
    expect(r.recent.map((m) => m.id)).to.deep.equal(['old', 'older']);
  });
});
