// A source alert (pull mode: a refused commit, a fetch failing too long) beside the service
// alerts: always news once (its id names the commit or streak), no incident, no reminder, and a
// message about the source, with no health check, restart command or log of a service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changesTold, decideNotice, isFailureKind } from '../../../src/notify/truth.js';
import { formatAlert } from '../../../src/notify/format.js';
import { alertmanagerAlerts } from '../../../src/notify/sinks/alertmanager.js';
import { sourceAlert } from '../../../src/notify/source-alert.js';

const problem = {
  key: 'commit:0123456789abcdef0123456789abcdef01234567',
  reason: 'CommitRejected' as const,
  message: 'commit 0123456 of file:///srv/infra.git main not applied; 9f8e7d6 stays applied',
  evidence: ['services/web.yaml:3:9: spec.restart_cmd: must be string', 'services/db.yaml:1:1: bad'],
};

test('a source alert is sent once per key, opens no incident and is no failure to resolve', () => {
  const a = sourceAlert(problem, 'ops', new Date('2026-12-02T10:00:00Z'));
  assert.equal(a.id, 'git-source:source-failed:commit:0123456789abcdef0123456789abcdef01234567');
  assert.equal(a.spec.notify_on_fail, 'ops');
  assert.deepEqual(decideNotice({ kind: 'source-failed', told: { kind: 'source-failed', at: 1 }, lastOfKindAt: 2, incidentOpen: false, cooldownSeconds: 900, now: 3 }), { send: true });
  assert.equal(changesTold('source-failed'), false);
  assert.equal(isFailureKind('source-failed'), false);
});

test('a source alert reads as one about the source: cause, evidence, what stays applied; no service lines', () => {
  const n = formatAlert(sourceAlert(problem, 'ops', new Date('2026-12-02T10:00:00Z')), 'vps1');
  assert.equal(n.title, 'git-source Not Applied on vps1');
  assert.equal(n.level, 'WARNING');
  assert.match(n.message, /^Status: commit 0123456 .* 9f8e7d6 stays applied$/m);
  assert.match(n.message, /^Cause: CommitRejected: services\/web\.yaml:3:9: /m);
  assert.match(n.message, /^Evidence: services\/db\.yaml:1:1: bad$/m);
  assert.doesNotMatch(n.message, /Health check|Restart command|View logs|Container/);
  const [am] = alertmanagerAlerts(n, Date.parse('2026-12-02T10:00:00Z'), 60) as { labels: Record<string, string> }[];
  assert.equal(am?.labels.alertname, 'VaiSourceFailed');
  assert.equal(am?.labels.severity, 'warning');
});
