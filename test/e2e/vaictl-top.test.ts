// vaictl top (issue 21): CPU and memory of each service's process tree, as kubectl top prints
// them, measured from the process vaid watches: a pid_file's pid, and without one the owner of
// the check's loopback port. Real services started by a real `vaictl reconcile --once`, and a
// real CPU-bound child of one of them, so the tree's sum is what is shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { testdir } from '../support/testdir.js';
import { assertBuilt, freePort, HTTP_SERVICE, httpServiceManifest, killPidFiles, pidIn, VAICTL_BIN } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

function vaictl(args: string[]) {
  return spawnSync(process.execPath, [VAICTL_BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
}

/** The table's rows by name: [cpu, memory, processes, pid, process?]. */
function rows(stdout: string): Map<string, string[]> {
  const lines = stdout.trimEnd().split('\n');
  return new Map(lines.slice(1).map((l) => { const [name, ...rest] = l.trim().split(/\s{2,}/); return [name!, rest]; }));
}

test('top shows each service tree: the pid vaid knows, a busy child counted in its parent, and <unknown> with a reason for a service whose process is gone', async () => {
  assertBuilt();
  const dir = testdir({}, 'vai-top-');
  const run = dir.join('run');
  mkdirSync(run);
  try {
    const web = await freePort();
    const busy = await freePort();
    const gone = await freePort();
    // busy's pid_file names a bash wrapper whose children are the HTTP service and a spinner
    // burning a core: the tree under the pid is all three, and its CPU is the spinner's.
    const wrapper = `echo $$ > ${path.join(run, 'busy.pid')}; node ${HTTP_SERVICE} --name busy --port ${busy} --pid-file ${path.join(run, 'busy-http.pid')} & node -e "for(;;){}" & echo $! > ${path.join(run, 'spin.pid')}; wait`;
    dir.write(
      'manifests/s.yaml',
      [
        httpServiceManifest({ name: 'web', port: web, runDir: run, startupDelay: 20 }),
        httpServiceManifest({ name: 'busy', port: busy, runDir: run, startupDelay: 20, restartCmd: `bash -c '${wrapper}' > /dev/null 2>&1 &` }),
        httpServiceManifest({ name: 'gone', port: gone, runDir: run, startupDelay: 20, extra: '  enabled: false\n' }),
      ].join('---\n'),
    );
    const state = dir.join('state');
    const once = vaictl(['reconcile', '--once', '--manifests', dir.join('manifests'), '--state-dir', state]);
    assert.equal(once.status, 0, once.stdout + once.stderr);
    await waitFor(() => pidIn(path.join(run, 'spin.pid')) !== null, { what: 'the spinner to start' });

    const top = vaictl(['top', '--state-dir', state, '-o', 'wide', '--window', '3s']);
    assert.equal(top.status, 0, top.stderr);
    assert.match(top.stdout.split('\n')[0]!, /^NAME\s+CPU\(CORES\)\s+MEMORY\(BYTES\)\s+PROCESSES\s+PID\s+PROCESS$/);
    const r = rows(top.stdout);
    const webRow = r.get('web')!;
    assert.equal(webRow[3], String(pidIn(path.join(run, 'web.pid'))), 'web: the pid of its pid_file');
    assert.match(webRow[1]!, /^[1-9]\d*Mi$/, 'web: a node process has some MB of RSS');
    assert.match(webRow[4]!, /pid_file/);
    const busyRow = r.get('busy')!;
    assert.equal(busyRow[3], String(pidIn(path.join(run, 'busy.pid'))), 'busy: the wrapper its pid_file names');
    assert.equal(busyRow[2], '3', 'the wrapper, the HTTP service and the spinner');
    // A core's worth of spinning over the window; 50m leaves room for a machine loaded 20 times over.
    assert.ok(Number(busyRow[0]!.replace(/m$/, '')) >= 50, `busy's CPU counts its spinning child: ${top.stdout}`);
    assert.ok(Number(webRow[0]!.replace(/m$/, '')) < Number(busyRow[0]!.replace(/m$/, '')), 'an idle server uses less than a spinner');
    assert.match(r.get('gone')![0]!, /<unknown>/, 'a disabled service that never ran has no process');
    assert.match(r.get('gone')![4]!, /nothing listens|no process|pid_file/);

    const sorted = vaictl(['top', '--state-dir', state, '--sort-by', 'memory', '--no-headers']);
    assert.equal(sorted.status, 0, sorted.stderr);
    assert.doesNotMatch(sorted.stdout, /^NAME/);
    assert.equal(sorted.stdout.trimEnd().split('\n').at(-1)!.split(/\s+/)[0], 'gone', '<unknown> sorts last');

    const one = vaictl(['top', 'nosuch', '--state-dir', state]);
    assert.equal(one.status, 3);
    assert.equal(vaictl(['top', '--sort-by', 'name', '--state-dir', state]).status, 2);
  } finally {
    killPidFiles(run);
    dir.remove();
  }
});
