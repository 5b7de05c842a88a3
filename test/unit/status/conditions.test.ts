// Kubernetes condition semantics, and the one thing the status store counts on: a condition
// that already holds leaves the list itself in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setCondition } from '../../../src/status/conditions.js';

const passed = { type: 'Healthy', status: 'True', reason: 'CheckPassed', message: 'HTTP 200' } as const;

test('a condition that already holds comes back as the same list, unchanged', () => {
  const list = setCondition([], passed, 't1', 3);
  assert.equal(setCondition(list, { ...passed }, 't2', 3), list);
  assert.equal(list[0]!.lastTransitionTime, 't1');
});

test('a new message or generation is a new list; the transition time moves only when the status flips', () => {
  const list = setCondition([], passed, 't1', 3);
  const message = setCondition(list, { ...passed, message: 'HTTP 204' }, 't2', 3);
  assert.notEqual(message, list);
  assert.deepEqual(message[0], { ...passed, message: 'HTTP 204', lastTransitionTime: 't1', observedGeneration: 3 });
  assert.notEqual(setCondition(list, passed, 't2', 4), list);
  const flipped = setCondition(list, { ...passed, status: 'False', reason: 'Timeout', message: 'timed out' }, 't3', 3);
  assert.equal(flipped[0]!.lastTransitionTime, 't3');
  assert.equal(list[0]!.message, 'HTTP 200', 'the old list is not touched');
});
