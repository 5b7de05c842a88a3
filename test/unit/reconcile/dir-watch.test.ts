import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';
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

test('a directory replaced under the watch (rm -rf and mkdir, a rename over it) is watched again: later entries are seen within the fast rescan, not the slow one', async () => {
  const root = testdir({});
  const dir = path.join(root.path, 'markers');
  mkdirSync(dir, { mode: 0o755 });
  const seen: string[][] = [];
  // A slow rescan of a minute: only the re-armed inotify watch (or the fast tick) can see the new entries in time.
  const w = watchDir(dir, (names) => seen.push([...names].sort()), { rescanMs: 200, watchedRescanMs: 60_000 });
  try {
    writeFileSync(path.join(dir, 'a.stopped'), '');
    await waitFor(() => seen.at(-1)?.join() === 'a.stopped', { what: 'a.stopped seen' });
    rmSync(dir, { recursive: true });
    const fresh = path.join(root.path, 'markers.new');
    mkdirSync(fresh, { mode: 0o755 });
    renameSync(fresh, dir);
    await waitFor(() => seen.at(-1)?.length === 0, { what: 'the empty new dir seen' });
    writeFileSync(path.join(dir, 'b.stopped'), '');
    await waitFor(() => seen.at(-1)?.join() === 'b.stopped', { what: 'b.stopped in the new dir seen', timeoutMs: 10_000 });
  } finally {
    w.close();
    root.remove();
  }
});
