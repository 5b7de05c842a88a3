// Issue 16, Deliver: "paths a manifest names under directories writable by a non-root user are
// refused or warned at load with file:line:col". A real unprivileged user (useradd, removed after)
// owns the dir of one service's log_path; another service's pid_file sits in a dir anyone can
// write. `vaictl validate` warns at each field's position (exit 0: the manifest is trusted) and
// `vaictl describe` of the running service shows the same words; the service whose paths are in
// root's own dirs gets no warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { startVaid, VAICTL_BIN } from '../support/vaid.js';
import { createUser, rootOrSkip } from '../support/unprivileged-user.js';

const skip = rootOrSkip();

function vaictl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [VAICTL_BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const service = (name: string, extra: string) =>
  `apiVersion: vai/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  health_check: { type: custom, command: "true", interval_seconds: 1 }\n  restart_cmd: "true"\n${extra}`;

test('a log_path or pid_file under a dir a non-root user owns or can write is warned about with file:line:col', { skip: skip ?? false }, async (t) => {
  const dir = testdir({}, 'vai-hard-paths-');
  t.after(() => dir.remove());
  chmodSync(dir.path, 0o755);
  const user = createUser(t);
  mkdirSync(dir.join('owned'));
  user.chown(dir.join('owned'));
  mkdirSync(dir.join('shared'));
  chmodSync(dir.join('shared'), 0o777);
  mkdirSync(dir.join('root-only'), { mode: 0o755 });
  // The user really controls the first dir: they can put anything where vaid would log.
  user.run(['touch', dir.join('owned', 'planted')]);
  dir.write('manifests/owned.yaml', service('owned', `  log_path: ${dir.join('owned', 'logs', 'app.log')}\n`));
  dir.write('manifests/shared.yaml', service('shared', `  pid_file: ../shared/app.pid\n`));
  dir.write('manifests/safe.yaml', service('safe', `  log_path: ${dir.join('root-only', 'app.log')}\n  pid_file: ${dir.join('root-only', 'app.pid')}\n`));

  const v = vaictl(['validate', dir.join('manifests')]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  const owned = new RegExp(`owned\\.yaml:7:13: warning: spec\\.log_path: ${dir.join('owned')} is owned by uid ${user.uid}, not root: a non-root user can swap this file at any time .* \\[VAI_W_UNSAFE_PATH_DIR\\]`);
  assert.match(v.stdout, owned);
  const shared = new RegExp(`shared\\.yaml:7:13: warning: spec\\.pid_file: ${dir.join('shared')} is writable by group and others \\(mode 0777\\): .* \\[VAI_W_UNSAFE_PATH_DIR\\]`);
  assert.match(v.stdout, shared);
  assert.doesNotMatch(v.stdout, /safe\.yaml/);
  assert.match(v.stdout, /3 services, 0 notifiers in 3 files: valid, 2 warnings/);

  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') });
  t.after(() => vaid.stop());
  await vaid.waitForStatus((d) => ['owned', 'shared', 'safe'].every((n) => d.services[n]?.lastCheck), 'all three services checked', 90_000);
  const d = vaictl(['describe', 'owned', 'shared', 'safe', '--state-dir', dir.join('state'), '--manifests', dir.join('manifests')]);
  assert.equal(d.status, 0, d.stdout + d.stderr);
  const [dOwned, dShared, dSafe] = d.stdout.split(/\n\n(?=Name:)/);
  assert.match(dOwned ?? '', new RegExp(`Path Warning:\\s+log_path: ${dir.join('owned')} is owned by uid ${user.uid}, not root: a non-root user can swap this file`));
  assert.match(dShared ?? '', new RegExp(`Path Warning:\\s+pid_file: ${dir.join('shared')} is writable by group and others`));
  assert.doesNotMatch(dSafe ?? '', /Path Warning/);
});
