// kubectl/systemctl verbs on a real vaid (issue 21): wait --for=condition=Healthy, stop --now
// (marker first, then stop_cmd, and vai does not bring it back), logs --since/--grep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { answers, countLines, freePort, httpServiceManifest, killPidFiles, startVaid, VAICTL_BIN } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

test('wait, stop --now and logs --since --grep against a real vaid', async () => {
  const dir = testdir({}, 'vai-verbs-');
  const run = dir.join('run');
  mkdirSync(run);
  const port = await freePort();
  const logFile = dir.join('web.log');
  dir.write('manifests/web.yaml', httpServiceManifest({ name: 'web', port, runDir: run, startupDelay: 20, extra: `  log_path: ${logFile}\n` }));
  const S = ['--state-dir', dir.join('state'), '--marker-dir', dir.join('markers')];
  const vaictl = (...args: string[]) => spawnSync(process.execPath, [VAICTL_BIN, ...args, ...S], { encoding: 'utf8', timeout: 120_000 });
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), markerDir: dir.join('markers') });
  try {
    await vaid.waitForStatus((d) => d.services.web, 'web in status');
    const w = vaictl('wait', '--for=condition=Healthy', 'web', '--timeout', '60s');
    assert.equal(w.status, 0, w.stderr);
    assert.equal(w.stdout, 'service/web condition met\n');
    assert.ok(await answers(`http://127.0.0.1:${port}/health`));
    const never = vaictl('wait', '--for=condition=BackOff', 'web', '--timeout', '1s');
    assert.equal(never.status, 1);
    assert.match(never.stderr, /timed out waiting for the condition on service\/web/);
    assert.equal(vaictl('wait', '--for=condition=Healthy', 'nosuch').status, 3);
    assert.equal(vaictl('wait', '--for=bogus', 'web').status, 2);

    const stopsBefore = countLines(`${run}/web.stops`); // vai's start ran stop_cmd first
    const stop = vaictl('stop', '--now', 'web');
    assert.equal(stop.status, 0, stop.stderr);
    assert.match(stop.stdout, /service\/web stopped .*\n[\s\S]*service\/web stop_cmd exit 0/);
    assert.equal(countLines(`${run}/web.stops`), stopsBefore + 1, 'stop_cmd ran once');
    assert.ok(existsSync(dir.join('markers/web.stopped')));
    const stopped = vaictl('wait', '--for=jsonpath={.status.phase}=Stopped', 'web', '--timeout', '60s');
    assert.equal(stopped.status, 0, stopped.stderr);
    await waitFor(async () => !(await answers(`http://127.0.0.1:${port}/health`)), { what: 'web down' });
    assert.equal(countLines(`${run}/web.starts`), 1, 'vai did not start it again');
    const plain = vaictl('stop', 'web');
    assert.match(plain.stdout, /Its process is left as it is \(--now also runs its stop_cmd\)/);

    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    writeFileSync(logFile, [`${iso(now - 3_600_000)} ERROR old failure`, `${iso(now - 60_000)} INFO started`, '  continued line of the INFO record', `${iso(now - 30_000)} ERROR disk full`, ''].join('\n'));
    const since = vaictl('logs', 'web', '--since', '10m');
    assert.equal(since.status, 0, since.stderr);
    assert.equal(since.stdout, `${iso(now - 60_000)} INFO started\n  continued line of the INFO record\n${iso(now - 30_000)} ERROR disk full\n`);
    assert.equal(vaictl('logs', 'web', '--since', '10m', '--grep', 'ERROR').stdout, `${iso(now - 30_000)} ERROR disk full\n`);
    assert.equal(vaictl('logs', 'web', '--grep', 'ERROR').stdout.split('\n').filter(Boolean).length, 2);
  } finally {
    await vaid.stop();
    killPidFiles(run);
    dir.remove();
  }
});
