// The bash completion script, run by a real bash: commands, -o values, and service names read
// from `vaictl get -o name` on the state dir typed on the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { testdir } from '../support/testdir.js';
import { writeStateDir } from '../fixtures/status/state-dir.js';
import { vaictl, VAICTL } from '../fixtures/status/run-vaictl.js';

test('bash completion completes commands, output formats and live service names', async (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  writeStateDir(dir.join('state'));
  const script = await vaictl(['completion', 'bash']);
  assert.equal(script.code, 0);
  const file = dir.write('vaictl.bash', script.stdout);
  const complete = (...words: string[]): string[] => {
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync('bash', ['--norc', '-c', `vaictl() { '${process.execPath}' '${VAICTL}' "$@"; }; source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _vaictl; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  assert.deepEqual(complete('vaictl', 'de'), ['describe']);
  assert.deepEqual(complete('vaictl', 'get', '-o', 'y'), ['yaml']);
  assert.deepEqual(complete('vaictl', 'describe', '--state-dir', dir.join('state'), 're'), ['redis']);
  assert.deepEqual(complete('vaictl', 'stop', '--state-dir', dir.join('state'), ''), ['api', 'cache', 'legacy-cron', 'minio', 'postgres', 'redis', 'search', 'worker']);
  assert.deepEqual(complete('vaictl', 'get', '--w'), ['--watch']);
  const zsh = await vaictl(['completion', 'zsh']);
  assert.match(zsh.stdout, /^#compdef vaictl\n/);
  assert.equal((await vaictl(['completion', 'fish'])).code, 2);
});
