import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { processCheck } from '../../../src/executor/process-check.js';
import { LocalExecutor } from '../../../src/executor/local-executor.js';
import { healthCheck, target } from './target.js';
import { testdir } from '../../support/testdir.js';
import { startGroup } from '../../support/services/processes.js';
import { waitFor } from '../../support/wait.js';

const dir = testdir();
after(() => dir.remove());
const marker = () => `vai-proc-${Math.random().toString(36).slice(2, 10)}`;

test('a running process whose command line matches is healthy, and the message names its pid', async () => {
  const m = marker();
  const p = startGroup('bash', ['-c', `exec -a ${m}-daemon sleep 1000`]);
  try {
    const r = await waitFor(() => {
      const res = processCheck(healthCheck({ type: 'process', process_name: `${m}-d[a-z]+` }));
      return res.health === 'healthy' && res;
    }, { what: 'process visible' });
    assert.match(r.message, new RegExp(`^pid ${p.pid} matches`));
  } finally {
    await p.kill();
  }
  const gone = processCheck(healthCheck({ type: 'process', process_name: m }));
  assert.equal(gone.health, 'unhealthy');
  assert.equal(gone.reason, 'ProcessNotFound');
  assert.match(gone.message, new RegExp(`no process matches "${m}"`));
});

test('pgrep -f semantics: arguments count, joined by spaces', async () => {
  const m = marker();
  const p = startGroup('bash', ['-c', `exec -a sleep-${m} sleep 1000`]);
  try {
    await waitFor(() => processCheck(healthCheck({ type: 'process', process_name: `sleep-${m} 1000$` })).health === 'healthy', { what: 'match with args' });
  } finally {
    await p.kill();
  }
});

test('never matches vai itself nor the shell of a command vai is running', async () => {
  const m = marker();
  // vai's own command line does not carry the marker, so put it in a running restart_cmd's text.
  const ex = new LocalExecutor();
  const t = target('svc', { health_check: healthCheck({ type: 'process', process_name: m }), restart_cmd: `: ${m}; sleep 2` }, dir.path);
  const running = ex.run(t, 'restart');
  try {
    await new Promise((r) => setTimeout(r, 300));
    const r = await ex.check(t);
    assert.equal(r.health, 'unhealthy', r.message);
  } finally {
    await running;
  }
});

test('an invalid pattern is a check error (unknown), not a dead service', () => {
  const r = processCheck(healthCheck({ type: 'process', process_name: '(unclosed' }));
  assert.equal(r.health, 'unknown');
  assert.equal(r.reason, 'CheckError');
  assert.match(r.message, /invalid process_name pattern/);
});
