import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { acquireLock, isVaiProcess } from '../../../../src/cli/daemon/lock.js';
import { isVaiError } from '../../../../src/errors.js';
import { testdir } from '../../../support/testdir.js';
import { waitFor } from '../../../support/wait.js';

test('the lock holds our pid, refuses a live vai holder by its pid, and is released', async () => {
  const dir = testdir({}, 'vai-lock-');
  // A live process whose command line names vai, standing in for another vaid.
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'vaid-stand-in'], { stdio: 'ignore' });
  try {
    await waitFor(() => isVaiProcess(other.pid!), { what: 'stand-in visible in /proc' });
    const file = dir.join('vaid.lock');
    writeFileSync(file, `${other.pid}\n`);
    assert.throws(
      () => acquireLock(file),
      (e: unknown) => isVaiError(e, 'VAI_E_LOCKED') && e.message === `another vaid (pid ${other.pid}) holds ${file}`,
    );
    other.kill('SIGKILL');
    await waitFor(() => !isVaiProcess(other.pid!), { what: 'stand-in gone (or a zombie)' });
    const lock = acquireLock(file);
    assert.equal(readFileSync(file, 'utf8'), `${process.pid}\n`, 'a dead holder is stale: taken over');
    lock.release();
    assert.equal(existsSync(file), false);
  } finally {
    other.kill('SIGKILL');
    dir.remove();
  }
});

test('a lock naming a pid that runs something else (pid reuse) is stale', () => {
  const dir = testdir({}, 'vai-lock-');
  try {
    const file = dir.join('vaid.lock');
    writeFileSync(file, '1\n');
    const lock = acquireLock(file);
    assert.equal(readFileSync(file, 'utf8'), `${process.pid}\n`);
    lock.release();
  } finally {
    dir.remove();
  }
});
