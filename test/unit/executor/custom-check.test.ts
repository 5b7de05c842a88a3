import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { LocalExecutor } from '../../../src/executor/local-executor.js';
import { healthCheck, target } from './target.js';
import { testdir } from '../../support/testdir.js';
import { pidsMatching } from '../../support/services/processes.js';
import { waitFor } from '../../support/wait.js';

const dir = testdir();
after(() => dir.remove());
const ex = new LocalExecutor();
const custom = (command: string, timeout_seconds = 5) => target('api', { health_check: healthCheck({ type: 'custom', command, timeout_seconds }) }, dir.path);

test('exit 0 is healthy', async () => {
  const r = await ex.check(custom('test -d /'));
  assert.equal(r.health, 'healthy');
  assert.match(r.message, /^exit 0 after [\d.]+ m?s$/);
});

test('a failing command is unhealthy and its last lines become the message', async () => {
  const r = await ex.check(custom('for i in $(seq 1 50); do echo "line $i"; done; echo "disk full" >&2; exit 3'));
  assert.equal(r.health, 'unhealthy');
  assert.equal(r.reason, 'CommandFailed');
  assert.match(r.message, /^exit 3 after [\d.]+ m?s: .*line 50 \| disk full$/);
  assert.doesNotMatch(r.message, /line 1 /);
});

test('huge output is bounded', async () => {
  const r = await ex.check(custom('head -c 5000000 /dev/zero | tr "\\0" x; echo; echo tail-line; exit 1'));
  assert.equal(r.health, 'unhealthy');
  assert.ok(r.message.length < 500, `message length ${r.message.length}`);
  assert.match(r.message, /tail-line$/);
});

test('a hung check times out, and its whole group is killed', async () => {
  const m = `vai-hang-${Math.random().toString(36).slice(2, 8)}`;
  const r = await ex.check(custom(`echo started; (exec -a ${m} sleep 1000) & exec -a ${m} sleep 1000`, 0.3));
  assert.equal(r.health, 'unhealthy');
  assert.equal(r.reason, 'Timeout');
  // Under heavy load bash may not have printed yet when the timeout hits.
  assert.match(r.message, /^timed out after 300 ms(: started)?$/);
  await waitFor(() => pidsMatching(m).length === 0, { what: `no ${m} process left` });
});

test('a check that ignores SIGTERM is SIGKILLed after the grace', async () => {
  const m = `vai-stubborn-${Math.random().toString(36).slice(2, 8)}`;
  const r = await ex.check(custom(`trap "" TERM; (trap "" TERM; exec -a ${m} sleep 1000) & wait`, 0.2));
  assert.equal(r.reason, 'Timeout');
  await waitFor(() => pidsMatching(m).length === 0, { what: `no ${m} process left` });
});

test('a background process left by a passing check does not outlive it', async () => {
  const m = `vai-left-${Math.random().toString(36).slice(2, 8)}`;
  const r = await ex.check(custom(`(exec -a ${m} sleep 1000) & exit 0`));
  assert.equal(r.health, 'healthy');
  await waitFor(() => pidsMatching(m).length === 0, { what: `no ${m} process left` });
});

test('service fields arrive as environment variables, and the check runs in the manifest directory', async () => {
  const out = dir.join('env.txt');
  const t = target('my-svc', { health_check: healthCheck({ type: 'custom', command: `printf '%s|%s|%s|%s' "$VAI_SERVICE" "$VAI_ACTION" "$VAI_CHECK_TYPE" "$PWD" > env.txt` }) }, dir.path);
  const r = await ex.check(t);
  assert.equal(r.health, 'healthy');
  assert.ok(existsSync(out));
  assert.equal(readFileSync(out, 'utf8'), `my-svc|check|custom|${dir.path}`);
});

test("vaid's own VAI_* variables (tokens) do not reach commands", async () => {
  process.env.VAI_NTFY_TOKEN = 'tk_secret';
  try {
    const r = await ex.check(custom('test -z "$VAI_NTFY_TOKEN"'));
    assert.equal(r.health, 'healthy');
  } finally {
    delete process.env.VAI_NTFY_TOKEN;
  }
});

test('a missing working directory (a manifest tree mid re-clone) falls back to the nearest existing one, said plainly', async () => {
  const t = target('x', { health_check: healthCheck({ type: 'custom', command: 'pwd' }) }, dir.join('nope', 'deeper'));
  const r = await ex.check(t);
  assert.equal(r.health, 'healthy');
  assert.match(r.message, new RegExp(`${dir.path}.*\\(ran in ${dir.path}: .*nope/deeper does not exist\\)`));
});
