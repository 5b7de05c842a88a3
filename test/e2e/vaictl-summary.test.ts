// vaictl get reads status.summary.json, which vaid writes after each status.json, only while the
// summary names the status.json on disk; otherwise it reads status.json. The state dirs here are
// written by vaid's own status store (src/status/store.ts), as vaid writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StatusStore } from '../../src/status/store.js';
import { writeFileAtomic } from '../../src/core/atomic-file.js';
import { summaryFileFor } from '../../src/status/summary.js';
import type { StatusDocument } from '../../src/status/schema.js';
import { testClock } from '../../src/core/clock.js';
import { syntheticStatus } from '../fixtures/status/synthetic.js';
import { testdir } from '../support/testdir.js';
import { vaictl } from '../fixtures/status/run-vaictl.js';

const dir = testdir();
const fake = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)', 'fake-vaid'], { stdio: 'ignore' });
test.after(() => {
  fake.kill('SIGKILL');
  dir.remove();
});

// Times an hour and more in the past: the ages printed do not move between two runs.
const NOW = Date.now() - 3_600_000;

async function writeState(name: string, n = 30): Promise<{ state: string; status: string; summary: string; doc: StatusDocument }> {
  const state = dir.join(name);
  const status = path.join(state, 'status.json');
  const doc = syntheticStatus(n, NOW);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(state, { recursive: true });
  writeFileSync(path.join(state, 'vaid.lock'), `${fake.pid}\n`);
  const store = new StatusStore({ file: status, clock: testClock(NOW), vaid: { pid: fake.pid!, version: 'test', startedAt: new Date(NOW).toISOString(), hostname: 'h' }, manifestsDir: '/m', synchronous: true });
  for (const s of Object.values(doc.services)) store.set(s);
  store.flushNow();
  await store.idle();
  return { state, status, summary: summaryFileFor(status), doc };
}

test('get prints the same table and names from the summary as from status.json', async () => {
  const { state, summary } = await writeState('same');
  const S = ['--state-dir', state];
  const viaSummary = [await vaictl(['get', ...S]), await vaictl(['get', '-o', 'name', ...S]), await vaictl(['get', 'minio-0003', 'nope', ...S])];
  rmSync(summary);
  const viaStatus = [await vaictl(['get', ...S]), await vaictl(['get', '-o', 'name', ...S]), await vaictl(['get', 'minio-0003', 'nope', ...S])];
  assert.equal(viaSummary[0]!.code, 0, viaSummary[0]!.stderr);
  assert.equal(viaSummary[0]!.stdout.trimEnd().split('\n').length, 31, 'a header and 30 rows');
  assert.equal(viaSummary[2]!.code, 3, 'a missing name still exits 3');
  assert.match(viaSummary[2]!.stderr, /nope/);
  assert.deepEqual(viaSummary, viaStatus);
});

test('get reads status.json when the summary describes another status.json, another format, or is damaged', async () => {
  const { state, status, summary, doc } = await writeState('stale');
  const S = ['--state-dir', state];
  // A newer status.json landed and its summary did not follow (vaid killed between the two).
  const changed = structuredClone(doc) as StatusDocument;
  const first = Object.keys(changed.services).sort()[0]!;
  changed.services[first]!.phase = 'CrashLoopBackOff';
  changed.writtenAt = new Date(NOW).toISOString();
  changed.vaid.pid = fake.pid!;
  writeFileAtomic(status, `${JSON.stringify(changed)}\n`);
  const stale = await vaictl(['get', first, ...S]);
  assert.equal(stale.code, 0, stale.stderr);
  assert.match(stale.stdout, /CrashLoopBackOff/, 'the table shows status.json, not the older summary');

  const good = readFileSync(summary, 'utf8');
  const current = JSON.parse(good) as { of: unknown; formatVersion: number };
  const { ino, size, mtimeMs } = (await import('node:fs')).statSync(status);
  current.of = { ino, size, mtimeMs };
  writeFileSync(summary, JSON.stringify(current));
  const fresh = await vaictl(['get', first, ...S]);
  assert.doesNotMatch(fresh.stdout, /CrashLoopBackOff/, 'a summary naming the file on disk is read (it still says the old phase)');

  for (const [what, text] of [
    ['a newer summary format', JSON.stringify({ ...current, formatVersion: 99 })],
    ['a cut-off summary', JSON.stringify(current).slice(0, 500)],
    ['a summary with a service of the wrong shape', JSON.stringify({ ...current, services: { [first]: { name: first } } })],
  ] as const) {
    writeFileSync(summary, text);
    const r = await vaictl(['get', first, ...S]);
    assert.equal(r.code, 0, `${what}: ${r.stderr}`);
    assert.match(r.stdout, /CrashLoopBackOff/, `${what}: read status.json instead`);
  }
});

test('get without status.json says so even when an old summary is left', async () => {
  const { state, status } = await writeState('gone', 3);
  rmSync(status);
  const r = await vaictl(['get', '--state-dir', state]);
  assert.equal(r.code, 4);
  assert.match(r.stderr, /no status file at .*status\.json/);
});
