// The summary reader on state dirs written by vaid's own status store: read when it names the
// status.json on disk, null (the caller reads status.json) otherwise, and never for --server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolvePaths } from '../../../src/cli/paths.js';
import { localSource, readSummaryFile, remoteSource } from '../../../src/status/reader.js';
import { age } from '../../../src/cli/printers/age.js';
import { writeFileAtomic } from '../../../src/core/atomic-file.js';
import { StatusStore } from '../../../src/status/store.js';
import { testClock } from '../../../src/core/clock.js';
import { syntheticStatus } from '../../fixtures/status/synthetic.js';
import { testdir } from '../../support/testdir.js';

test('the summary is read while it names status.json; not after status.json is replaced, nor with --server', async (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const now = Date.now();
  const doc = syntheticStatus(5, now);
  mkdirSync(dir.join('state'));
  const paths = resolvePaths({ 'state-dir': dir.join('state'), manifests: dir.join('m') }, {}, dir.path);
  const store = new StatusStore({ file: paths.statusFile, clock: testClock(now), vaid: { pid: 1, version: 't', startedAt: '', hostname: 'h' }, manifestsDir: '/m', synchronous: true });
  for (const s of Object.values(doc.services)) store.set(s);
  store.flushNow();
  await store.idle();

  const snap = readSummaryFile(paths, now, { age });
  assert.ok(snap, 'a current summary is read');
  assert.deepEqual(Object.keys(snap.doc.services).sort(), Object.keys(doc.services).sort());
  const [name, s] = Object.entries(doc.services)[0]!;
  assert.deepEqual(snap.doc.services[name], { name, desired: s.desired, phase: s.phase, createdAt: s.createdAt, labels: s.labels, restarts: { count: s.restarts.count, lastAt: s.restarts.lastAt }, lastCheck: s.lastCheck && { at: s.lastCheck.at, health: s.lastCheck.health } });

  writeFileAtomic(paths.statusFile, JSON.stringify(doc));
  assert.equal(readSummaryFile(paths, now, { age }), null, 'status.json replaced: the summary no longer describes it');

  store.set({ ...s, phase: 'Degraded' });
  store.flushNow();
  await store.idle();
  assert.equal(readSummaryFile(paths, now, { age })?.doc.services[name]?.phase, 'Degraded');
  assert.equal(localSource(paths, { age }).summary(now)?.doc.services[name]?.phase, 'Degraded');
  assert.equal(remoteSource(doc, 'http://127.0.0.1:1').summary(now), null, '--server: the local summary is not the remote host');
});
