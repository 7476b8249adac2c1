// node --test bench/test/ — the byte attribution must be right, or the size table lies quietly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attribute, decodeVlq } from '../scenarios/size.mjs';
import { percentile } from '../stats.mjs';

describe('decodeVlq', () => {
  describe('when given source-map base64 VLQ', () => {
    it('should decode the known values', () => {
      assert.deepEqual(decodeVlq('AAAA'), [0, 0, 0, 0]);
      assert.deepEqual(decodeVlq('C'), [1]);
      assert.deepEqual(decodeVlq('D'), [-1]);
      assert.deepEqual(decodeVlq('gB'), [16]);
      assert.deepEqual(decodeVlq('2HwBC'), [123, 24, 1]);
    });
  });
});

describe('attribute', () => {
  describe('when segments name sources', () => {
    it('should give every character to the source its segment names', () => {
      const map = {
        sources: ['../../../node_modules/lit-html/lit-html.js', '../src/whatsup-presence.ts'],
        // line 0: col 0 → source 0; col 5 → source 1
        mappings: 'AAAA,KCAA',
      };
      const parts = attribute('aaaaabbbbb', map);
      assert.equal(parts.get('lit'), 'aaaaa');
      assert.equal(parts.get('our own code'), 'bbbbb');
    });
  });

  describe('when a template literal spans unmapped lines', () => {
    it('should give those lines to the source mapped before them', () => {
      const map = {
        sources: ['node_modules/pusher-js/dist/web/pusher.js', '../src/a.ts'],
        mappings: 'AAAA,ECAA;;',
      };
      const parts = attribute('xxyy\n  <li>\n', map);
      assert.equal(parts.get('pusher-js'), 'xx');
      assert.equal(parts.get('our own code'), 'yy\n  <li>\n');
    });
  });

  describe('when the code starts before any mapping', () => {
    it('should count it as the bundle wrapper and cover every character', () => {
      const code = 'var W=(function(){x})';
      const parts = attribute(code, { sources: ['../src/a.ts'], mappings: 'kBAAA' });
      assert.equal(parts.get('the bundle wrapper (unmapped)'), code.slice(0, 18));
      assert.equal([...parts.values()].join('').length, code.length);
    });
  });
});

describe('percentile', () => {
  it('should pick the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(xs, 50), 50);
    assert.equal(percentile(xs, 99), 99);
    assert.equal(percentile([7], 99), 7);
  });
});
