import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolvePaths } from '../../../src/cli/paths.js';
import { readStatus } from '../../../src/cli/status-source.js';
import { isVaiProcess } from '../../../src/cli/daemon/lock.js';
import { isVaiError, type VaiError } from '../../../src/errors.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { writeStateDir } from '../../fixtures/status/state-dir.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/status/${name}`, import.meta.url), 'utf8');

function thrown(fn: () => unknown): VaiError {
  try {
    fn();
  } catch (e) {
    if (isVaiError(e)) return e;
    throw e;
  }
  assert.fail('expected a VaiError');
}

test('no status file and no vaid: says so and how to start it', (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const paths = resolvePaths({ 'state-dir': dir.join('state'), manifests: dir.join('m') }, {}, dir.path);
  const e = thrown(() => readStatus(paths, Date.now()));
  assert.equal(e.code, 'VAI_E_STATUS_MISSING');
  assert.match(e.message, /no status file at .*status\.json: vaid is not running\. Start it: vaid --manifests .*\/m --state-dir .*\/state$/);
});

// A stand-in for vaid: a live process whose command line names vaid, as the lock check wants.
function fakeVaid(t: { after(fn: () => void): void }): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)', 'fake-vaid'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  return child.pid!;
}

test('no status file but a live vaid in the lock: says it is running and to wait', (t) => {
  const pid = fakeVaid(t);
  const dir = testdir({ 'state/vaid.lock': `${JSON.stringify({ pid })}\n` });
  t.after(() => dir.remove());
  const paths = resolvePaths({ 'state-dir': dir.join('state') }, {}, dir.path);
  const e = thrown(() => readStatus(paths, Date.now()));
  assert.match(e.message, new RegExp(`vaid is running \\(pid ${pid}\\) but has not written its first status yet`));
});

test('a status whose vaid is gone is read, with a warning that names the dead pid and the start command', (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const child = spawn(process.execPath, ['-e', '0']);
  const deadPid = child.pid!;
  writeStateDir(dir.join('state'), { lockPid: deadPid });
  const paths = resolvePaths({ 'state-dir': dir.join('state') }, {}, dir.path);
  return waitFor(() => !isVaiProcess(deadPid), { what: 'the child to exit' }).then(() => {
    const snap = readStatus(paths, Date.now());
    assert.equal(snap.daemon.running, false);
    assert.match(snap.staleWarning ?? '', new RegExp(`vaid is not running \\(pid ${deadPid} is gone\\); .* is not being updated\\. Start it: vaid --manifests `));
    assert.equal(Object.keys(snap.doc.services).length, 8);
  });
});

test('a live vaid pid in the lock means no warning; an unrelated live pid (reused) does not count', (t) => {
  const pid = fakeVaid(t);
  const dir = testdir();
  t.after(() => dir.remove());
  writeStateDir(dir.join('state'), { lockPid: pid });
  const snap = readStatus(resolvePaths({ 'state-dir': dir.join('state') }, {}, dir.path), Date.now());
  assert.deepEqual(snap.daemon, { running: true, pid });
  assert.equal(snap.staleWarning, null);
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => other.kill('SIGKILL'));
  writeStateDir(dir.join('state'), { lockPid: other.pid! });
  assert.equal(readStatus(resolvePaths({ 'state-dir': dir.join('state') }, {}, dir.path), Date.now()).daemon.running, false);
});

test('a newer format is refused, naming both versions', (t) => {
  const dir = testdir({ 'state/status.json': fixture('future-format.json') });
  t.after(() => dir.remove());
  const e = thrown(() => readStatus(resolvePaths({ 'state-dir': dir.join('state') }, {}, dir.path), Date.now()));
  assert.equal(e.code, 'VAI_E_STATUS_VERSION');
  assert.match(e.message, /has formatVersion 2 \(written by vaid 0\.9\.0\); this vaictl reads formatVersion 1\. Upgrade vaictl/);
});

test('a truncated file and a wrong field are reported with the file and the field path', (t) => {
  const dir = testdir({ 'state/status.json': fixture('truncated.json') });
  t.after(() => dir.remove());
  const paths = resolvePaths({ 'state-dir': dir.join('state') }, {}, dir.path);
  assert.match(thrown(() => readStatus(paths, Date.now())).message, /status\.json is not valid JSON/);
  const doc = JSON.parse(fixture('demo.json'));
  doc.services.redis.counters.checks = 'many';
  writeFileSync(paths.statusFile, JSON.stringify(doc));
  const e = thrown(() => readStatus(paths, Date.now()));
  assert.equal(e.code, 'VAI_E_STATUS_INVALID');
  assert.match(e.message, /status\.json: services\.redis\.counters\.checks: expected an integer >= 0, got "many"$/);
});

test('a zombie in the lock is not a running vaid: /proc state Z counts as dead, as DESIGN.md warns', async (t) => {
  // The background sleep exits after its parent shell has exec'd into `sleep 60`, which never reaps it: a real zombie.
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => parent.kill('SIGKILL'));
  const zombie = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  await waitFor(() => {
    const stat = readFileSync(`/proc/${zombie}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  }, { what: 'the child to become a zombie' });
  const dir = testdir();
  t.after(() => dir.remove());
  writeStateDir(dir.join('state'), { lockPid: zombie });
  const snap = readStatus(resolvePaths({ 'state-dir': dir.join('state') }, {}, dir.path), Date.now());
  assert.equal(snap.daemon.running, false);
  assert.match(snap.staleWarning ?? '', new RegExp(`pid ${zombie} is gone`));
});

test('a damaged document names each wrong field, by the writer\'s schema', () => {
  const dir = testdir({ 'state/status.json': fixture('demo.json') });
  const paths = resolvePaths({ 'state-dir': dir.join('state') }, {}, dir.path);
  try {
    const doc = JSON.parse(fixture('demo.json')) as { services: Record<string, { conditions: unknown[]; restarts: unknown; phase: unknown }> };
    const [name, s] = Object.entries(doc.services)[0]!;
    s.conditions = [{ type: ['nested'] }];
    s.restarts = 'many';
    s.phase = 'Sleeping';
    writeFileSync(paths.statusFile, JSON.stringify(doc));
    const e = thrown(() => readStatus(paths, Date.now()));
    assert.equal(e.code, 'VAI_E_STATUS_INVALID');
    assert.match(e.message, new RegExp(`services\\.${name}\\.restarts: expected an object, got "many"`));
    assert.match(e.message, new RegExp(`services\\.${name}\\.conditions\\.0\\.type: expected a string, got \\["nested"\\]`));
    assert.match(e.message, new RegExp(`services\\.${name}\\.phase: expected "Healthy", "Recovering", .* or "Unknown", got "Sleeping"`));
  } finally {
    dir.remove();
  }
});
