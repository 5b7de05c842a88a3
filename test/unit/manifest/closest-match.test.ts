// "did you mean": a typo of the whole name, else a typo of one word that exactly one candidate has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestMatch } from '../../../src/manifest/closest-match.js';

const LIMITS = ['memory_mb', 'cpu_percent', 'for_checks'];

test('a typo of the whole name wins', () => {
  assert.equal(closestMatch('memory_md', LIMITS), 'memory_mb');
  assert.equal(closestMatch('helth_check', ['health_check', 'restart_cmd']), 'health_check');
});

test('far as a whole, one word misspelt: the one candidate with that word', () => {
  assert.equal(closestMatch('max_memroy', LIMITS), 'memory_mb');
  assert.equal(closestMatch('MAX_MEMORY_RESTART', LIMITS), 'memory_mb');
});

test('a word two candidates share is no guess; nor are short words or unrelated names', () => {
  assert.equal(closestMatch('swap_percentage', ['min_free_percent', 'max_swap_used_percent', 'cpu_percent']), undefined);
  assert.equal(closestMatch('the_max', LIMITS), undefined);
  assert.equal(closestMatch('restart_policy', LIMITS), undefined);
});
