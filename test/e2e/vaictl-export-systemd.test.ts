// vaictl export systemd (issue 21): one unit per service that systemd-analyze verify accepts,
// with ExecStart from restart_cmd without its "&", the backoff policy and the dependencies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { VAICTL_BIN } from '../support/vaid.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

test('export systemd writes units that systemd-analyze verify accepts', { skip: !hasAnalyze && process.env.CI !== 'true' && 'systemd-analyze is not installed' }, () => {
  const svc = (name: string, extra: string) => `apiVersion: vai/v1
kind: Service
metadata: { name: ${name} }
spec:
  health_check: { type: tcp, host: 127.0.0.1, port: 5432 }
  restart_cmd: "/usr/bin/env sleep 1000 --name ${name} 100% \\"$HOME\\" &"
  max_failures: 4
  failure_window_seconds: 120
  backoff_initial_seconds: 7
${extra}`;
  const dir = testdir({ 'manifests/db.yaml': svc('db', '  stop_cmd: "pkill -f \'sleep 1000 --name db\' || true"\n'), 'manifests/api.yaml': svc('api', '  dependencies: [db]\n') }, 'vai-export-');
  try {
    const r = spawnSync(process.execPath, [VAICTL_BIN, 'export', 'systemd', '--dir', dir.join('units'), '--manifests', dir.join('manifests')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const api = readFileSync(dir.join('units/api.service'), 'utf8');
    const db = readFileSync(dir.join('units/db.service'), 'utf8');
    assert.match(api, /^ExecStart=\/bin\/bash -c "\/usr\/bin\/env sleep 1000 --name api 100%% \\"\$\$HOME\\""$/m, 'no trailing &, % and $ escaped');
    assert.match(api, /^After=db\.service$/m);
    assert.match(api, /^Requires=db\.service$/m);
    assert.match(api, /^Restart=on-failure$/m);
    assert.match(api, /^RestartSec=7s$/m);
    assert.match(api, /^StartLimitBurst=4$/m);
    assert.match(api, /^StartLimitIntervalSec=120$/m);
    assert.match(db, /^ExecStop=\/bin\/bash -c "pkill -f 'sleep 1000 --name db' \|\| true"$/m);
    const v = spawnSync('systemd-analyze', ['verify', dir.join('units/db.service'), dir.join('units/api.service')], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
    assert.doesNotMatch(v.stderr, /api\.service|db\.service/, v.stderr);
    const one = spawnSync(process.execPath, [VAICTL_BIN, 'export', 'systemd', 'db', '--manifests', dir.join('manifests')], { encoding: 'utf8' });
    assert.equal(one.stdout, db);
    assert.equal(spawnSync(process.execPath, [VAICTL_BIN, 'export', 'systemd', 'nosuch', '--manifests', dir.join('manifests')]).status, 3);
  } finally {
    dir.remove();
  }
});
