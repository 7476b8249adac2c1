// PresenceRegistry's compact storage (issue 15, memory per presence member): a user with one socket
// in one channel is indexed by that socket id alone, a Map only beyond that, and back again; the
// members list is kept as arrays and joined into the cached subscription_succeeded frame.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PresenceRegistry } from '../presence-registry.js';

function snapshot(registry: PresenceRegistry, channel: string): unknown {
  const frame = JSON.parse(registry.subscriptionSucceeded(channel).payload.toString()) as { data: string };
  return JSON.parse(frame.data);
}

describe('PresenceRegistry', () => {
  it('should index the sockets of a user through one, several and back to one socket', () => {
    const r = new PresenceRegistry();
    assert.equal(r.join('presence-a', 'u', { name: 'U' }, '1.1'), true);
    assert.deepEqual(r.userSockets('u'), ['1.1']);
    // the same socket in a second channel: still one socket, counted twice
    assert.equal(r.join('presence-b', 'u', { name: 'U' }, '1.1'), true);
    assert.deepEqual(r.userSockets('u'), ['1.1']);
    // a second tab
    assert.equal(r.join('presence-a', 'u', { name: 'U' }, '2.2'), false);
    assert.deepEqual(r.userSockets('u').sort(), ['1.1', '2.2']);
    assert.equal(r.leave('presence-a', 'u', '2.2'), false, 'the first tab is still there');
    assert.deepEqual(r.userSockets('u'), ['1.1']);
    assert.equal(r.leave('presence-b', 'u', '1.1'), true);
    assert.deepEqual(r.userSockets('u'), ['1.1'], 'still in presence-a');
    assert.equal(r.leave('presence-a', 'u', '1.1'), true);
    assert.deepEqual(r.userSockets('u'), []);
    // leaving again, or with a socket never seen, changes nothing
    assert.equal(r.leave('presence-a', 'u', '1.1'), false);
    assert.deepEqual(r.userSockets('u'), []);
  });

  it('should keep a compact entry right when a socket that never joined leaves', () => {
    const r = new PresenceRegistry();
    r.join('presence-a', 'u', {}, '1.1');
    assert.equal(r.leave('presence-a', 'u', '9.9'), false);
    assert.deepEqual(r.userSockets('u'), ['1.1']);
  });

  it('should build the members snapshot in join order through joins, a leave and a rebuild', () => {
    const r = new PresenceRegistry();
    r.join('presence-a', 'a', { name: 'A' }, '1.1');
    r.join('presence-a', '__proto__', { name: 'P' }, '2.2');
    assert.deepEqual(snapshot(r, 'presence-a'), {
      presence: {
        ids: ['a', '__proto__'],
        hash: JSON.parse('{"a":{"name":"A"},"__proto__":{"name":"P"}}'),
        count: 2,
      },
    });
    r.join('presence-a', 'c', null, '3.3');
    r.leave('presence-a', 'a', '1.1');
    r.join('presence-a', 'd', { name: 'D' }, '4.4');
    assert.deepEqual(snapshot(r, 'presence-a'), {
      presence: {
        ids: ['__proto__', 'c', 'd'],
        hash: JSON.parse('{"__proto__":{"name":"P"},"c":null,"d":{"name":"D"}}'),
        count: 3,
      },
    });
    assert.equal(r.subscriptionSucceeded('presence-a'), r.subscriptionSucceeded('presence-a'), 'cached');
  });
});
