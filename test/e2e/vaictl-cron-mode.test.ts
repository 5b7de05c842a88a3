// Cron mode is a way to run a host, not a daemon that died (issue 21): after `vaictl reconcile
// --once`, `vaictl get` answers without "vaid is not running ... Start it" and exits 0, and the
// pass counts only the services that should run (a disabled one is shown, never run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { assertBuilt, freePort, httpServiceManifest, killPidFiles, VAICTL_BIN } from '../support/vaid.js';

function vaictl(args: string[]) {
  return spawnSync(process.execPath, [VAICTL_BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
}

test('after reconcile --once, get is not told to start vaid, and a disabled service is not counted as one that should run', async () => {
  assertBuilt();
  const dir = testdir({}, 'vai-cron-');
  const run = dir.join('run');
  mkdirSync(run);
  try {
    const web = await freePort();
    const api = await freePort();
    dir.write(
      'manifests/s.yaml',
      [
        httpServiceManifest({ name: 'web', port: web, runDir: run, startupDelay: 20 }),
        httpServiceManifest({ name: 'api', port: api, runDir: run, startupDelay: 20 }),
        httpServiceManifest({ name: 'old', port: await freePort(), runDir: run, extra: '  enabled: false\n' }),
      ].join('---\n'),
    );
    const state = dir.join('state');
    const once = vaictl(['reconcile', '--once', '--manifests', dir.join('manifests'), '--state-dir', state]);
    assert.equal(once.status, 0, once.stdout + once.stderr);
    assert.match(once.stdout, /all 2 services that should run are healthy/);
    for (const args of [['get'], ['get', '-o', 'wide'], ['get', 'web'], ['describe', 'web']]) {
      const r = vaictl([...args, '--state-dir', state, '--manifests', dir.join('manifests')]);
      assert.equal(r.status, 0, `vaictl ${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /not running|Start it/, `vaictl ${args.join(' ')}`);
    }
    assert.match(vaictl(['get', '--state-dir', state]).stdout, /\nold\s+Disabled\s+Disabled/);
  } finally {
    killPidFiles(run);
    dir.remove();
  }
});
