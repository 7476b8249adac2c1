import { expect } from '@open-wc/testing';
import { MemberList, byNameThenId, fromPresence, fromRecord, newer } from '../members.js';
import { PALETTE, colorOf, initials } from '../views/avatar.js';
import type { Member } from '../types.js';

const m = (id: string, name: string, status = '', updatedAt = 1): Member => ({ id, name, status, updatedAt });

describe('MemberList (no network)', () => {
  it('should keep everyone sorted by name then id through joins, renames and leaves', () => {
    const list = new MemberList();
    const names = ['Zed', 'amy', 'Bo', 'Émile', 'Amy', 'bo', 'Chidi', '李', 'Dee'];
    names.forEach((name, i) => list.set(m(`id${i}`, name)));
    const sorted = () => [...list.values()].sort(byNameThenId).map((x) => x.id);
    expect(list.list.map((x) => x.id)).to.deep.equal(sorted());
    list.set(m('id0', 'Aaron')); // a rename moves the row
    list.delete('id3');
    list.set(m('id1', 'amy', 'busy', 2)); // a status change keeps its place
    expect(list.list.map((x) => x.id)).to.deep.equal(sorted());
    expect(list.list[0]!.name).to.equal('Aaron');
    expect(list.size).to.equal(8);
  });

  it('should hand out the same frozen array until something changes', () => {
    const list = new MemberList();
    const a = m('a', 'A');
    list.set(a);
    const first = list.list;
    expect(Object.isFrozen(first)).to.equal(true);
    expect(list.set(a)).to.equal(false);
    expect(list.list).to.equal(first);
    list.set(m('b', 'B'));
    expect(list.list).to.not.equal(first);
  });

  it('should order numbers as numbers ("Cruz 2" before "Cruz 10"), in the language it is given', () => {
    let lang = 'en';
    const list = new MemberList(() => lang);
    ['Cruz 10', 'Cruz 2', 'Cruz 16', 'Cruz 1', 'Öz', 'Oz', 'Zoe'].forEach((name, i) =>
      list.set(m(`c${i}`, name)),
    );
    expect(list.list.map((x) => x.name)).to.deep.equal([
      'Cruz 1',
      'Cruz 2',
      'Cruz 10',
      'Cruz 16',
      'Oz',
      'Öz',
      'Zoe',
    ]);
    // Swedish sorts Ö after Z: a new language sorts everyone once, and joins follow it.
    lang = 'sv';
    expect(list.list.map((x) => x.name)).to.deep.equal([
      'Cruz 1',
      'Cruz 2',
      'Cruz 10',
      'Cruz 16',
      'Oz',
      'Zoe',
      'Öz',
    ]);
    list.set(m('c9', 'Cruz 3'));
    list.set(m('c10', 'Zz'));
    expect(list.list.map((x) => x.name)).to.deep.equal([
      'Cruz 1',
      'Cruz 2',
      'Cruz 3',
      'Cruz 10',
      'Cruz 16',
      'Oz',
      'Zoe',
      'Zz',
      'Öz',
    ]);
  });

  it('should stay sorted under a random stream of events (1,000 steps)', () => {
    const list = new MemberList();
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let i = 0; i < 1000; i++) {
      const id = `u${rand(60)}`;
      if (rand(3) === 0) list.delete(id);
      else list.set(m(id, ['Ann', 'Bo', 'Cy', 'ann', 'Dee'][rand(5)]!, String(i), i));
    }
    const expected = [...list.values()].sort(byNameThenId).map((x) => x.id);
    expect(list.list.map((x) => x.id)).to.deep.equal(expected);
  });
});

describe('merge rules', () => {
  it('should keep the newer record, and the one held on a tie', () => {
    const old = m('a', 'A', 'old', 1);
    const fresh = m('a', 'A', 'new', 2);
    expect(newer(old, fresh)).to.equal(fresh);
    expect(newer(fresh, old)).to.equal(fresh);
    const tie = m('a', 'A', 'tie', 2);
    expect(newer(fresh, tie)).to.equal(fresh);
    expect(newer(undefined, tie)).to.equal(tie);
  });

  it('should read presence info and server records defensively', () => {
    expect(fromPresence(7, null)).to.deep.equal({ id: '7', name: '7', status: '', updatedAt: 0 });
    expect(fromPresence('x', { name: 1, status: 'ok', avatar: '/a.png' })).to.deep.equal({
      id: 'x',
      name: 'x',
      status: 'ok',
      updatedAt: 0,
      avatar: '/a.png',
    });
    expect(fromRecord(null)).to.equal(null);
    expect(fromRecord({ id: 3 })).to.equal(null);
    expect(fromRecord({ id: 'y', name: 'Y', status: 's', updatedAt: 5 })).to.deep.equal({
      id: 'y',
      name: 'Y',
      status: 's',
      updatedAt: 5,
    });
  });
});

describe('avatars', () => {
  it('should give white initials at least 4.5:1 on every palette colour', () => {
    const lum = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    for (const colour of PALETTE) expect(1.05 / (lum(colour) + 0.05), colour).to.be.at.least(4.5);
  });

  it('should spread ids over the palette and keep each id on one colour', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => colorOf(`user-${i}`)));
    expect(used.size).to.equal(PALETTE.length);
    expect(colorOf('abc')).to.equal(colorOf('abc'));
    expect(initials('  ada   lovelace ')).to.equal('AL');
    expect(initials('')).to.equal('?');
  });
});
