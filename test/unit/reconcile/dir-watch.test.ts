import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, unlinkSync } from 'node:fs';
import { watchDir } from '../../../src/reconcile/dir-watch.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';

test('watchDir reports the names in a directory after each change', async () => {
  const dir = testdir({ 'a.stopped': '' });
  const seen: string[][] = [];
  const w = watchDir(dir.path, (names) => seen.push([...names].sort()));
  try {
    assert.deepEqual([...w.names()], ['a.stopped']);
    writeFileSync(dir.join('b.stopped'), '');
    await waitFor(() => seen.some((s) => s.includes('b.stopped')), { what: 'b.stopped seen' });
    unlinkSync(dir.join('a.stopped'));
    await waitFor(() => seen.at(-1)?.join() === 'b.stopped', { what: 'a.stopped gone' });
  } finally {
    w.close();
    dir.remove();
  }
});
