// The state-dir lock with real processes: flock(1) holding the file, a pid reused by a process
// whose command line says "vaid", and several processes taking a stale lock at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { acquireLock, lockIsHeld } from '../../../../src/status/state-dir/lock.js';
import { isVaiError } from '../../../../src/errors.js';
import { testdir } from '../../../support/testdir.js';
import { waitFor } from '../../../support/wait.js';
import { ROOT } from '../../../support/vaid.js';

function exited(c: ChildProcess): Promise<void> {
  return c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));
}

test('a lock held by a live process (flock) is refused; once that process dies it is taken, and release removes it', async (t) => {
  const dir = testdir({}, 'vai-lock-');
  t.after(() => dir.remove());
  const file = dir.join('vaid.lock');
  writeFileSync(file, '');
  // flock(1) forks sleep, which inherits the locked descriptor: the whole group is the holder.
  const holder = spawn('flock', ['-x', file, 'sleep', '60'], { stdio: 'ignore', detached: true });
  const killHolder = () => {
    try {
      process.kill(-holder.pid!, 'SIGKILL');
    } catch {
      // Gone already.
    }
  };
  t.after(killHolder);
  await waitFor(() => lockIsHeld(file) === true, { what: 'flock(1) to hold the lock' });
  assert.throws(() => acquireLock(file), (e: unknown) => isVaiError(e, 'VAI_E_LOCKED') && /holds/.test(e.message));
  killHolder();
  await exited(holder);
  await waitFor(() => lockIsHeld(file) === false, { what: 'the lock to be free once its holders died' });
  const lock = acquireLock(file);
  assert.equal(readFileSync(file, 'utf8'), `${process.pid}\n`, 'the pid is written for people to read');
  assert.equal(lockIsHeld(file), true);
  lock.release();
  assert.equal(existsSync(file), false);
});

test('a stale lock whose pid now runs another program with "vaid" in its command line is taken (pid reuse)', async (t) => {
  const dir = testdir({}, 'vai-lock-');
  t.after(() => dir.remove());
  // Like `journalctl -u vaid -f` of any user: alive, "vaid" in the command line, holding no lock.
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'journalctl', '-u', 'vaid', '-f'], { stdio: 'ignore' });
  t.after(() => other.kill('SIGKILL'));
  await waitFor(() => existsSync(`/proc/${other.pid}/cmdline`) && readFileSync(`/proc/${other.pid}/cmdline`, 'utf8').includes('vaid'), { what: 'stand-in in /proc' });
  const file = dir.join('vaid.lock');
  writeFileSync(file, `${other.pid}\n`);
  const lock = acquireLock(file);
  assert.equal(readFileSync(file, 'utf8'), `${process.pid}\n`);
  lock.release();
});

test('several processes taking one stale lock at once: exactly one holds it, every round', async (t) => {
  const dir = testdir({}, 'vai-lock-');
  t.after(() => dir.remove());
  const file = dir.join('vaid.lock');
  const mod = path.join(ROOT, 'src/status/state-dir/lock.ts');
  // Each contender loads the module, says "ready", waits for "go" (all start together), then
  // prints "got" or "busy" and holds what it got until its stdin closes.
  const script = `import(${JSON.stringify(mod)}).then((m) => { process.stdout.write('ready\\n'); process.stdin.once('data', () => { let r = 'busy'; try { m.acquireLock(${JSON.stringify(file)}); r = 'got'; } catch (e) { if (e.code !== 'VAI_E_LOCKED') r = 'error ' + e.message; } process.stdout.write(r + '\\n'); process.stdin.on('end', () => process.exit(0)); }); });`;
  const ROUNDS = 10;
  const CONTENDERS = 4;
  for (let round = 0; round < ROUNDS; round++) {
    writeFileSync(file, '999999\n');
    const kids = Array.from({ length: CONTENDERS }, () => spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] }));
    try {
      const outs = kids.map(() => '');
      kids.forEach((k, i) => k.stdout!.on('data', (d: Buffer) => (outs[i] += d.toString())));
      await waitFor(() => outs.every((o) => o.startsWith('ready\n')), { what: `round ${round}: every contender loaded`, timeoutMs: 60_000 });
      for (const k of kids) k.stdin!.write('go\n');
      await waitFor(() => outs.every((o) => o.split('\n').length >= 3), { what: `round ${round}: every contender to answer`, timeoutMs: 60_000 });
      const answers = outs.map((o) => o.split('\n')[1]!);
      const got = answers.filter((o) => o === 'got').length;
      assert.deepEqual(answers.filter((o) => o.startsWith('error')), []);
      assert.equal(got, 1, `round ${round}: ${got} holders at once (${outs.map((o) => o.trim()).join(', ')})`);
    } finally {
      for (const k of kids) k.kill('SIGKILL');
      await Promise.all(kids.map(exited));
    }
  }
});
