// vaictl get, events and describe as a subprocess against real state dirs built from fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ServiceStatus, StatusDocument } from '../../src/status/schema.js';
import { testdir } from '../support/testdir.js';
import { FIXTURE_MANIFESTS, writeStateDir } from '../fixtures/status/state-dir.js';
import { vaictl } from '../fixtures/status/run-vaictl.js';

const dir = testdir();
// A stand-in for a running vaid: a live process whose command line names vaid.
const fake = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)', 'fake-vaid'], { stdio: 'ignore' });
const S = ['--state-dir', dir.join('state')];
// The fixture's times are relative to when it was written (backoff ends in 35 s, ...): each test
// writes it afresh, so a slow machine does not move the services along between tests.
let doc: StatusDocument = writeStateDir(dir.join('state'), { lockPid: fake.pid! });
test.beforeEach(() => {
  doc = writeStateDir(dir.join('state'), { lockPid: fake.pid! });
});
test.after(() => {
  fake.kill('SIGKILL');
  dir.remove();
});

const LOAD_WARNING = `Warning: the last manifest load had 1 error; the last good specs keep running: ${FIXTURE_MANIFESTS}/cache.yaml:27:5: spec.health_check.port: must be <= 65535 (got 112211); see vaictl validate\n`;

test('get: the kubectl table, every column starting where its header does', async () => {
  const r = await vaictl(['get', ...S]);
  assert.equal(r.code, 0, r.stderr);
  // The fixture's status holds one manifest error (cache.yaml): get says so once, above the table.
  assert.equal(r.stderr, LOAD_WARNING);
  const lines = r.stdout.trimEnd().split('\n');
  const header = lines[0]!;
  assert.match(header, /^NAME +DESIRED +PHASE +HEALTH +RESTARTS +LAST CHECK +AGE$/);
  const starts = ['DESIRED', 'PHASE', 'HEALTH', 'RESTARTS', 'LAST CHECK', 'AGE'].map((h) => header.indexOf(h));
  assert.deepEqual(lines.slice(1).map((l) => l.split(/ {3,}/)[0]), ['api', 'cache', 'legacy-cron', 'minio', 'postgres', 'redis', 'search', 'worker']);
  for (const line of lines.slice(1)) {
    for (const s of starts) assert.match(line.slice(s - 3, s), /^ {3}$/, `column at ${s} in "${line}"`);
  }
  const redis = lines.find((l) => l.startsWith('redis '))!;
  assert.match(redis, /^redis +Running +CrashLoopBackOff +unhealthy +3 \(3m\d*s? ago\) +\d+s +3d2h$/);
  assert.match(lines.find((l) => l.startsWith('worker '))!, /^worker +Stopped +Stopped /);
  assert.match(lines.find((l) => l.startsWith('legacy-cron '))!, /^legacy-cron +Disabled +Disabled +<none> +0 +<none> +24h$/);
});

test('get -o json / yaml: a List of kubectl-shaped Service objects whose metadata and status are exactly the status objects; -o name', async () => {
  const sorted = Object.keys(doc.services).sort().map((n) => doc.services[n]!);
  // The status file keeps its own format; the reader maps it (issue 21).
  type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels: Record<string, string>; generation: number; creationTimestamp: string }; spec?: unknown; status: Record<string, unknown> };
  const back = (o: Obj) => ({ name: o.metadata.name, labels: o.metadata.labels, generation: o.metadata.generation, createdAt: o.metadata.creationTimestamp, ...o.status });
  const json = await vaictl(['get', '-o', 'json', ...S]);
  assert.equal(json.code, 0, json.stderr);
  const list = JSON.parse(json.stdout) as { apiVersion: string; kind: string; items: Obj[] };
  assert.equal(list.apiVersion, 'vai/v1');
  assert.equal(list.kind, 'List');
  assert.deepEqual(list.items.map((o) => [o.apiVersion, o.kind]), sorted.map(() => ['vai/v1', 'Service']));
  assert.deepEqual(list.items.map((o) => back(o)), sorted.map((s) => ({ ...s })).map(({ name, labels, generation, createdAt, ...rest }) => ({ name, labels, generation, createdAt, ...rest })));
  assert.ok(list.items.every((o) => o.spec !== undefined), 'the applied spec from the manifests');
  assert.ok(!json.stdout.includes('s3cr3t'), 'spec secrets redacted');
  const yaml = await vaictl(['get', '-o', 'yaml', ...S]);
  assert.deepEqual(parseYaml(yaml.stdout), list);
  const one = await vaictl(['get', 'services', 'minio', '-o', 'json', ...S]);
  assert.deepEqual(back(JSON.parse(one.stdout) as Obj), back(list.items.find((o) => o.metadata.name === 'minio')!));
  const jp = await vaictl(['get', '-o', 'jsonpath={.items[*].metadata.name}', ...S]);
  assert.equal(jp.stdout, sorted.map((s) => s.name).join(' '));
  const phase = await vaictl(['get', 'minio', '-o', "jsonpath='{.status.phase}'", ...S]);
  assert.equal(phase.stdout, doc.services.minio!.phase);
  const names = await vaictl(['get', '-o', 'name', ...S]);
  assert.deepEqual(names.stdout.trimEnd().split('\n'), sorted.map((s) => `service/${s.name}`));
});

test('get -o wide adds check target (no credentials), container, dependencies, next check, success rate', async () => {
  const r = await vaictl(['get', '-o', 'wide', ...S]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^NAME +DESIRED +PHASE +HEALTH +RESTARTS +LAST CHECK +AGE +CHECK +CONTAINER +DEPENDENCIES +NEXT CHECK +SUCCESS +UPTIME +MAINTENANCE$/);
  assert.equal(r.stderr, LOAD_WARNING, 'specs load from the manifests vaid applied; the one warning is the load error the status holds');
  assert.match(lines.find((l) => l.startsWith('minio '))!, / http http:\/\/\*\*\*@localhost:9000\/minio\/health\/live +services-container +<none> +(in \d+s|now) +98% +<none> +<none>$/);
  assert.match(lines.find((l) => l.startsWith('api '))!, / http http:\/\/127\.0\.0\.1:8080\/healthz +<none> +redis,postgres +(in \d+s|now) +97% +<none> +<none>$/);
  assert.match(lines.find((l) => l.startsWith('postgres '))!, / tcp 127\.0\.0\.1:5432 +<none> +<none> /);
  assert.ok(!r.stdout.includes('s3cr3t'));
});

test('get -l: equality, inequality and set selectors; no match says "No resources found" without a header', async () => {
  const names = async (sel: string): Promise<string[]> => {
    const r = await vaictl(['get', '-l', sel, '-o', 'name', ...S]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  };
  assert.deepEqual(await names('tier=cache'), ['service/cache', 'service/redis']);
  assert.deepEqual(await names('tier=cache,app!=redis'), ['service/cache']);
  assert.deepEqual(await names('tier in (db,storage)'), ['service/minio', 'service/postgres']);
  assert.deepEqual(await names('!tier'), ['service/legacy-cron']);
  const none = await vaictl(['get', '-l', 'tier=nothing', ...S]);
  assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', `${LOAD_WARNING}No resources found\n`]);
  const bad = await vaictl(['get', '-l', 'tier in (a', ...S]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid label selector "tier in \(a"/);
});

test('an unknown name exits 3 and suggests the closest; the known ones still print', async () => {
  const r = await vaictl(['get', 'minoi', 'redis', ...S]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /^Error: service "minoi" not found; did you mean "minio"\?$/m);
  assert.match(r.stdout, /^redis +Running/m);
});

test('exit codes: 2 usage, 4 no status file, 1 newer format, 4 with a warning when vaid is gone', async (t) => {
  assert.equal((await vaictl(['get', '-o', 'tsv', ...S])).code, 2);
  assert.equal((await vaictl(['get', '--bogus', ...S])).code, 2);
  const empty = testdir();
  t.after(() => empty.remove());
  const missing = await vaictl(['get', '--state-dir', empty.join('state')]);
  assert.equal(missing.code, 4);
  assert.match(missing.stderr, /no status file at .*: vaid is not running\. Start it: vaid --manifests /);
  copyFileSync(new URL('../fixtures/status/future-format.json', import.meta.url), empty.write('new/status.json', ''));
  const newer = await vaictl(['get', '--state-dir', empty.join('new')]);
  assert.equal(newer.code, 1);
  assert.match(newer.stderr, /formatVersion 2 \(written by vaid 0\.9\.0\); this vaictl reads formatVersion 1/);
  writeStateDir(empty.join('stale'));
  const stale = await vaictl(['get', '--state-dir', empty.join('stale')]);
  assert.equal(stale.code, 4);
  assert.match(stale.stdout, /^NAME /);
  assert.match(stale.stderr, /Warning: vaid is not running .* is not being updated\. Start it: vaid --manifests /);
});

test('colour only on a terminal, and never with NO_COLOR', async () => {
  const tty = await vaictl(['get', ...S], { tty: true });
  assert.ok(tty.stdout.includes('\u001b[32mHealthy\u001b[39m'), JSON.stringify(tty.stdout.slice(0, 300)));
  const noColor = await vaictl(['get', ...S], { tty: true, env: { NO_COLOR: '1' } });
  assert.match(noColor.stdout, /Healthy/);
  assert.ok(!noColor.stdout.includes('\u001b['));
  const piped = await vaictl(['get', ...S]);
  assert.ok(!piped.stdout.includes('\u001b['));
});

test('events: every service, oldest first, repeats folded', async () => {
  const r = await vaictl(['events', ...S]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$/);
  assert.match(r.stdout, /^\d+s \(x14 over 7m\d*s?\) +Warning +CheckFailed +service\/redis +connect ECONNREFUSED 127\.0\.0\.1:6379$/m);
  assert.match(lines[1]!, /^24h +Normal +SpecChanged +service\/postgres/);
  const only = await vaictl(['events', 'worker', ...S]);
  assert.equal(only.stdout.trimEnd().split('\n').length, 2);
});

test('describe via the CLI: spec from the manifests vaid applied, status, events; unknown name exits 3', async () => {
  const r = await vaictl(['describe', 'api', 'redis', ...S]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.match(/^Name:/gm)?.length, 2);
  assert.match(r.stdout, /^Dependencies: +redis \(CrashLoopBackOff\)$/m);
  assert.match(r.stdout, /^Restart Command: +redis-server --daemonize yes$/m);
  const bad = await vaictl(['describe', 'redsi', ...S]);
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /did you mean "redis"/);
});

test('plan: a dry run per service from the last observation, with the marker on disk deciding Stopped', async () => {
  const stop = await vaictl(['stop', 'worker', ...S]);
  assert.equal(stop.code, 0, stop.stderr);
  const r = await vaictl(['plan', ...S]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME +PHASE +ACTION +WHY$/m);
  assert.match(r.stdout, /^api +WaitingForDependency +recover (redis, )?postgres first, then restart api if it still fails +redis is in CrashLoopBackOff/m);
  assert.match(r.stdout, /^worker +Stopped +nothing +manual-stop marker present/m);
  assert.match(r.stdout, /^minio +Healthy +nothing +healthy: /m);
  const json = JSON.parse((await vaictl(['plan', 'redis', '-o', 'json', ...S])).stdout) as { kind: string; items: Array<{ name: string; phase: string; actions: unknown[] }> };
  assert.equal(json.kind, 'Plan');
  assert.deepEqual(json.items.map((i) => [i.name, i.phase, i.actions.length]), [['redis', 'CrashLoopBackOff', 0]]);
  await vaictl(['start', 'worker', ...S]);
});

test('plan: a pending vaictl restart request is what vaid would act on, and only for that service', async (t) => {
  const own = testdir();
  t.after(() => own.remove());
  writeStateDir(own.join('state'));
  const OWN = ['--state-dir', own.join('state')];
  await vaictl(['restart', 'minio', ...OWN]);
  const r = await vaictl(['plan', ...OWN]);
  assert.match(r.stdout, /^minio +Healthy +run restart_cmd +attempt 1: requested by vaictl restart at /m, r.stdout);
  assert.doesNotMatch(r.stdout, /^(?!minio ).*requested by vaictl restart/m);
});
