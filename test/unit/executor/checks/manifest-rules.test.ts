// Bad input to the newer check fields: each error names file, line, column and field, and a
// misspelt field gets a "did you mean".
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeError, validateTree } from '../../../../src/manifest/index.js';
import { testdir } from '../../../support/testdir.js';

const dir = testdir();
after(() => dir.remove());

async function errors(name: string, spec: string): Promise<string[]> {
  dir.write(`${name}/svc.yaml`, `apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n${spec}`);
  const r = await validateTree([dir.join(name)], { checkPermissions: false });
  return r.errors.map((e) => `${e.line}:${e.column} ${describeError(e)}`);
}

test('a misspelt new field: position and did you mean', async () => {
  const e = await errors('typo', '  health_check:\n    type: disk\n    path: /\n    min_free_precent: 10\n');
  assert.equal(e.length, 1, e.join('\n'));
  assert.match(e[0]!, /^9:5 spec\.health_check.*min_free_precent.*did you mean "min_free_percent"/);
});

test('a field of another check type names the types that use it', async () => {
  const e = await errors('foreign', '  health_check:\n    type: http\n    endpoint: http://127.0.0.1/\n    min_free_mb: 5\n  restart_cmd: "true"\n');
  assert.deepEqual(e, ['9:5 spec.health_check.min_free_mb: only a disk check uses min_free_mb (this check is http)']);
});

test('a disk check without a threshold, a certificate with fail_days over warn_days, limits in a container', async () => {
  assert.deepEqual(await errors('nothr', '  health_check:\n    type: disk\n    path: /\n'), [
    '7:11 spec.health_check.type: a disk check needs min_free_percent, min_free_mb or min_free_inodes_percent (what counts as full)',
  ]);
  assert.deepEqual(await errors('days', '  health_check:\n    type: certificate\n    port: 443\n    warn_days: 2\n    fail_days: 5\n'), [
    '10:16 spec.health_check.fail_days: fail_days (5) must not exceed warn_days (2)',
  ]);
  const e = await errors('ctr', '  container: web\n  health_check:\n    type: heartbeat\n    period_seconds: 60\n  limits: { memory_mb: 100 }\n');
  assert.ok(e.some((x) => /spec\.container: a heartbeat check cannot run inside a container/.test(x)), e.join('\n'));
  assert.ok(e.some((x) => /spec\.limits: limits measure host processes/.test(x)), e.join('\n'));
});

test('disk and file checks run inside a container, on an absolute path only', async () => {
  assert.deepEqual(await errors('ctr-disk', '  container: web\n  restart_cmd: "true"\n  health_check:\n    type: disk\n    path: /data\n    min_free_mb: 5\n'), []);
  assert.deepEqual(await errors('ctr-file', '  container: web\n  restart_cmd: "true"\n  health_check:\n    type: file\n    path: logs/app.log\n    max_age_seconds: 600\n'), [
    '10:11 spec.health_check.path: inside container web the path must be absolute, got "logs/app.log"',
  ]);
});
