// The watcher on real directories: real writes, renames, deletes and a real git checkout.
// Each burst must become exactly one new desired state, and last-good must hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { testdir, type TestDir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { describeError, watchDesiredState, type DesiredState, type DesiredStateWatch } from '../../../src/manifest/index.js';
import { service } from './helpers.js';

async function watching(d: TestDir, dir = d.path) {
  const changes: DesiredState[] = [];
  const errors: unknown[] = [];
  const w = await watchDesiredState({ dir, debounceMs: 150, onChange: (s) => changes.push(s), onError: (e) => errors.push(e) });
  return { w, changes, errors };
}

/**
 * After the expected change arrived, a quiet period several debounce windows long must pass
 * with no further change: that is what "exactly one" means for a watcher. The quiet period is
 * confirmed by a reload that changes nothing, not by a sleep alone.
 */
async function settled(w: DesiredStateWatch, changes: DesiredState[], count: number) {
  await waitFor(() => changes.length >= count, { what: `${count} desired state change(s)` });
  await new Promise((r) => setTimeout(r, 1_000));
  await w.reload();
  assert.equal(changes.length, count, `exactly ${count} change(s), got generations ${changes.map((c) => c.generation).join(',')}`);
}

test('a burst of writes to many files becomes exactly one new desired state', async () => {
  const d = testdir({ 'a.yaml': service('a') });
  const { w, changes, errors } = await watching(d);
  try {
    assert.equal(w.current().generation, 1);
    for (let i = 0; i < 30; i++) writeFileSync(d.join(`s${i}.yaml`), service(`s${i}`));
    writeFileSync(d.join('a.yaml'), service('a', { port: 9 }));
    await settled(w, changes, 1);
    const s = changes[0]!;
    assert.equal(s.services.size, 31);
    assert.equal(s.generation, 2);
    assert.equal(s.services.get('a')!.generation, 2);
    assert.equal(w.current(), s);
    assert.deepEqual(errors, []);
  } finally {
    await w.close();
    d.remove();
  }
});

test("an editor's save-by-rename (write temp, rename over) is one change", async () => {
  const d = testdir({ 'a.yaml': service('a'), 'b.yaml': service('b') });
  const { w, changes } = await watching(d);
  try {
    writeFileSync(d.join('.a.yaml.swp'), service('a', { port: 4242 }));
    renameSync(d.join('.a.yaml.swp'), d.join('a.yaml'));
    await settled(w, changes, 1);
    assert.equal(changes[0]!.services.get('a')!.spec.health_check.port, 4242);
    assert.equal(changes[0]!.services.get('b')!.generation, 1, 'b untouched');
  } finally {
    await w.close();
    d.remove();
  }
});

test('a delete drops the services of that file, in one change', async () => {
  const d = testdir({ 'a.yaml': service('a'), 'sub/b.yaml': service('b'), 'sub/c.yaml': service('c') });
  const { w, changes } = await watching(d);
  try {
    rmSync(d.join('sub'), { recursive: true });
    await settled(w, changes, 1);
    assert.deepEqual([...changes[0]!.services.keys()], ['a']);
  } finally {
    await w.close();
    d.remove();
  }
});

test('an invalid edit keeps the last good spec in force and reports the error; fixing it applies', async () => {
  const d = testdir({ 'a.yaml': service('a', { port: 1000 }), 'b.yaml': service('b') });
  const { w, changes } = await watching(d);
  try {
    writeFileSync(d.join('a.yaml'), service('a', { port: '10x0' }));
    await settled(w, changes, 1);
    const bad = changes[0]!;
    assert.equal(bad.generation, 1, 'nothing applied changed');
    assert.equal(bad.services.get('a')!.spec.health_check.port, 1000);
    assert.deepEqual(bad.errors.map((e) => `${e.line}:${e.column}: ${describeError(e)}`), ['8:11: spec.health_check.port: must be an integer from 1 to 65535, got "10x0"']);
    writeFileSync(d.join('a.yaml'), service('a', { port: 1001 }));
    await settled(w, changes, 2);
    assert.equal(changes[1]!.generation, 2);
    assert.deepEqual(changes[1]!.errors, []);
    assert.equal(changes[1]!.services.get('a')!.spec.health_check.port, 1001);
  } finally {
    await w.close();
    d.remove();
  }
});

test('a git checkout between two commits becomes exactly one desired state at the new commit', async () => {
  const d = testdir({});
  const git = (...args: string[]) => execFileSync('git', ['-C', d.path, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  for (let i = 0; i < 20; i++) d.write(`m/s${i}.yaml`, service(`s${i}`, { port: 1000 + i }));
  git('add', '.');
  git('commit', '-q', '-m', 'v1');
  const v1 = git('rev-parse', 'HEAD');
  for (let i = 0; i < 20; i++) d.write(`m/s${i}.yaml`, service(`s${i}`, { port: 2000 + i, deps: i > 0 ? [`s${i - 1}`] : [] }));
  rmSync(d.join('m/s19.yaml'));
  d.write('m/extra/new.yaml', service('new'));
  git('add', '-A');
  git('commit', '-q', '-m', 'v2');
  const v2 = git('rev-parse', 'HEAD');
  git('checkout', '-q', v1);
  const { w, changes } = await watching(d, d.join('m'));
  try {
    assert.deepEqual(w.current().revision, { commit: v1, dirty: false });
    git('checkout', '-q', v2);
    await settled(w, changes, 1);
    const s = changes[0]!;
    assert.deepEqual(s.revision, { commit: v2, dirty: false });
    assert.deepEqual(s.attemptedRevision, { commit: v2, dirty: false });
    assert.equal(s.services.size, 20);
    assert.ok(!s.services.has('s19') && s.services.has('new'));
    assert.equal(s.services.get('s18')!.spec.health_check.port, 2018);
    assert.deepEqual(s.services.get('s18')!.spec.dependencies, ['s17']);
    assert.deepEqual(s.errors, []);
  } finally {
    await w.close();
    d.remove();
  }
});

test('checking out a commit with an invalid file: attempted moves, applied stays, other files apply', async () => {
  const d = testdir({});
  const git = (...args: string[]) => execFileSync('git', ['-C', d.path, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  d.write('a.yaml', service('a', { port: 1 }));
  d.write('b.yaml', service('b', { port: 1 }));
  git('add', '.');
  git('commit', '-q', '-m', 'good');
  const good = git('rev-parse', 'HEAD');
  d.write('a.yaml', service('a', { port: 'oops' }));
  d.write('b.yaml', service('b', { port: 2 }));
  git('commit', '-q', '-am', 'bad a');
  const bad = git('rev-parse', 'HEAD');
  git('checkout', '-q', good);
  const { w, changes } = await watching(d);
  try {
    git('checkout', '-q', bad);
    await settled(w, changes, 1);
    const s = changes[0]!;
    assert.deepEqual(s.attemptedRevision, { commit: bad, dirty: false });
    assert.deepEqual(s.revision, { commit: good, dirty: false });
    assert.equal(s.services.get('a')!.spec.health_check.port, 1, 'a keeps its last good spec');
    assert.equal(s.services.get('b')!.spec.health_check.port, 2, 'b applies');
    assert.deepEqual(s.errors.map((e) => [e.code, e.services]), [['VAI_E_MANIFEST_SCHEMA', ['a']]]);
  } finally {
    await w.close();
    d.remove();
  }
});

test('a rewrite that changes nothing produces no change; close stops watching', async () => {
  const d = testdir({ 'a.yaml': service('a') });
  const { w, changes } = await watching(d);
  try {
    writeFileSync(d.join('a.yaml'), service('a'));
    writeFileSync(d.join('README.md'), 'notes');
    await w.reload();
    await new Promise((r) => setTimeout(r, 600));
    await w.reload();
    assert.equal(changes.length, 0);
    await w.close();
    writeFileSync(d.join('b.yaml'), service('b'));
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(changes.length, 0);
  } finally {
    await w.close();
    d.remove();
  }
});

test('a manifest dir created after the watcher started, then replaced by a fresh one, is followed', async () => {
  const d = testdir({});
  const { w, changes } = await watching(d, d.join('m'));
  try {
    assert.equal(w.current().errors[0]!.message, 'cannot read the manifest directory: ENOENT');
    mkdirSync(d.join('m'));
    writeFileSync(d.join('m/a.yaml'), service('a'));
    await waitFor(() => changes.at(-1)?.services.has('a'), { what: 'a from the new dir' });
    d.write('fresh/b.yaml', service('b'));
    rmSync(d.join('m'), { recursive: true });
    renameSync(d.join('fresh'), d.join('m'));
    await waitFor(() => changes.at(-1)?.services.has('b') && !changes.at(-1)?.services.has('a'), { what: 'b from the replacing dir' });
    writeFileSync(d.join('m/c.yaml'), service('c'));
    await waitFor(() => changes.at(-1)?.services.has('c'), { what: 'c written into the replacing dir' });
    assert.deepEqual([...w.current().services.keys()], ['b', 'c']);
  } finally {
    await w.close();
    d.remove();
  }
});

test('a manifest dir removed and made again at once (rm -rf; mkdir: its inode number reused) is watched again without waiting for the resync', async () => {
  const d = testdir({ 'm/a.yaml': service('a') });
  const changes: DesiredState[] = [];
  const w = await watchDesiredState({ dir: d.join('m'), debounceMs: 50, resyncMs: 3_600_000, onChange: (s) => changes.push(s) });
  try {
    rmSync(d.join('m'), { recursive: true });
    mkdirSync(d.join('m'));
    writeFileSync(d.join('m/b.yaml'), service('b'));
    await waitFor(() => changes.at(-1)?.services.has('b') && !changes.at(-1)?.services.has('a'), { what: 'b from the new dir' });
    writeFileSync(d.join('m/c.yaml'), service('c'));
    await waitFor(() => changes.at(-1)?.services.has('c'), { what: 'c written into the new dir', timeoutMs: 15_000 });
  } finally {
    await w.close();
    d.remove();
  }
});

test('a manifest dir moved away and straight back (the same inode) is read again without waiting for the resync', async () => {
  const d = testdir({ 'm/a.yaml': service('a') });
  const changes: DesiredState[] = [];
  // An hour-long resync: only the watcher itself can notice the directory is back.
  const w = await watchDesiredState({ dir: d.join('m'), debounceMs: 50, resyncMs: 3_600_000, onChange: (s) => changes.push(s) });
  try {
    renameSync(d.join('m'), d.join('away'));
    await waitFor(() => changes.at(-1)?.errors[0]?.message === 'cannot read the manifest directory: ENOENT', { what: 'the directory reported missing' });
    assert.ok(changes.at(-1)!.services.has('a'), 'the last good services stay while it is missing');
    renameSync(d.join('away'), d.join('m'));
    await waitFor(() => changes.at(-1)?.errors.length === 0, { what: 'the directory read again' });
    writeFileSync(d.join('m/b.yaml'), service('b'));
    await waitFor(() => changes.at(-1)?.services.has('b'), { what: 'b written into the directory that came back' });
  } finally {
    await w.close();
    d.remove();
  }
});
