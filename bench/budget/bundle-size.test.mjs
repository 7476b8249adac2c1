// npm run test:budget — issue 15's size budget for the one-file bundle, as a byte count (sizes do
// not depend on the clock): the bytes before the first row (issue 23), lit and our own code;
// pusher-js is its chunk beside it, loaded while the list is drawn.
// Needs the build (npm run build). It fails while the bundle is over the budget: that is the point.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../processes.mjs';
import { BUNDLE, GZIP_BUDGET_BYTES, gzipBytes } from '../scenarios/size.mjs';

describe('the one-file bundle', () => {
  it(`should be at most ${GZIP_BUDGET_BYTES} bytes gzip -9 (30 kB)`, () => {
    const file = join(root, BUNDLE);
    assert.ok(existsSync(file), `${BUNDLE} is not built: npm run build`);
    const bytes = gzipBytes(readFileSync(file));
    assert.ok(
      bytes <= GZIP_BUDGET_BYTES,
      `${BUNDLE} is ${bytes} bytes gzip -9, ${bytes - GZIP_BUDGET_BYTES} over the budget of ${GZIP_BUDGET_BYTES}`,
    );
  });
});
