// `vaictl plan` decides what vaid decides (issue 15): a real vaid under --selector whose service
// depends on one outside the selector. vaid counts that dependency as another host's business;
// plan, built from the same read model and the selector vaid recorded in status, must too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { freePort, startVaid, VAICTL_BIN } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

test('vaictl plan = vaid under --selector with a dependency outside the selector: both restart api', async () => {
  const port = await freePort(); // nothing listens: api's check fails
  const dir = testdir({}, 'vai-plansel-');
  const restarts = dir.join('restarts.log');
  dir.write(
    'manifests/api.yaml',
    [
      'apiVersion: vai/v1',
      'kind: Service',
      'metadata: { name: api, labels: { host: a } }',
      'spec:',
      // The interval leaves plan a quiet spell after the first failed check (1 of 2).
      `  health_check: { type: tcp, port: ${port}, interval_seconds: 20, timeout_seconds: 2, failure_threshold: 2 }`,
      `  restart_cmd: ${JSON.stringify(`echo api >> ${restarts}`)}`,
      '  startup_delay_seconds: 30',
      '  dependencies: [db]',
      '',
    ].join('\n'),
  );
  dir.write('manifests/db.yaml', ['apiVersion: vai/v1', 'kind: Service', 'metadata: { name: db, labels: { host: b } }', 'spec:', '  health_check: { type: custom, command: "true" }', '  restart_cmd: "true"', ''].join('\n'));
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), markerDir: dir.join('markers'), args: ['--selector', 'host=a'] });
  try {
    await vaid.waitForService('api', (s) => s.consecutiveFailures === 1 && s.phase === 'Degraded', 'api failed its first check');
    assert.equal(vaid.readStatus()!.services.db, undefined, 'db is not this vaid\'s');
    const out = execFileSync(process.execPath, [VAICTL_BIN, 'plan', 'api', '-o', 'json', '--state-dir', dir.join('state'), '--marker-dir', dir.join('markers'), '--manifests', dir.join('manifests')], { encoding: 'utf8' });
    const item = (JSON.parse(out) as { items: Array<{ name: string; phase: string; actions: Array<{ type: string }> }> }).items[0]!;
    assert.equal(item.name, 'api');
    assert.deepEqual(item.actions.map((a) => a.type), ['restart'], `plan restarts api; it said ${item.phase} (${out.trim()})`);
    assert.equal(item.phase, 'Recovering');
    // And vaid, at api's next check, does what plan said.
    await waitFor(() => existsSync(restarts) && readFileSync(restarts, 'utf8').includes('api'), { what: 'vaid restarts api', timeoutMs: 60_000 });
    assert.equal(vaid.readStatus()!.services.api!.phase, 'Recovering');
  } finally {
    await vaid.stop();
    dir.remove();
  }
});
