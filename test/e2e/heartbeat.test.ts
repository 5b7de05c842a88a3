// Heartbeats end to end: a real shell script (a "cron job") reports in with `vaictl heartbeat`,
// a real vaid checks the beats on a short period; a missed beat is HeartbeatMissed with the last
// beat's time, a `--fail` beat is HeartbeatFailed at once with its message, and a POST to
// /hooks/heartbeat/NAME (with the endpoint's token) records a beat too. The service is
// alert-only (no restart_cmd): vai never tries to restart it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { testdir } from '../support/testdir.js';
import { freePort, startVaid, VAICTL_BIN } from '../support/vaid.js';
import { startsAndRestarts } from '../support/restart-count.js';

const TOKEN = 'heartbeat-test-token-0123456789abcdef';

test('a job script beating with vaictl heartbeat: healthy, missed, failed; the POST hook beats too', { timeout: 120_000 }, async () => {
  const dir = testdir({}, 'vai-e2e-');
  const state = dir.join('state');
  dir.write(
    'manifests/backup.yaml',
    `apiVersion: vai/v1
kind: Service
metadata:
  name: backup
spec:
  health_check:
    type: heartbeat
    period_seconds: 5
    grace_seconds: 3
    interval_seconds: 0.5
`,
  );
  // period + grace leave room for a check delayed by a loaded machine: with 2 s + 1 s, a CI run
  // at load 20 saw the first beat already missed when vaid first looked, never healthy.
  const job = dir.write(
    'job.sh',
    `#!/bin/bash
set -e
if [ "$1" = fail ]; then
  node ${VAICTL_BIN} heartbeat backup --state-dir ${state} --fail --message "pg_dump exit 3"
else
  node ${VAICTL_BIN} heartbeat backup --state-dir ${state} --message "42 MB dumped"
fi
`,
  );
  const port = await freePort();
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: state, args: ['--listen', `127.0.0.1:${port}`], env: { VAI_WEB_TOKEN: TOKEN } });
  try {
    execFileSync('bash', [job], { stdio: 'pipe' });
    const ok = await vaid.waitForService('backup', (s) => s.lastCheck?.health === 'healthy', 'a healthy beat');
    assert.match(ok.lastCheck!.message, /^last beat at \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s ago\): 42 MB dumped$/);

    const missed = await vaid.waitForService('backup', (s) => s.lastCheck?.reason === 'HeartbeatMissed', 'the beat missed after period + grace', 30_000);
    assert.match(missed.lastCheck!.message, /^last beat at \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s ago\), more than period 5 s \+ grace 3 s$/);
    assert.equal(startsAndRestarts(missed), 0, 'an alert-only service is never restarted');

    execFileSync('bash', [job, 'fail'], { stdio: 'pipe' });
    const failed = await vaid.waitForService('backup', (s) => s.lastCheck?.reason === 'HeartbeatFailed', 'the failed beat');
    assert.match(failed.lastCheck!.message, /^the job reported a failure at .*: pg_dump exit 3$/);

    const refused = await fetch(`http://127.0.0.1:${port}/hooks/heartbeat/backup`, { method: 'POST' });
    assert.equal(refused.status, 401);
    const hook = await fetch(`http://127.0.0.1:${port}/hooks/heartbeat/backup`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'from the hook' }),
    });
    assert.equal(hook.status, 200, await hook.text());
    const back = await vaid.waitForService('backup', (s) => s.lastCheck?.health === 'healthy', 'healthy after the hook beat');
    assert.match(back.lastCheck!.message, /: from the hook$/);
    assert.equal(startsAndRestarts(back), 0);
  } finally {
    await vaid.kill9();
    dir.remove();
  }
});
