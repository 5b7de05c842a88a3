import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerMatches } from '../../../src/web/bearer-auth.js';

test('only the exact token as a Bearer credential is accepted', () => {
  const t = 'token-0123456789abcdef';
  assert.equal(bearerMatches(`Bearer ${t}`, t), true);
  assert.equal(bearerMatches(`bearer ${t}`, t), true, 'the scheme is case-insensitive');
  for (const h of [undefined, '', t, `Basic ${t}`, `Bearer ${t}x`, `Bearer ${t.slice(1)}`, `Bearer ${t} extra`]) assert.equal(bearerMatches(h, t), false, String(h));
});
