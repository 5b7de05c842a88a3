import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVaidArgs } from '../../../../src/cli/daemon/flags.js';
import { isVaiError } from '../../../../src/errors.js';

test('--heap-growth: V8\'s own policy (0) by default, from VAI_HEAP_GROWTH, the flag over the variable', () => {
  assert.equal(parseVaidArgs([], {}, '/').heapGrowthPercent, 0);
  assert.equal(parseVaidArgs([], { VAI_HEAP_GROWTH: '40' }, '/').heapGrowthPercent, 40);
  assert.equal(parseVaidArgs(['--heap-growth', '100'], { VAI_HEAP_GROWTH: '0' }, '/').heapGrowthPercent, 100);
});

test('--heap-growth that is not a whole percent from 0 to 400 is a usage error naming the value', () => {
  for (const bad of ['abc', '-1', '12.5', '401']) {
    assert.throws(
      () => parseVaidArgs([`--heap-growth=${bad}`], {}, '/'),
      (e: unknown) => isVaiError(e) && e.code === 'VAI_E_USAGE' && e.message.includes(`--heap-growth ${bad}`),
    );
  }
});
