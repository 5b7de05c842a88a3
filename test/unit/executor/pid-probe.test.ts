import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, existsSync, symlinkSync, renameSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { parsePid, probePid, probePidFile, readPidFile, statState } from '../../../src/executor/pid-probe.js';
import { readSafe } from '../../../src/core/safe-open.js';
import { LocalExecutor } from '../../../src/executor/local-executor.js';
import { healthCheck, target } from './target.js';
import { testdir } from '../../support/testdir.js';
import { startGroup } from '../../support/services/processes.js';
import { waitFor } from '../../support/wait.js';

const dir = testdir();
after(() => dir.remove());

test('parsePid and statState read what the kernel and daemons write', () => {
  assert.equal(parsePid('1234\n'), 1234);
  assert.equal(parsePid('  77'), 77);
  assert.equal(parsePid('abc'), null);
  assert.equal(parsePid('0'), null);
  assert.equal(statState('42 (my (odd) name) S 1 42 42 0'), 'S');
  assert.equal(statState('42 (x) Z 1'), 'Z');
});

test('a live pid is alive; after SIGKILL it is dead', async () => {
  const p = startGroup('sleep', ['1000']);
  const file = dir.write('live.pid', `${p.pid}\n`);
  assert.equal(await probePidFile(file), 'alive');
  await p.kill();
  assert.equal(await probePidFile(file), 'dead');
});

test('a process frozen by SIGSTOP is stopped, and alive again after SIGCONT', async () => {
  const p = startGroup('sleep', ['1000']);
  try {
    const file = dir.write('frozen.pid', `${p.pid}\n`);
    process.kill(p.pid, 'SIGSTOP');
    await waitFor(async () => (await probePidFile(file)) === 'stopped', { what: 'the frozen process to probe stopped' });
    process.kill(p.pid, 'SIGCONT');
    await waitFor(async () => (await probePidFile(file)) === 'alive', { what: 'the resumed process to probe alive' });
  } finally {
    await p.kill();
  }
});

test('a zombie is dead although kill(pid, 0) still succeeds on it', async () => {
  const pidFile = dir.join('zombie.pid');
  // The parent execs into sleep, which never reaps: its finished child stays a zombie.
  const p = startGroup('bash', ['-c', `sleep 0 & echo $! > ${pidFile}; exec sleep 1000`]);
  try {
    const zpid = await waitFor(() => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')), { what: 'zombie pid file' });
    await waitFor(() => statState(readFileSync(`/proc/${zpid}/stat`, 'latin1')) === 'Z', { what: 'child to become a zombie' });
    assert.doesNotThrow(() => process.kill(zpid, 0));
    assert.equal(await probePid(zpid), 'dead');
  } finally {
    await p.kill();
  }
});

test('no pid file, an unreadable or garbled one: unknown', async () => {
  const ex = new LocalExecutor();
  const hc = healthCheck({ type: 'tcp', port: 1 });
  assert.equal(await ex.probePid(target('a', { health_check: hc }, dir.path)), 'unknown');
  assert.equal(await ex.probePid(target('a', { health_check: hc, pid_file: 'missing.pid' }, dir.path)), 'unknown');
  writeFileSync(dir.join('garbage.pid'), 'not a pid');
  assert.equal(await ex.probePid(target('a', { health_check: hc, pid_file: 'garbage.pid' }, dir.path)), 'unknown');
});

test('a relative pid_file resolves against the manifest directory', async () => {
  const p = startGroup('sleep', ['1000']);
  try {
    dir.write('run/rel.pid', `${p.pid}\n`);
    const ex = new LocalExecutor();
    assert.equal(await ex.probePid(target('a', { health_check: healthCheck({ type: 'tcp', port: 1 }), pid_file: 'run/rel.pid' }, dir.path)), 'alive');
  } finally {
    await p.kill();
  }
});

test('a FIFO or a symlink planted as the pid file is not read: unknown, and the probe does not hang', async () => {
  const ex = new LocalExecutor();
  const hc = healthCheck({ type: 'tcp', port: 1 });
  execFileSync('mkfifo', [dir.join('fifo.pid')]);
  assert.equal(await ex.probePid(target('a', { health_check: hc, pid_file: 'fifo.pid' }, dir.path)), 'unknown');
  writeFileSync(dir.join('real.pid'), `${process.pid}\n`);
  symlinkSync(dir.join('real.pid'), dir.join('link.pid'));
  assert.equal(await ex.probePid(target('a', { health_check: hc, pid_file: 'link.pid' }, dir.path)), 'unknown');
  assert.equal(await ex.probePid(target('a', { health_check: hc, pid_file: 'real.pid' }, dir.path)), 'alive');
});

test('a pid file read once is read again when it changes: rewritten, replaced by a symlink, or its directory swapped for a link', async () => {
  const ex = new LocalExecutor();
  const hc = healthCheck({ type: 'tcp', port: 1 });
  const a = startGroup('sleep', ['1000']);
  const b = startGroup('sleep', ['1000']);
  try {
    dir.write('swap/run/svc.pid', `${a.pid}\n`);
    const t = target('a', { health_check: hc, pid_file: 'swap/run/svc.pid' }, dir.path);
    assert.equal(readPidFile(dir.join('swap/run/svc.pid')), a.pid);
    assert.equal(await ex.probePid(t), 'alive');
    // Rewritten in place (same inode) with another pid: the new pid, not the one remembered.
    writeFileSync(dir.join('swap/run/svc.pid'), `${b.pid}\n`);
    assert.equal(readPidFile(dir.join('swap/run/svc.pid')), b.pid);
    // The last component replaced by a symlink to a file naming a live pid: refused, as on a first read.
    dir.write('elsewhere/target.pid', `${a.pid}\n`);
    renameSync(dir.join('swap/run/svc.pid'), dir.join('swap/run/old.pid'));
    symlinkSync(dir.join('elsewhere/target.pid'), dir.join('swap/run/svc.pid'));
    assert.equal(typeof readPidFile(dir.join('swap/run/svc.pid')), 'string', 'a symlinked pid file is refused');
    assert.equal(await ex.probePid(t), 'unknown');
    // A regular file again, read; then its directory swapped for a symlink to a dir holding the same name.
    rmSync(dir.join('swap/run/svc.pid'));
    writeFileSync(dir.join('swap/run/svc.pid'), `${a.pid}\n`);
    assert.equal(readPidFile(dir.join('swap/run/svc.pid')), a.pid);
    dir.write('elsewhere/svc.pid', `${b.pid}\n`);
    renameSync(dir.join('swap/run'), dir.join('swap/run.old'));
    symlinkSync(dir.join('elsewhere'), dir.join('swap/run'));
    // What a first, safe read of the path says now (root's own link in root's dir is followed; any other is refused), never the pid remembered.
    assert.equal(readPidFile(dir.join('swap/run/svc.pid')), freshRead(dir.join('swap/run/svc.pid')));
    assert.notEqual(readPidFile(dir.join('swap/run/svc.pid')), a.pid);
    // Gone: ENOENT, not the pid remembered.
    rmSync(dir.join('swap/run'));
    assert.equal(readPidFile(dir.join('swap/run/svc.pid')), 'ENOENT');
  } finally {
    await a.kill();
    await b.kill();
  }
});

/** What readPidFile says of a path it has never read. */
function freshRead(file: string): number | string {
  try {
    const buf = readSafe(file, 64);
    return buf === null ? 'ENOENT' : (parsePid(buf.toString('latin1')) ?? 'no pid in it');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
}

test('the held /proc/PID/stat descriptor: a frozen process is stopped, a zombie dead, and a reused pid is never read through the old descriptor', async () => {
  const p = startGroup('sleep', ['1000']);
  try {
    assert.equal(await probePid(p.pid), 'alive');
    process.kill(p.pid, 'SIGSTOP');
    await waitFor(async () => (await probePid(p.pid)) === 'stopped', { timeoutMs: 10_000, what: 'stopped through the held descriptor' });
    process.kill(p.pid, 'SIGCONT');
    await waitFor(async () => (await probePid(p.pid)) === 'alive', { timeoutMs: 10_000, what: 'alive again' });
    process.kill(p.pid, 'SIGKILL');
    await waitFor(async () => (await probePid(p.pid)) === 'dead', { timeoutMs: 10_000, what: 'dead once killed (zombie or reaped)' });
  } finally {
    await p.kill();
  }
  // A process probed and gone, then a new one probed: each read answers for its own process.
  const q = startGroup('sleep', ['1000']);
  try {
    assert.equal(await probePid(q.pid), 'alive');
  } finally {
    await q.kill();
  }
});
