import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayCommand, formatAlert } from '../../../src/notify/format.js';
import { alert, minioSpec } from './fixtures.js';

test("recovery failed reads as the seed's Notification format", () => {
  const n = formatAlert(alert('minio', 'recovery-failed', 7, { attempt: 2, dependents: ['api', 'web'] }), 'vps1');
  assert.equal(n.title, 'minio Recovery Failed on vps1');
  assert.equal(n.priority, 5);
  assert.equal(n.level, 'CRITICAL');
  assert.deepEqual(n.tags, ['rotating_light', 'alert', 'auto-recovery']);
  assert.equal(
    n.message,
    [
      'Service: minio',
      'Status: Failed health check (HTTP 503 from http://localhost:9000/minio/health/live after 12 ms)',
      'Recovery attempt: Failed (attempt 2)',
      'Container: services-container',
      'Host: vps1',
      'Action required: Manual intervention needed',
      'Dependents affected: api, web',
      '',
      'Health check: HTTP GET http://localhost:9000/minio/health/live',
      'Restart command: /usr/local/bin/minio server /data --console-address :9001',
      '',
      'View logs: docker exec services-container tail -50 /workspace/vai/logs/minio.log',
    ].join('\n'),
  );
});

test('crash loop is critical and says so in title and tags', () => {
  const n = formatAlert(alert('minio', 'crash-loop', 1, { message: 'failed 3 times in 300 s' }), 'h');
  assert.equal(n.title, 'minio Crash Loop on h');
  assert.equal(n.code, 'SERVICE-CRASH-LOOP');
  assert.equal(n.priority, 5);
  assert.ok(n.tags.includes('crash-loop'), `tags: ${n.tags.join(',')}`);
  assert.match(n.message, /^Status: Crash loop \(failed 3 times in 300 s\)$/m);
});

test('recovered is a low-priority resolve notice without "action required"', () => {
  const n = formatAlert(alert('minio', 'recovered', 1, { message: 'healthy after restart' }), 'h');
  assert.equal(n.title, 'minio Recovered on h');
  assert.equal(n.priority, 2);
  assert.deepEqual(n.tags, ['white_check_mark', 'resolved', 'auto-recovery']);
  assert.doesNotMatch(n.message, /Action required/);
});

test('a host service without log_path points at vaictl logs; checks of each type are described', () => {
  const spec = minioSpec({ container: undefined, log_path: undefined, health_check: { type: 'tcp', host: '127.0.0.1', port: 5432, interval_seconds: 60, timeout_seconds: 5, failure_threshold: 1, success_threshold: 1 } });
  const n = formatAlert(alert('pg', 'recovery-failed', 1, { spec }), 'h');
  assert.match(n.message, /^Container: none \(runs on the host\)$/m);
  assert.match(n.message, /^Health check: TCP connect 127\.0\.0\.1:5432$/m);
  assert.match(n.message, /^View logs: vaictl logs pg -n 50$/m);
  const proc = formatAlert(alert('w', 'recovery-failed', 1, { spec: minioSpec({ health_check: { type: 'process', process_name: 'worker.py', interval_seconds: 60, timeout_seconds: 5, failure_threshold: 1, success_threshold: 1 } }) }), 'h');
  assert.match(proc.message, /^Health check: process matching "worker\.py"$/m);
  const ctr = formatAlert(alert('c', 'recovery-failed', 1, { spec: minioSpec({ restart_container: true, health_check: { type: 'docker', interval_seconds: 60, timeout_seconds: 5, failure_threshold: 1, success_threshold: 1 } }) }), 'h');
  assert.match(ctr.message, /^Restart: docker restart services-container$/m);
});

test('credentials in a check URL or restart command never reach the text', () => {
  const spec = minioSpec({
    health_check: { type: 'http', endpoint: 'http://admin:s3cr3t@localhost:9000/health', interval_seconds: 60, timeout_seconds: 5, failure_threshold: 1, success_threshold: 1 },
    restart_cmd: 'curl -X POST https://bob:hunter22@ctl.local/restart',
  });
  const n = formatAlert(alert('minio', 'recovery-failed', 1, { spec }), 'h');
  assert.doesNotMatch(n.message, /s3cr3t|hunter22/);
  assert.match(n.message, /http:\/\/\*\*\*@localhost:9000\/health/);
});

test('displayCommand keeps what a person would type', () => {
  assert.equal(displayCommand('pkill -f svc || true; sleep 2; /usr/local/bin/svc start > /var/log/svc.log 2>&1 &'), 'pkill -f svc || true; sleep 2; /usr/local/bin/svc start');
  assert.equal(displayCommand('systemctl restart nginx'), 'systemctl restart nginx');
  assert.equal(displayCommand('app &>> /tmp/app.log &'), 'app');
});

test('an alert-only service (no restart_cmd): titles and lines never say vai tried a recovery', () => {
  const spec = minioSpec({ restart_cmd: undefined, container: undefined, log_path: undefined, health_check: { type: 'heartbeat', period_seconds: 3600, interval_seconds: 60, timeout_seconds: 5, failure_threshold: 1, success_threshold: 1 } });
  const failing = formatAlert(alert('backup', 'recovery-failed', 1, { spec, message: 'last beat at 2026-11-27T08:00:00.000Z (7506 s ago), more than period 3600 s + grace 0 s' }), 'vps1');
  assert.equal(failing.title, 'backup Failing on vps1');
  assert.equal(failing.priority, 5, 'still an alert a person must hear');
  assert.match(failing.message, /^Status: Failing \(last beat at .*\)$/m);
  assert.match(failing.message, /^Recovery attempt: none \(alert-only service: no restart_cmd, vai does not restart it\)$/m);
  assert.match(failing.message, /^Action required: look into it \(vai only watches this service\)$/m);
  const healed = formatAlert(alert('backup', 'recovered', 2, { spec, message: 'last beat at 2026-11-27T10:05:00.000Z (6 s ago)' }), 'vps1');
  assert.equal(healed.title, 'backup Resolved on vps1');
  assert.match(healed.message, /^Recovery attempt: none \(alert-only service\)$/m);
  for (const n of [failing, healed]) {
    assert.doesNotMatch(`${n.title}\n${n.message}`, /Recovery Failed|Recovered|Manual intervention|Restart command|attempt \d/);
  }
});

test('the title names the service as its manifest wrote it and the host: the host label first, else the hostname', () => {
  assert.equal(formatAlert(alert('minio-eu2', 'recovery-failed', 1), 'box').title, 'minio-eu2 Recovery Failed on box');
  const labelled = formatAlert(alert('minio', 'recovery-failed', 1, { labels: { host: 'vps1', tier: 'prod' } }), 'box');
  assert.equal(labelled.title, 'minio Recovery Failed on vps1');
  assert.match(labelled.message, /^Host: vps1$/m);
  assert.match(formatAlert(alert('minio', 'recovery-failed', 1), 'box').message, /^Host: box$/m);
});

test('a relative restart command is shown absolute, or with the directory it runs in', () => {
  const host = (restart_cmd: string) => formatAlert(alert('app', 'recovery-failed', 1, { spec: minioSpec({ container: undefined, restart_cmd }), workingDir: '/srv/app' }), 'h').message;
  assert.match(host('./bin/start.sh --port 8080 >> app.log 2>&1 &'), /^Restart command: \/srv\/app\/bin\/start\.sh --port 8080$/m);
  assert.match(host('node server.js &'), /^Restart command: node server\.js \(in \/srv\/app\)$/m);
  assert.match(host('/usr/bin/node lib/server.js'), /^Restart command: \/usr\/bin\/node lib\/server\.js \(in \/srv\/app\)$/m);
  assert.match(host('/usr/local/bin/minio server /data --console-address :9001'), /^Restart command: \/usr\/local\/bin\/minio server \/data --console-address :9001$/m);
  // In a container the command runs in the container's own directory: shown as written.
  const ctr = formatAlert(alert('app', 'recovery-failed', 1, { spec: minioSpec({ restart_cmd: 'node server.js' }), workingDir: '/srv/app' }), 'h').message;
  assert.match(ctr, /^Restart command: node server\.js$/m);
});
