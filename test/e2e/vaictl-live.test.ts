// vaictl against a real vaid and a real HTTP service on 127.0.0.1: stop/start change what vaid
// does, restart asks vaid for a recovery, get -w prints each change as it happens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { countLines, freePort, httpServiceManifest, killPidFiles, pidIn, startService, startVaid } from '../support/vaid.js';
import { vaictl, VAICTL } from '../fixtures/status/run-vaictl.js';
import { startsAndRestarts } from '../support/restart-count.js';

test('stop, start, restart and get -w against a running vaid', async (t) => {
  const dir = testdir({}, 'vai-vaictl-live-');
  const run = dir.join('run');
  const port = await freePort();
  dir.write('run/.keep', '');
  dir.write('manifests/web.yaml', httpServiceManifest({ name: 'web', port, runDir: run, interval: 0.3, timeout: 1, startupDelay: 5, extra: '  log_path: web.log\n' }));
  const S = ['--state-dir', dir.join('state')];
  // One cleanup, in order: the watcher and vaid stop writing before the tree is removed.
  const cleanup: Array<() => unknown> = [];
  t.after(async () => {
    for (const step of cleanup.reverse()) await step();
    killPidFiles(run);
    dir.remove();
  });
  await startService('web', port, run);
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') });
  cleanup.push(() => vaid.stop());
  await vaid.waitForService('web', (s) => s.phase === 'Healthy' && s.lastCheck?.health === 'healthy', 'web healthy');

  const get = await vaictl(['get', ...S]);
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /^web +Running +Healthy +healthy +0 +\d+s +\d+s$/m);

  // get -w: one row per change, each stamped with when it arrived.
  const watcher = spawn(process.execPath, [VAICTL, 'get', '-w', 'web', ...S], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.push(() => watcher.kill('SIGKILL'));
  const rows: Array<{ at: number; line: string }> = [];
  let partial = '';
  watcher.stdout.on('data', (d: Buffer) => {
    const text = partial + d.toString();
    const lines = text.split('\n');
    partial = lines.pop()!;
    for (const line of lines) rows.push({ at: Date.now(), line });
  });
  await waitFor(() => rows.some((r) => r.line.startsWith('web ')), { what: 'the first -w listing' });

  const stop = await vaictl(['stop', 'web', ...S]);
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, new RegExp(`vai will not recover web while it is stopped; vaid is running \\(pid ${vaid.pid}\\) and picks this up at once`));
  assert.ok(existsSync(dir.join('state/manual-stop/web.stopped')));
  const stopped = await vaid.waitForService('web', (s) => s.phase === 'Stopped', 'web Stopped');
  const row = await waitFor(() => rows.find((r) => /^web +Stopped +Stopped /.test(r.line)), { what: '-w to print the Stopped row' });
  const lag = row.at - Date.parse(stopped.phaseSince);
  t.diagnostic(`get -w printed the Stopped row ${lag} ms after vaid changed the phase (status write coalescing included)`);

  // While stopped, a crash is observed but not acted on.
  const starts = countLines(`${run}/web.starts`);
  process.kill(pidIn(`${run}/web.pid`)!, 'SIGKILL');
  await vaid.waitForService('web', (s) => s.lastCheck?.health === 'unhealthy', 'the crash observed');
  const seen = await vaictl(['get', 'web', ...S]);
  assert.match(seen.stdout, /^web +Stopped +Stopped +unhealthy +0 /m);
  assert.equal(countLines(`${run}/web.starts`), starts, 'no restart while stopped');

  const start = await vaictl(['start', 'web', ...S]);
  assert.equal(start.code, 0, start.stderr);
  assert.match(start.stdout, /service\/web started .*\nvai checks web now and runs its restart_cmd if it is unhealthy; vaid is running/);
  await vaid.waitForService('web', (s) => s.phase === 'Healthy' && startsAndRestarts(s) === 1, 'web recovered after start');
  await waitFor(() => rows.find((r) => /^web +Running +Healthy +healthy +1 \(/.test(r.line)), { what: '-w to print the recovered row' });
  assert.ok(rows.some((r) => /^web +Running +(Recovering|Degraded) /.test(r.line)), rows.map((r) => r.line).join('\n'));

  const restart = await vaictl(['restart', 'web', ...S]);
  assert.equal(restart.code, 0, restart.stderr);
  assert.match(restart.stdout, /service\/web restart requested/);
  await vaid.waitForService('web', (s) => startsAndRestarts(s) === 2 && s.phase === 'Healthy', 'web restarted on request');
  await waitFor(() => readdirSync(dir.join('state/requests')).length === 0, { what: 'vaid to take the request' });

  const describe = await vaictl(['describe', 'web', ...S]);
  assert.equal(describe.code, 0, describe.stderr);
  assert.match(describe.stdout, new RegExp(`^Health Check: +HTTP GET http://127\\.0\\.0\\.1:${port}/health expecting 2xx or 3xx, every 0\\.3s, timeout 1s$`, 'm'));
  assert.match(describe.stdout, /^Restarts: +2, last \d+s ago/m);
  assert.match(describe.stdout, /^ {2}Recoveries: +2 attempted, 2 succeeded \(100%\)$/m);

  const logFile = dir.join('manifests/web.log');
  await waitFor(() => existsSync(logFile) && readFileSync(logFile, 'utf8').length > 0, { what: 'restart_cmd output in log_path' });
  const logs = await vaictl(['logs', 'web', '-n', '1', ...S]);
  assert.equal(logs.code, 0, logs.stderr);
  assert.equal(logs.stdout, `${readFileSync(logFile, 'utf8').trimEnd().split('\n').at(-1)}\n`);

  const refused = await vaictl(['stop', '../../etc/passwd', ...S]);
  assert.equal(refused.code, 2);
  assert.deepEqual(readdirSync(dir.join('state/manual-stop')), []);
});
