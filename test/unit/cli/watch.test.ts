import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { resolvePaths } from '../../../src/cli/paths.js';
import { changedServices, watchStatus } from '../../../src/cli/watch.js';
import type { StatusDocument } from '../../../src/status/schema.js';
import { demoStatus } from '../../fixtures/status/synthetic.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';

const now = Date.now();

test('a passing check that only moves times and counters is no change; a phase flip or a restart is', () => {
  const a = demoStatus(now);
  const b = structuredClone(a);
  b.services.minio!.lastCheck!.at = new Date(now + 60_000).toISOString();
  b.services.minio!.counters.checks += 1;
  b.services.minio!.nextCheckAt = new Date(now + 120_000).toISOString();
  assert.deepEqual(changedServices(a, b), []);
  b.services.redis!.phase = 'Recovering';
  b.services.minio!.restarts.count += 1;
  assert.deepEqual(changedServices(a, b).map((c) => c.name), ['minio', 'redis']);
});

test('added and removed services are changes; the first document lists everything', () => {
  const a = demoStatus(now);
  const b = structuredClone(a);
  delete b.services.worker;
  b.services.extra = { ...structuredClone(a.services.minio!), name: 'extra' };
  const changes = changedServices(a, b);
  assert.deepEqual(changes.map((c) => [c.name, c.status === null]), [['extra', false], ['worker', true]]);
  assert.equal(changedServices(null, a).length, Object.keys(a.services).length);
});

test('watchStatus sees a status.json replaced by rename (as vaid writes it) and ignores other files', async (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const paths = resolvePaths({ 'state-dir': dir.path }, {}, dir.path);
  const doc = demoStatus(now);
  writeFileSync(paths.statusFile, JSON.stringify(doc));
  const seen: StatusDocument[] = [];
  const controller = new AbortController();
  const done = watchStatus(paths, controller.signal, { onDoc: (d) => seen.push(d), onError: (e) => assert.fail(String(e)) });
  writeFileSync(dir.join('unrelated.txt'), 'x');
  for (const phase of ['Recovering', 'Healthy'] as const) {
    const next = structuredClone(doc);
    next.services.redis!.phase = phase;
    writeFileSync(dir.join('status.json.tmp'), JSON.stringify(next));
    renameSync(dir.join('status.json.tmp'), paths.statusFile);
    await waitFor(() => seen.at(-1)?.services.redis?.phase === phase, { what: `phase ${phase} seen` });
  }
  controller.abort();
  await done;
  assert.ok(seen.length <= 3, `one read per write burst, got ${seen.length}`);
});
