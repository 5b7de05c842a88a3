import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync, statSync, readdirSync, lstatSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { StatusStore } from '../../../src/status/store.js';
import { checkWriteWindowMs } from '../../../src/status/check-write-window.js';
import { removeStaleTemps, writeFileAtomic } from '../../../src/core/atomic-file.js';
import { loadStatusFile } from '../../../src/status/load.js';
import { statusDocumentProblems } from '../../../src/status/validate.js';
import type { ServiceStatus } from '../../../src/status/schema.js';
import { newServiceStatus } from '../../../src/status/service-status.js';
import { setCondition } from '../../../src/status/conditions.js';
import { recordEvent, MAX_EVENTS } from '../../../src/status/events.js';
import { testClock } from '../../../src/core/clock.js';
import { ServiceSpecSchema, type ServiceSpec } from '../../../src/manifest/schema.js';
import type { DesiredService } from '../../../src/manifest/types.js';
import { testdir } from '../../support/testdir.js';

const spec = Value.Default(ServiceSpecSchema, { health_check: { type: 'tcp', port: 1 } }) as ServiceSpec;
const svc = (name: string): DesiredService => ({ name, labels: { tier: 'db' }, annotations: {}, spec, generation: 1, source: { file: '/m/a.yaml', line: 3, column: 1 }, format: 'native' });
const vaid = { pid: 42, version: 'test', startedAt: '2026-01-01T00:00:00.000Z', hostname: 'h' };

test('the store coalesces many changes into one atomic write that validates against the schema', async () => {
  const dir = testdir();
  try {
    const clock = testClock();
    const file = dir.join('status.json');
    const store = new StatusStore({ file, clock, vaid, manifestsDir: '/m', minWriteIntervalMs: 500 });
    const writes: string[] = [];
    store.on('write', () => {
      const text = readFileSync(file, 'utf8');
      assert.equal(statusDocumentProblems(JSON.parse(text)), null, 'every write validates');
      writes.push(text);
    });
    for (let i = 0; i < 1000; i++) {
      const s = newServiceStatus(svc(`s${i % 100}`), 'Running', new Date(clock.now()).toISOString());
      store.set({ ...s, consecutiveFailures: i });
    }
    assert.equal(writes.length, 0, 'nothing written synchronously');
    clock.advance(10);
    await store.idle();
    assert.equal(writes.length, 1, '1000 changes, one write');
    const doc = JSON.parse(writes[0]!);
    assert.equal(Object.keys(doc.services).length, 100);
    store.set({ ...newServiceStatus(svc('s1'), 'Running', '2026-01-01T00:00:00.000Z'), consecutiveFailures: 5000, phase: 'Healthy' });
    clock.advance(100);
    await store.idle();
    assert.equal(writes.length, 1, 'at most one write per 500 ms');
    // Past the window however long the real write took (a slow write stretches it).
    clock.advance(5000);
    await store.idle();
    assert.equal(writes.length, 2);
    clock.advance(5000);
    await store.idle();
    assert.equal(writes.length, 2, 'no write when nothing changed');
    assert.equal((statSync(file).mode & 0o777).toString(8), '644');
    assert.deepEqual(readdirSync(dir.path).sort(), ['status.json', 'status.summary.json'], 'no temp files left behind');
  } finally {
    dir.remove();
  }
});

test('set() emits the JSON patch between the previous and the new status; an equal status emits nothing', () => {
  const store = new StatusStore({ file: '/nonexistent/x', clock: testClock(), vaid, manifestsDir: '/m', write: () => {} });
  const changes: Array<{ ops: Array<{ op: string; path: string }> }> = [];
  store.on('change', (c) => changes.push(c));
  const a = newServiceStatus(svc('db'), 'Running', '2026-01-01T00:00:00.000Z');
  store.set(a);
  store.set(structuredClone(a));
  store.set({ ...a, phase: 'Healthy' });
  assert.equal(changes.length, 2);
  assert.deepEqual(changes[1]!.ops, [{ op: 'replace', path: '/phase', value: 'Healthy' }]);
});

test('flushNow writes at once (the write-ahead before a restart command)', async () => {
  const dir = testdir();
  const clock = testClock();
  const file = dir.join('status.json');
  const store = new StatusStore({ file, clock, vaid, manifestsDir: '/m' });
  try {
    store.set({ ...newServiceStatus(svc('db'), 'Running', '2026-01-01T00:00:00.000Z'), phase: 'Recovering' });
    store.flushNow();
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).services.db.phase, 'Recovering');
    const loaded = loadStatusFile(file);
    assert.equal(loaded.kind, 'loaded');
  } finally {
    // The summary follows the write-ahead in the background; removing the dir under it raced
    // (ENOTEMPTY at load 14).
    await store.idle();
    dir.remove();
  }
});

test('an atomic write replaces a planted symlink instead of writing through it', () => {
  const dir = testdir({ 'victim.txt': 'keep me' });
  try {
    symlinkSync(dir.join('victim.txt'), dir.join('status.json'));
    writeFileAtomic(dir.join('status.json'), '{"ok":true}\n');
    assert.equal(readFileSync(dir.join('victim.txt'), 'utf8'), 'keep me');
    assert.equal(lstatSync(dir.join('status.json')).isSymbolicLink(), false);
    assert.equal(readFileSync(dir.join('status.json'), 'utf8'), '{"ok":true}\n');
  } finally {
    dir.remove();
  }
});

test('loading a corrupt, invalid or newer status file is refused with the reason', () => {
  const dir = testdir();
  try {
    const f = dir.join('status.json');
    assert.equal(loadStatusFile(f).kind, 'missing');
    writeFileSync(f, '{"apiVersion": "vai/v1", ');
    const bad = loadStatusFile(f);
    assert.equal(bad.kind, 'rejected');
    assert.match((bad as { reason: string }).reason, /not JSON/);
    writeFileSync(f, JSON.stringify({ apiVersion: 'vai/v1', kind: 'Status', formatVersion: 99 }));
    assert.match((loadStatusFile(f) as { reason: string }).reason, /formatVersion 99, newer/);
    writeFileSync(f, JSON.stringify({ apiVersion: 'vai/v1', kind: 'Status', formatVersion: 1 }));
    assert.match((loadStatusFile(f) as { reason: string }).reason, /does not match the status schema/);
  } finally {
    dir.remove();
  }
});

test('conditions: lastTransitionTime moves only when the status flips', () => {
  let c = setCondition([], { type: 'Healthy', status: 'True', reason: 'CheckPassed', message: 'a' }, 't1', 1);
  c = setCondition(c, { type: 'Healthy', status: 'True', reason: 'CheckPassed', message: 'b' }, 't2', 2);
  assert.equal(c[0]!.lastTransitionTime, 't1');
  assert.equal(c[0]!.message, 'b');
  assert.equal(c[0]!.observedGeneration, 2);
  c = setCondition(c, { type: 'Healthy', status: 'False', reason: 'Timeout', message: 'c' }, 't3', 2);
  assert.equal(c[0]!.lastTransitionTime, 't3');
  assert.equal(c.length, 1);
});

test('events: repeats fold into one entry with a count; the list is bounded', () => {
  let ev = recordEvent([], { type: 'Warning', reason: 'CheckFailed', message: 'x' }, 't1');
  ev = recordEvent(ev, { type: 'Normal', reason: 'Recovered', message: 'y' }, 't2');
  ev = recordEvent(ev, { type: 'Warning', reason: 'CheckFailed', message: 'x' }, 't3');
  assert.equal(ev.length, 2);
  assert.deepEqual(ev[1], { type: 'Warning', reason: 'CheckFailed', message: 'x', count: 2, firstTime: 't1', lastTime: 't3' });
  for (let i = 0; i < 200; i++) ev = recordEvent(ev, { type: 'Normal', reason: 'Restarting', message: `m${i}` }, `t${i}`);
  assert.equal(ev.length, MAX_EVENTS);
  assert.equal(ev.at(-1)!.message, 'm199');
});

test('a new phase is written within 50 ms; a change that only records another check waits for the check cadence', () => {
  const clock = testClock();
  const written: Array<{ at: number; doc: { services: Record<string, { phase: string; counters: { checks: number } }> } }> = [];
  const store = new StatusStore({ file: '/nonexistent/x', clock, vaid, manifestsDir: '/m', write: (_f, text) => written.push({ at: clock.now(), doc: JSON.parse(text) }) });
  const t = (ms: number) => new Date(clock.now() + ms).toISOString();
  let s = newServiceStatus(svc('db'), 'Running', t(0));
  store.set(s);
  clock.advance(9);
  assert.equal(written.length, 0, 'a change waits 10 ms for others of its burst');
  clock.advance(1);
  assert.equal(written.length, 1, 'a new service is written then');

  const checked = (n: number, health: 'healthy' | 'unhealthy' = 'healthy') => {
    s = structuredClone(s);
    s.lastCheck = { at: t(0), health, reason: 'CheckPassed', latencyMs: n, message: `connected after ${n} ms` };
    s.counters.checks = n;
    s.consecutiveSuccesses = n;
    s.nextCheckAt = t(10_000);
    s.conditions = setCondition(s.conditions, { type: 'Healthy', status: 'True', reason: 'CheckPassed', message: `connected after ${n} ms` }, t(0), 1);
    return s;
  };
  store.set(checked(1));
  clock.advance(100);
  assert.equal(written.length, 2, 'the first check result is written at once');
  store.set(checked(2));
  store.set(checked(3));
  clock.advance(1000);
  assert.equal(written.length, 2, 'later check results wait');
  clock.advance(500);
  assert.equal(written.length, 3, 'and are written on the check cadence, coalesced');
  assert.equal(written[2]!.doc.services.db!.counters.checks, 3);

  store.set(checked(4));
  clock.advance(300);
  store.set({ ...checked(5), phase: 'Healthy' });
  clock.advance(100);
  assert.equal(written.length, 4, 'a phase change pulls the pending write forward');
  assert.equal(written[3]!.doc.services.db!.phase, 'Healthy');

  clock.advance(5000);
  store.set(checked(6, 'unhealthy'));
  clock.advance(100);
  assert.equal(written.length, 5, 'a check whose health flipped is written at once');
});

test('check-only writes follow the shortest check interval (1.5 to 10 s); a phase change is still written within 50 ms', () => {
  const every = (seconds: number): DesiredService => ({ ...svc(`s${seconds}`), spec: { ...spec, health_check: { ...spec.health_check, interval_seconds: seconds } } });
  assert.equal(checkWriteWindowMs([every(60), every(300)]), 10_000);
  assert.equal(checkWriteWindowMs([every(60), every(5)]), 5_000);
  assert.equal(checkWriteWindowMs([every(0.5)]), 1_500);
  assert.equal(checkWriteWindowMs([]), 10_000);
  const clock = testClock();
  const written: Array<{ counters: { checks: number }; phase: string }> = [];
  const store = new StatusStore({ file: '/nonexistent/x', clock, vaid, manifestsDir: '/m', write: (_f, text) => written.push(JSON.parse(text).services.db) });
  store.setCheckWriteInterval(checkWriteWindowMs([every(60)]));
  const t = (ms: number) => new Date(clock.now() + ms).toISOString();
  let s = newServiceStatus(svc('db'), 'Running', t(0));
  const checked = (n: number) => {
    s = structuredClone(s);
    s.lastCheck = { at: t(0), health: 'healthy', reason: 'CheckPassed', latencyMs: n, message: 'ok' };
    s.counters.checks = n;
    return s;
  };
  store.set(checked(1));
  clock.advance(100);
  assert.equal(written.length, 1, 'the first write goes at once');
  for (let n = 2; n <= 5; n++) {
    store.set(checked(n));
    clock.advance(1_900);
  }
  assert.equal(written.length, 1, 'four more checks in 7.6 s: not written yet');
  clock.advance(2_500);
  assert.equal(written.length, 2, 'written 10 s after the last write');
  assert.equal(written[1]!.counters.checks, 5);
  store.set(checked(6));
  clock.advance(100);
  store.set({ ...checked(7), phase: 'Healthy' });
  clock.advance(60);
  assert.equal(written.length, 3, 'a phase change is not held by the window');
  assert.equal(written[2]!.phase, 'Healthy');
});

test('the written file is the document as JSON.stringify gives it, after sets, replacements and deletes', () => {
  const clock = testClock();
  const texts: string[] = [];
  const store = new StatusStore({ file: '/nonexistent/x', clock, vaid, manifestsDir: '/m', write: (_f, text) => texts.push(text) });
  const at = '2026-01-01T00:00:00.000Z';
  for (const name of ['web', 'db', 'quo"te\\d', 'ünï']) store.set(newServiceStatus(svc(name), 'Running', at));
  const noAttempts = structuredClone(store.get('db') as ServiceStatus);
  delete noAttempts.incident.attempts;
  store.set({ ...noAttempts, phase: 'Recovering' });
  store.delete('web');
  store.setManifests({ dir: '/m', generation: 3, revision: { commit: 'abc', dirty: false }, attemptedRevision: null, appliedAt: at, errors: [] });
  store.setAlerts({ outboxSize: 1, dropped: 0, recent: [] });
  store.flushNow();
  assert.equal(texts.length, 1);
  assert.equal(texts[0], `${JSON.stringify(store.document())}\n`);
  assert.equal(statusDocumentProblems(JSON.parse(texts[0]!)), null);
});

test('a change carries operations for the changed fields only, with nested paths', () => {
  const store = new StatusStore({ file: '/nonexistent/x', clock: testClock(), vaid, manifestsDir: '/m', write: () => {} });
  const changes: Array<{ ops: Array<{ op: string; path: string }>; previous: unknown }> = [];
  store.on('change', (c) => changes.push(c));
  const a = newServiceStatus(svc('db'), 'Running', '2026-01-01T00:00:00.000Z');
  store.set(a);
  assert.equal(changes[0]!.previous, null);
  assert.deepEqual(changes[0]!.ops.map((o) => o.path).sort(), Object.keys(a).map((k) => `/${k}`).sort(), 'a new service: every field added');
  const b = { ...structuredClone(a), lastCheck: { at: '2026-01-01T00:00:01.000Z', health: 'healthy' as const, reason: 'CheckPassed', latencyMs: 1, message: 'ok' } };
  store.set(b);
  store.set({ ...structuredClone(b), lastCheck: { ...b.lastCheck, health: 'unhealthy' } });
  assert.deepEqual(changes[1]!.ops, [{ op: 'replace', path: '/lastCheck', value: b.lastCheck }]);
  assert.deepEqual(changes[2]!.ops, [{ op: 'replace', path: '/lastCheck/health', value: 'unhealthy' }]);
  assert.equal(changes[2]!.previous, b);
});

test('a background write does not hold the event loop while it copies and fsyncs 10,000 services', async () => {
  const dir = testdir();
  try {
    const clock = testClock();
    const file = dir.join('status.json');
    const store = new StatusStore({ file, clock, vaid, manifestsDir: '/m' });
    const order: string[] = [];
    store.on('write', (w) => {
      order.push('write');
      assert.ok(w.blockingMs <= w.durationMs);
    });
    for (let i = 0; i < 10_000; i++) store.set(newServiceStatus(svc(`svc-${i}`), 'Running', '2026-01-01T00:00:00.000Z'));
    clock.advance(100);
    setImmediate(() => order.push('next tick of the loop'));
    await store.idle();
    assert.deepEqual(order, ['next tick of the loop', 'write'], 'the loop turned while the file was being written');
    assert.equal(Object.keys(JSON.parse(readFileSync(file, 'utf8')).services).length, 10_000);
  } finally {
    dir.remove();
  }
});

test('a write-ahead made while a background write is under way is not replaced by the older document', async () => {
  const dir = testdir();
  try {
    const clock = testClock();
    const file = dir.join('status.json');
    const store = new StatusStore({ file, clock, vaid, manifestsDir: '/m' });
    const written: string[] = [];
    store.on('write', () => written.push(JSON.parse(readFileSync(file, 'utf8')).services.db.phase));
    for (let i = 0; i < 2000; i++) store.set(newServiceStatus(svc(`svc-${i}`), 'Running', '2026-01-01T00:00:00.000Z'));
    store.set(newServiceStatus(svc('db'), 'Running', '2026-01-01T00:00:00.000Z'));
    clock.advance(100);
    store.set({ ...newServiceStatus(svc('db'), 'Running', '2026-01-01T00:00:00.000Z'), phase: 'Recovering' });
    store.flushNow();
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).services.db.phase, 'Recovering', 'on disk when flushNow returns');
    await store.idle();
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).services.db.phase, 'Recovering', 'the older background write was dropped');
    assert.deepEqual(written, ['Recovering']);
    assert.deepEqual(readdirSync(dir.path).sort(), ['status.json', 'status.summary.json'], 'its temp file removed');
  } finally {
    dir.remove();
  }
});

test('flushNow writes what a background write under way holds, even with nothing new since', async () => {
  const dir = testdir();
  try {
    const clock = testClock();
    const file = dir.join('status.json');
    const store = new StatusStore({ file, clock, vaid, manifestsDir: '/m' });
    store.set({ ...newServiceStatus(svc('db'), 'Running', '2026-01-01T00:00:00.000Z'), phase: 'Recovering' });
    clock.advance(100);
    store.flushNow();
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).services.db.phase, 'Recovering');
    await store.idle();
  } finally {
    dir.remove();
  }
});

test('temp files of a killed writer are removed; other files are left alone', () => {
  const dir = testdir();
  try {
    const file = dir.join('status.json');
    writeFileSync(file, '{}');
    writeFileSync(dir.join('.status.json.4242.0a1b2c3d.tmp'), 'half a docu');
    writeFileSync(dir.join('.status.json.notes'), 'keep');
    writeFileSync(dir.join('status.json.rejected'), 'keep');
    assert.equal(removeStaleTemps(file), 1);
    assert.deepEqual(readdirSync(dir.path).sort(), ['.status.json.notes', 'status.json', 'status.json.rejected']);
  } finally {
    dir.remove();
  }
});

test('a top-level field that appears or goes away is an add or a remove operation', () => {
  const store = new StatusStore({ file: '/nonexistent/x', clock: testClock(), vaid, manifestsDir: '/m', write: () => {} });
  const changes: Array<{ ops: Array<{ op: string; path: string }> }> = [];
  store.on('change', (c) => changes.push(c));
  const a = newServiceStatus(svc('db'), 'Running', '2026-01-01T00:00:00.000Z');
  store.set(a);
  const { recovery: _gone, ...withoutRecovery } = structuredClone(a);
  store.set({ ...withoutRecovery, phase: 'Healthy' } as typeof a);
  store.set({ ...structuredClone(a), phase: 'Healthy' });
  assert.deepEqual(changes[1]!.ops.map((o) => `${o.op} ${o.path}`).sort(), ['remove /recovery', 'replace /phase']);
  assert.deepEqual(changes[2]!.ops.map((o) => `${o.op} ${o.path}`), ['add /recovery']);
});

test('write-aheads asked in one turn share one write, and each resolves only once status.json holds its change (issue 16, finding 12)', async () => {
  const dir = testdir();
  try {
    const clock = testClock();
    const file = dir.join('status.json');
    const store = new StatusStore({ file, clock, vaid, manifestsDir: '/m' });
    let writes = 0;
    store.on('write', () => writes++);
    for (let i = 0; i < 1000; i++) store.set(newServiceStatus(svc(`svc-${i}`), 'Running', '2026-01-01T00:00:00.000Z'));
    clock.advance(100);
    // A background write under way holds the document before the restarts below.
    await new Promise((r) => setImmediate(r));
    const onDisk = (name: string) => JSON.parse(readFileSync(file, 'utf8')).services[name]?.phase;
    const resolvedWith: Array<string | undefined> = [];
    const waits = Array.from({ length: 100 }, (_, i) => {
      const name = `svc-${i}`;
      store.set({ ...newServiceStatus(svc(name), 'Running', '2026-01-01T00:00:00.000Z'), phase: 'Recovering' });
      return store.flushDurable().then(() => resolvedWith.push(onDisk(name)));
    });
    assert.equal(resolvedWith.length, 0, 'no restart goes on before its write');
    const before = writes;
    await Promise.all(waits);
    assert.deepEqual(new Set(resolvedWith), new Set(['Recovering']), 'every restart saw its own Recovering on disk');
    assert.ok(writes - before <= 2, `100 write-aheads in one turn: ${writes - before} writes (at most the one under way and one more)`);
    await store.idle();
    assert.equal(await store.flushDurable(), undefined, 'nothing pending: resolves at once');
  } finally {
    dir.remove();
  }
});
