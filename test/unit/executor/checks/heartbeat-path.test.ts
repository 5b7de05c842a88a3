// A heartbeat by touching a file (`path`): the file's mtime is a beat, judged against period +
// grace, beside beats from vaictl heartbeat; a symlink planted at the path is not a beat (its
// target's mtime is no job's), and a --fail beat newer than the touch wins.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { LocalExecutor } from '../../../../src/executor/local-executor.js';
import { writeBeat } from '../../../../src/executor/checks/heartbeat.js';
import { healthCheck, target } from '../target.js';
import { testdir } from '../../../support/testdir.js';

const dir = testdir();
const beats = dir.join('state/heartbeats');
const exec = new LocalExecutor(undefined, beats);
after(async () => {
  await exec.close();
  dir.remove();
});

const check = (name: string, path: string) => exec.check(target(name, { health_check: healthCheck({ type: 'heartbeat', period_seconds: 600, grace_seconds: 60, path }) }, dir.path));
const ago = (s: number) => new Date(Date.now() - s * 1000);

test('a touched file is a beat: recent is healthy, older than period + grace is HeartbeatMissed with its time', async () => {
  writeFileSync(dir.join('backup.done'), '');
  utimesSync(dir.join('backup.done'), ago(30), ago(30));
  const ok = await check('backup', 'backup.done');
  assert.equal(ok.health, 'healthy', ok.message);
  assert.match(ok.message, /^last beat at \S+ \(3\d s ago\)$/);
  utimesSync(dir.join('backup.done'), ago(3600), ago(3600));
  const missed = await check('backup', 'backup.done');
  assert.equal(missed.reason, 'HeartbeatMissed', missed.message);
  assert.match(missed.message, new RegExp(`^last beat at ${ago(3600).toISOString().slice(0, 16)}.* \\(36\\d\\d s ago\\), more than period 600 s \\+ grace 60 s$`));
});

test('a symlink at the path is no beat; a --fail beat newer than the touch makes it HeartbeatFailed', async () => {
  writeFileSync(dir.join('fresh'), '');
  symlinkSync(dir.join('fresh'), dir.join('link.done'));
  const linked = await check('linked', 'link.done');
  assert.notEqual(linked.health, 'healthy', `a link to a fresh file counted as a beat: ${linked.message}`);
  assert.equal(linked.reason, 'AwaitingHeartbeat');

  writeFileSync(dir.join('job.done'), '');
  utimesSync(dir.join('job.done'), ago(60), ago(60));
  await writeBeat(beats, 'job', { at: Date.now(), fail: true, message: 'rsync exit 23' });
  const failed = await check('job', 'job.done');
  assert.equal(failed.reason, 'HeartbeatFailed');
  assert.match(failed.message, /: rsync exit 23$/);
});
