// disk, file and system checks against real parts: a tmpfs of a few MB that the test fills, files
// with set mtimes and content, and this host's own /proc with thresholds set to trip.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { LocalExecutor } from '../../../../src/executor/local-executor.js';
import { judgeSystem, parseMeminfo } from '../../../../src/executor/checks/system.js';
import type { HealthCheck } from '../../../../src/manifest/schema.js';
import { healthCheck, target } from '../target.js';
import { testdir } from '../../../support/testdir.js';

const dir = testdir();
const exec = new LocalExecutor();
after(async () => {
  await exec.close();
  dir.remove();
});
const check = (hc: Partial<HealthCheck> & Pick<HealthCheck, 'type'>) => exec.check(target('svc', { health_check: healthCheck(hc), restart_cmd: 'true' }, dir.path));

function canMount(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  return null;
}

test('disk: a tmpfs filled past min_free_mb is DiskFull with the figures; emptied, healthy again', { skip: process.env.CI ? false : canMount() ?? false }, () => {
  const mnt = dir.join('tmpfs');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,nr_inodes=64', 'tmpfs', mnt]);
  try {
    return (async () => {
      const ok = await check({ type: 'disk', path: mnt, min_free_mb: 2, min_free_inodes_percent: 10 });
      assert.equal(ok.health, 'healthy', ok.message);
      assert.match(ok.message, /^4 MB free of 4 MB \(100 %\) on .*tmpfs, [\d.]+ % of 64 inodes free$/);
      writeFileSync(`${mnt}/fill`, Buffer.alloc(3 * 1024 * 1024));
      const full = await check({ type: 'disk', path: mnt, min_free_mb: 2 });
      assert.equal(full.health, 'unhealthy');
      assert.equal(full.reason, 'DiskFull');
      assert.match(full.message, /^1 MB free of 4 MB \(25 %\) on .*tmpfs, below min_free_mb 2 MB$/);
      const pct = await check({ type: 'disk', path: mnt, min_free_percent: 50 });
      assert.equal(pct.reason, 'DiskFull');
      assert.match(pct.message, /below min_free_percent 50 %/);
      for (let i = 0; i < 60; i++) writeFileSync(`${mnt}/f${i}`, '');
      const inodes = await check({ type: 'disk', path: mnt, min_free_inodes_percent: 10 });
      assert.equal(inodes.reason, 'InodesExhausted', inodes.message);
      assert.match(inodes.message, /^\d of 64 inodes free \([\d.]+ %\) on .*, below min_free_inodes_percent 10 %$/);
      execFileSync('sh', ['-c', `rm -f "${mnt}"/*`]);
      assert.equal((await check({ type: 'disk', path: mnt, min_free_mb: 2, min_free_inodes_percent: 10 })).health, 'healthy');
    })().finally(() => execFileSync('umount', [mnt]));
  } catch (e) {
    execFileSync('umount', [mnt]);
    throw e;
  }
});

test('disk: a path that does not exist is unknown (vai cannot see), not DiskFull', async () => {
  const r = await check({ type: 'disk', path: dir.join('nope'), min_free_mb: 1 });
  assert.equal(r.health, 'unknown');
  assert.match(r.message, /cannot read the filesystem of .*nope/);
});

test('file: age, size and sha256 against a real file with a set mtime', async () => {
  const f = dir.write('backup.tar', 'x'.repeat(100));
  const now = Date.now();
  utimesSync(f, new Date(now - 3600_000), new Date(now - 3600_000));
  const fresh = await check({ type: 'file', path: 'backup.tar', max_age_seconds: 7200, min_size_bytes: 10 });
  assert.equal(fresh.health, 'healthy', fresh.message);
  assert.match(fresh.message, /backup\.tar: 100 bytes, modified .* \(60 min ago\)$/);
  const old = await check({ type: 'file', path: 'backup.tar', max_age_seconds: 1800 });
  assert.equal(old.reason, 'FileTooOld');
  assert.match(old.message, /older than max_age_seconds 1800$/);
  const small = await check({ type: 'file', path: 'backup.tar', min_size_bytes: 1000 });
  assert.equal(small.reason, 'FileTooSmall');
  const sum = createHash('sha256').update('x'.repeat(100)).digest('hex');
  assert.equal((await check({ type: 'file', path: 'backup.tar', sha256: sum.toUpperCase() })).health, 'healthy');
  const changed = await check({ type: 'file', path: 'backup.tar', sha256: '0'.repeat(64) });
  assert.equal(changed.reason, 'ChecksumMismatch');
  assert.match(changed.message, new RegExp(`sha256 ${sum} is not the expected 0{64}`));
  const missing = await check({ type: 'file', path: 'gone.tar', max_age_seconds: 60 });
  assert.deepEqual([missing.health, missing.reason], ['unhealthy', 'FileMissing']);
});

test('file: a symlink or a FIFO planted at the path is not followed or opened for reading', async () => {
  dir.write('secret', 'root only');
  symlinkSync(dir.join('secret'), dir.join('link'));
  const link = await check({ type: 'file', path: 'link', sha256: '0'.repeat(64) });
  assert.equal(link.health, 'unknown');
  assert.match(link.message, /symbolic link/);
  execFileSync('mkfifo', [dir.join('fifo')]);
  const fifo = await check({ type: 'file', path: 'fifo', sha256: '0'.repeat(64) });
  assert.equal(fifo.health, 'unknown');
  assert.match(fifo.message, /not a regular file/);
});

test('system: thresholds set to trip on this host give LoadHigh / MemoryLow with the figures', async () => {
  const ok = await check({ type: 'system', max_load_per_core: 1000, min_available_memory_percent: 0 });
  assert.equal(ok.health, 'healthy', ok.message);
  assert.match(ok.message, /^load [\d.]+ on \d+ cores \([\d.]+ per core\), \d+ MB of \d+ MB available \([\d.]+ %\), (swap [\d.]+ % used|no swap)$/);
  const load = await check({ type: 'system', max_load_per_core: 0 });
  // A load of exactly 0.00 cannot trip "> 0"; this shared machine is never that idle.
  assert.equal(load.reason, 'LoadHigh', load.message);
  assert.match(load.message, /^load per core [\d.]+ > 0: load /);
  const mem = await check({ type: 'system', min_available_memory_percent: 100 });
  assert.equal(mem.reason, 'MemoryLow');
  assert.match(mem.message, /^available memory [\d.]+ % < 100 %: /);
  const mb = await check({ type: 'system', min_available_memory_mb: 1e9 });
  assert.equal(mb.reason, 'MemoryLow');
});

test('system: swap use past max_swap_used_percent is SwapHigh (figures of a host with swap; this one has none)', () => {
  const meminfo = 'MemTotal:        2000000 kB\nMemFree:          100000 kB\nMemAvailable:     900000 kB\nSwapTotal:       1048576 kB\nSwapFree:         262144 kB\n';
  const f = { load1: 0.5, cores: 2, ...parseMeminfo(meminfo) };
  const r = judgeSystem(healthCheck({ type: 'system', max_swap_used_percent: 50 }), f, 1);
  assert.equal(r.reason, 'SwapHigh');
  assert.equal(r.message, 'swap 75.0 % used > 50 %: load 0.50 on 2 cores (0.25 per core), 879 MB of 1953 MB available (45.0 %), swap 75.0 % used');
  assert.equal(judgeSystem(healthCheck({ type: 'system', max_swap_used_percent: 80 }), f, 1).health, 'healthy');
  const none = judgeSystem(healthCheck({ type: 'system', max_swap_used_percent: 0 }), { ...f, swapTotalKb: 0, swapFreeKb: 0 }, 1);
  assert.equal(none.health, 'healthy', 'no swap is no swap in use');
  assert.match(none.message, /, no swap$/);
});
