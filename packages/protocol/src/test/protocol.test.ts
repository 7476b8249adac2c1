import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CLEAR_AFTER,
  CLEAR_AFTER_MS,
  ERRORS,
  EVENTS,
  LIMITS,
  channelKind,
  FOLLOW_CHANNEL_PREFIX,
  isChannelName,
  isErrorCode,
  isFollowChannel,
  isSocketId,
} from '../index.js';

describe('@whatsup/protocol', () => {
  describe('isSocketId()', () => {
    it('should accept what pusher-js gets from a server', () => {
      assert.equal(isSocketId('123.456'), true);
      assert.equal(isSocketId('9007199254740991.9007199254740991'), true);
    });
    it('should refuse anything but two integers, and ids longer than the cap', () => {
      for (const bad of ['', '1', '1.', '.1', '1.2.3', 'a.b', ' 1.2', '1.2\n', 1.2, null, undefined]) {
        assert.equal(isSocketId(bad), false, String(bad));
      }
      assert.equal(isSocketId(`${'1'.repeat(2500)}.${'2'.repeat(2500)}`), false);
      const longest = `${'1'.repeat(LIMITS.socketIdLength - 2)}.1`;
      assert.equal(isSocketId(longest), true);
      assert.equal(isSocketId(`1${longest}`), false);
    });
  });

  describe('isChannelName()', () => {
    it("should take Pusher's characters up to the length cap", () => {
      assert.equal(isChannelName('presence-whatsup-members'), true);
      assert.equal(isChannelName('private-a_b=c@d,e.f;g'), true);
      assert.equal(isChannelName('x'.repeat(LIMITS.channelNameLength)), true);
      assert.equal(isChannelName('x'.repeat(LIMITS.channelNameLength + 1)), false);
    });
    it('should refuse empty, non-string and hostile names', () => {
      for (const bad of ['', 'a b', '<script>', 'présence', '#server-to-user-1', 42, {}, undefined]) {
        assert.equal(isChannelName(bad), false, String(bad));
      }
    });
  });

  it('isFollowChannel() should tell a follow channel, a presence channel of its own, from any other', () => {
    assert.equal(isFollowChannel(`${FOLLOW_CHANNEL_PREFIX}abc_-123`), true);
    assert.equal(channelKind(`${FOLLOW_CHANNEL_PREFIX}abc`), 'presence');
    for (const other of [
      'presence-whatsup-members',
      'private-whatsup-invisible-x',
      FOLLOW_CHANNEL_PREFIX.slice(0, -1),
      42,
    ])
      assert.equal(isFollowChannel(other), false, String(other));
    assert.equal(isFollowChannel(`${FOLLOW_CHANNEL_PREFIX}${'x'.repeat(LIMITS.channelNameLength)}`), false);
  });

  it('channelKind() should tell the four kinds apart', () => {
    assert.equal(channelKind('presence-x'), 'presence');
    assert.equal(channelKind('private-x'), 'private');
    assert.equal(channelKind('#server-to-user-7'), 'user');
    assert.equal(channelKind('news'), 'public');
  });

  it('every error code should be dotted (or internal) with a 4xx/5xx status', () => {
    for (const [code, status] of Object.entries(ERRORS)) {
      assert.match(code, /^([a-z_]+\.[a-z_]+|internal)$/, code);
      assert.ok(status >= 400 && status <= 599, `${code}: ${status}`);
      assert.equal(isErrorCode(code), true);
    }
    assert.equal(isErrorCode('toString'), false);
    assert.equal(isErrorCode('socket.invalid_id'), false);
  });

  it('event names should be distinct and never look like client or protocol events', () => {
    const names = Object.values(EVENTS);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.doesNotMatch(name, /^(client-|pusher:|pusher_internal:)/);
  });

  it('the fixed clear-after durations should be clear-after choices', () => {
    for (const key of Object.keys(CLEAR_AFTER_MS))
      assert.ok((CLEAR_AFTER as readonly string[]).includes(key));
  });

  it('the contract objects should be frozen', () => {
    for (const value of [LIMITS, ERRORS, EVENTS, CLEAR_AFTER, CLEAR_AFTER_MS])
      assert.ok(Object.isFrozen(value));
  });

  it('should import nothing, so that browsers and Node load it alike', () => {
    const dist = fileURLToPath(new URL('..', import.meta.url));
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
      for (const [, specifier] of code.matchAll(/\bfrom\s*['"]([^'"]+)['"]/g)) {
        assert.ok(specifier!.startsWith('./'), `${file} imports ${specifier}`);
      }
    }
  });
});
