// The small pure parts of diagnosis: the engine's event lines, the failures metric, the
// redaction of evidence and the bounded log tail (on real files, a FIFO and a symlink).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { parseEvent } from '../../../src/executor/docker-events.js';
import { createStatusMetrics } from '../../../src/web/status-metrics.js';
import { redactFreeText } from '../../../src/core/redact.js';
import { tailLines, MAX_TAIL_BYTES } from '../../../src/core/log-tail.js';
import { cause, MAX_EVIDENCE_LINES } from '../../../src/diagnosis/cause.js';
import { parsePrometheus } from '../../e2e/web-prometheus.js';
import { serviceStatus, statusDocument } from '../../e2e/web-fixtures.js';
import { testdir } from '../../support/testdir.js';

test('engine events: die with its exit code, oom, kill with its signal, health_status; anything else ignored', () => {
  const line = (o: object) => JSON.stringify({ Type: 'container', timeNano: 1_700_000_000_123_000_000, ...o });
  assert.deepEqual(parseEvent(line({ Action: 'die', Actor: { Attributes: { name: 'db', exitCode: '137' } } })), { container: 'db', action: 'die', exitCode: 137, detail: null, at: 1_700_000_000_123 });
  assert.equal(parseEvent(line({ Action: 'oom', Actor: { Attributes: { name: 'db' } } }))?.action, 'oom');
  assert.equal(parseEvent(line({ Action: 'kill', Actor: { Attributes: { name: 'db', signal: '9' } } }))?.detail, '9');
  assert.equal(parseEvent(line({ Action: 'health_status: unhealthy', Actor: { Attributes: { name: 'db' } } }))?.detail, 'unhealthy');
  assert.equal(parseEvent(line({ Action: 'start', Actor: { Attributes: { name: 'db' } } })), null);
  assert.equal(parseEvent(JSON.stringify({ Type: 'network', Action: 'die' })), null);
  assert.equal(parseEvent('{not json'), null);
});

test('/metrics: vai_service_failures_total counts failures per service and cause', async () => {
  const doc = statusDocument([serviceStatus('api', { failureCounts: { PortInUse: 2, OOMKilled: 1 } }), serviceStatus('db')]);
  const e = parsePrometheus(await createStatusMetrics().render(doc));
  assert.equal(e.value('vai_service_failures_total', { service: 'api', cause: 'PortInUse' }), 2);
  assert.equal(e.value('vai_service_failures_total', { service: 'api', cause: 'OOMKilled' }), 1);
  assert.equal(e.types.get('vai_service_failures_total'), 'counter');
});

test('evidence is redacted at the source: URL credentials, password flags, tokens', () => {
  assert.equal(redactFreeText('redis-server --requirepass hunter2 postgres://app:s3cret@db/app'), 'redis-server --requirepass *** postgres://***@db/app');
  assert.equal(redactFreeText('mysqld --password=hunter2 api_key: abcd token=xyz'), 'mysqld --password=*** api_key: *** token=***');
  assert.equal(redactFreeText('Authorization: Bearer abc.def'), 'Authorization: Bearer ***');
});

test('a cause is bounded: at most 12 evidence lines of at most 300 characters, one line each', () => {
  const c = cause('CommandFailed', 'x'.repeat(1000), Array.from({ length: 40 }, (_, i) => `line ${i}\nwith a newline ${'y'.repeat(400)}`));
  assert.equal(c.evidence.length, MAX_EVIDENCE_LINES);
  assert.ok(c.evidence.every((l) => l.length <= 300 && !l.includes('\n')));
  assert.ok(c.message.length <= 400);
  assert.match(c.evidence.at(-1)!, /^line 39 with a newline/);
});

test('the log tail: the last lines after vai\'s marker, bounded in bytes; never a FIFO or a symlink', () => {
  const dir = testdir({}, 'vai-tail-');
  try {
    const log = dir.join('svc.log');
    writeFileSync(log, ['old line', '[vai 2026-01-01T00:00:00Z] restart_cmd started by vai', 'nginx: [emerg] bind() to 0.0.0.0:80 failed', 'password=hunter2', ''].join('\n'));
    assert.deepEqual(tailLines(log, { after: 'restart_cmd started by vai' }), ['nginx: [emerg] bind() to 0.0.0.0:80 failed', 'password=***']);
    writeFileSync(log, `${'z'.repeat(MAX_TAIL_BYTES * 4)}\nlast\n`);
    assert.deepEqual(tailLines(log), ['z'.repeat(MAX_TAIL_BYTES - 6), 'last'].slice(1));
    execFileSync('mkfifo', [dir.join('fifo')]);
    assert.deepEqual(tailLines(dir.join('fifo')), []);
    symlinkSync('/etc/shadow', dir.join('link'));
    assert.deepEqual(tailLines(dir.join('link')), []);
  } finally {
    dir.remove();
  }
});
