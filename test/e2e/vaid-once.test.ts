// Cron mode: `vaictl reconcile --once` with the real binary, real services and vaid's lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { testdir } from '../support/testdir.js';
import { answers, countLines, freePort, httpServiceManifest, killPidFiles, startVaid, VAICTL_BIN, assertBuilt } from '../support/vaid.js';
import { statusDocumentProblems } from '../../src/status/validate.js';
import { readFileSync } from 'node:fs';

const run = promisify(execFile);

async function once(manifests: string, stateDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  assertBuilt();
  try {
    const r = await run(process.execPath, [VAICTL_BIN, 'reconcile', '--once', '--manifests', manifests, '--state-dir', stateDir], { timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

test('reconcile --once recovers a dependency and its dependent in order, verifies, exits 0, releases the lock', async () => {
  const dir = testdir({}, 'vai-once-');
  const rundir = dir.join('run');
  mkdirSync(rundir);
  try {
    const db = await freePort();
    const api = await freePort();
    dir.write(
      'manifests/s.yaml',
      [
        httpServiceManifest({ name: 'db', port: db, runDir: rundir }),
        httpServiceManifest({ name: 'api', port: api, runDir: rundir, dependsOn: { name: 'db', port: db } }),
      ].join('---\n'),
    );
    const r = await once(dir.join('manifests'), dir.join('state'));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(await answers(`http://127.0.0.1:${db}/health`));
    assert.ok(await answers(`http://127.0.0.1:${api}/health`));
    const doc = JSON.parse(readFileSync(dir.join('state/status.json'), 'utf8'));
    assert.equal(statusDocumentProblems(doc), null);
    assert.equal(doc.services.db.phase, 'Healthy');
    assert.equal(doc.services.api.phase, 'Healthy');
    assert.equal(countLines(`${rundir}/db.starts`), 1);
    assert.equal(countLines(`${rundir}/api.starts`), 1);
    assert.equal(existsSync(dir.join('state/vaid.lock')), false);
    const again = await once(dir.join('manifests'), dir.join('state'));
    assert.equal(again.code, 0);
    assert.equal(countLines(`${rundir}/db.starts`), 1, 'healthy services are left alone');
  } finally {
    killPidFiles(rundir);
    dir.remove();
  }
});

test('reconcile --once exits 1 when a service stays unhealthy, and refuses to run beside vaid', async () => {
  const dir = testdir({}, 'vai-once-');
  const rundir = dir.join('run');
  mkdirSync(rundir);
  try {
    const port = await freePort();
    dir.write('manifests/s.yaml', httpServiceManifest({ name: 'broken', port, runDir: rundir, startupDelay: 0.2, restartCmd: 'true', extra: '  max_failures: 2\n' }));
    const r = await once(dir.join('manifests'), dir.join('state'));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /1 of 1 services still unhealthy: broken \(CrashLoopBackOff\)/);
    const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') });
    try {
      await vaid.waitForStatus((d) => d.vaid.pid === vaid.pid, 'vaid running');
      const locked = await once(dir.join('manifests'), dir.join('state'));
      assert.equal(locked.code, 1);
      assert.match(locked.stderr, new RegExp(`another vaid \\(pid ${vaid.pid}\\) holds`));
    } finally {
      await vaid.stop();
    }
  } finally {
    killPidFiles(rundir);
    dir.remove();
  }
});
