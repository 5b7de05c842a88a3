// vaid never signals itself or the process that supervises it, even when that one holds the
// port of a service's check (seen: the test runner serving a check's endpoint was SIGKILLed by
// the stop escalation of the vaid it had started).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { isSelfOrAncestor } from '../../../src/executor/stop-escalation.js';

test('vaid itself, its parent and init are never a service process; a child of vaid is', async () => {
  assert.equal(isSelfOrAncestor(process.pid), true);
  assert.equal(isSelfOrAncestor(process.ppid), true);
  assert.equal(isSelfOrAncestor(1), true);
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    assert.equal(isSelfOrAncestor(child.pid!), false);
  } finally {
    child.kill('SIGKILL');
  }
});
