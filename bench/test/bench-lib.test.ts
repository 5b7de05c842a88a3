// The bench's own parts, against real processes where there are some: the C service answers
// its pid, monit accepts the control file the bench writes (monit -t), the metrics and log
// parsers read what vaid really prints. No timing assertions: speed is what the bench measures.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { controlFile } from '../lib/monit.js';
import { parseExposition, writeStatsBetween } from '../lib/metrics.js';
import { askPid } from '../lib/poller.js';
import { freePort } from '../lib/ports.js';
import { reapAll } from '../lib/reaper.js';
import { recoverySteps } from '../lib/recovery-steps.js';
import { httpServiceDef, launchService } from '../lib/services.js';
import { percentile, summarize } from '../lib/stats.js';
import { ratios } from '../lib/table.js';
import { figure } from '../lib/figure.js';
import { manifestFor } from '../lib/vaid.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-test-'));
after(() => {
  reapAll();
  rmSync(dir, { recursive: true, force: true });
});

test('percentiles are observed values (nearest rank)', () => {
  const s = summarize([5, 1, 4, 2, 3]);
  assert.deepEqual([s.n, s.min, s.median, s.max], [5, 1, 3, 5]);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  assert.ok(Number.isNaN(summarize([]).median));
});

test('a target is met or missed on the statistic it names; vai/monit ratios pair by key', () => {
  const t = { stat: 'median' as const, op: '<=' as const, value: 150, text: '' };
  assert.equal(figure('crash', 'vai', 'mttr', 'ms', [100, 140, 900], { target: t }).met, true);
  assert.equal(figure('crash', 'vai', 'mttr', 'ms', [100, 200, 900], { target: t }).met, false);
  assert.equal(figure('crash', 'vai', 'mttr', 'ms', [], { target: t }).met, undefined);
  const rs = ratios([
    figure('crash', 'vai', 'mttr', 'ms', [300], { compareKey: 'crash' }),
    figure('crash', 'monit', 'mttr', 'ms', [600], { compareKey: 'crash' }),
    figure('hang', 'vai', 'mttr', 'ms', [1], { compareKey: 'hang' }),
  ]);
  assert.deepEqual(rs.map((r) => [r.scenario, r.ratio]), [['crash', 0.5]]);
});

// One ask can go unanswered on a loaded machine: the service gives a connection 1 s to send
// its request, and this process's event loop may write it later than that. So ask again, a
// bounded number of times; a service that never answers, or answers another pid, still fails.
async function answeredPid(port: number): Promise<number | undefined> {
  for (let i = 0; i < 10; i++) {
    const pid = await askPid(port, 5000);
    if (pid !== undefined) return pid;
  }
  return undefined;
}

test('the service under test answers its own pid, and a new instance a new one', async () => {
  const port = await freePort();
  const def = httpServiceDef('t1', port, dir, true);
  const pid = await launchService(def);
  assert.equal(await answeredPid(port), pid);
  process.kill(pid, 'SIGKILL');
  const port2 = await freePort();
  const pid2 = await launchService(httpServiceDef('t2', port2, dir, true));
  assert.notEqual(pid2, pid);
  assert.equal(await answeredPid(port2), pid2);
  assert.equal(await askPid(port, 500), undefined, 'a killed service does not answer');
});

test('monit accepts the control file the bench writes (monit -t)', { skip: !existsSync('/usr/bin/monit') && 'monit not installed' }, async () => {
  const defs = [httpServiceDef('web', await freePort(), dir, true)];
  const ctl = path.join(dir, 'monitrc');
  writeFileSync(ctl, controlFile(dir, defs, 2));
  chmodSync(ctl, 0o600);
  const out = execFileSync('/usr/bin/monit', ['-t', '-c', ctl], { encoding: 'utf8' });
  assert.match(out, /Control file syntax OK/);
});

test('vai manifests carry the same commands, pid file and timings as the monit side', () => {
  const def = httpServiceDef('web', 8080, dir, true);
  const m = manifestFor(def) as { spec: Record<string, unknown> };
  assert.equal(m.spec.restart_cmd, def.startCmd);
  assert.equal(m.spec.stop_cmd, def.stopCmd);
  assert.equal(m.spec.pid_file, def.pidFile);
  assert.deepEqual(m.spec.health_check, { type: 'http', endpoint: 'http://127.0.0.1:8080/', interval_seconds: 1, timeout_seconds: 1 });
  assert.equal((manifestFor(httpServiceDef('web', 8080, dir, false)) as { spec: Record<string, unknown> }).spec.pid_file, undefined);
});

test("status write stats come from vaid's histogram between two scrapes", () => {
  const a = parseExposition('# HELP x\nvai_status_write_duration_seconds_bucket{le="0.01"} 1\nvai_status_write_duration_seconds_bucket{le="0.05"} 2\nvai_status_write_duration_seconds_bucket{le="+Inf"} 2\nvai_status_write_duration_seconds_sum 0.03\nvai_status_write_duration_seconds_count 2\n');
  const b = parseExposition('vai_status_write_duration_seconds_bucket{le="0.01"} 1\nvai_status_write_duration_seconds_bucket{le="0.05"} 11\nvai_status_write_duration_seconds_bucket{le="+Inf"} 12\nvai_status_write_duration_seconds_sum 0.53\nvai_status_write_duration_seconds_count 12\n');
  const w = writeStatsBetween(a, b);
  assert.ok(w);
  assert.equal(w.writes, 10);
  assert.ok(Math.abs(w.meanMs - 50) < 1e-9);
  assert.equal(w.p95UpperMs, Infinity, 'one of ten writes was slower than the last finite bucket');
  assert.equal(writeStatsBetween(b, b), undefined);
});

test("recovery steps are read from vaid's pino log lines after the fault", () => {
  const log = path.join(dir, 'vaid.log');
  const t = Date.parse('2026-01-01T00:00:10.000Z');
  const line = (ms: number, msg: string) => JSON.stringify({ level: 30, time: new Date(t + ms).toISOString(), service: 'svc', msg });
  writeFileSync(
    log,
    [
      line(-5000, 'svc: restarting (attempt 1): earlier incident'),
      line(80, 'svc: restarting (attempt 1): connect ECONNREFUSED'),
      line(81, 'svc: running stop_cmd'),
      line(280, 'svc: stop_cmd exit 0 after 199 ms'),
      line(281, 'svc: running restart_cmd'),
      line(430, 'svc: restart_cmd exit 0 after 149 ms'),
      'not json',
    ].join('\n'),
  );
  assert.deepEqual(recoverySteps(log, 'svc', t, 500), { decideMs: 80, stopMs: 200, restartMs: 150, answerMs: 70 });
  assert.equal(recoverySteps(log, 'other', t, 500), undefined);
});
