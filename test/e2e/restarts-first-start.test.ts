// RESTARTS counts restarts, not vai's first start of a service that was down when vaid started
// (issue 21; Kubernetes counts a container's restarts, not its first start). The first start is
// counted apart, in restarts.starts; a crash after it is a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { freePort, httpServiceManifest, killPidFiles, pidIn, startVaid, VAICTL_BIN } from '../support/vaid.js';

test('a service vaid finds down is started without counting a restart; its next crash counts one', async () => {
  const dir = testdir({}, 'vai-starts-');
  const run = dir.join('run');
  mkdirSync(run);
  const port = await freePort();
  dir.write('manifests/web.yaml', httpServiceManifest({ name: 'web', port, runDir: run, startupDelay: 20 }));
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') });
  try {
    const started = await vaid.waitForService('web', (s) => s.phase === 'Healthy', 'web started and healthy', 60_000);
    assert.equal(started.restarts.count, 0, 'the first start is not a restart');
    assert.equal(started.restarts.starts, 1);
    assert.equal(started.restarts.lastAt, null);
    const get = spawnSync(process.execPath, [VAICTL_BIN, 'get', 'web', '--state-dir', dir.join('state')], { encoding: 'utf8' });
    assert.match(get.stdout, /\nweb\s+Running\s+Healthy\s+healthy\s+0\s/);

    process.kill(pidIn(`${run}/web.pid`)!, 'SIGKILL');
    const again = await vaid.waitForService('web', (s) => s.restarts.count === 1 && s.phase === 'Healthy', 'web restarted after the crash', 60_000);
    assert.equal(again.restarts.starts, 1);
    assert.ok(again.restarts.lastAt);
  } finally {
    await vaid.stop();
    killPidFiles(run);
    dir.remove();
  }
});
