// vaictl alerts, run in-process against real state dirs: one whose outbox a real notifier
// wrote, and one that has only status.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { alertsCommand } from '../../../src/cli/commands/alerts.js';
import { createNotifier, readAlertRecords } from '../../../src/notify/index.js';
import { startNtfyServer } from '../../support/ntfy-server.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { writeStateDir } from '../../fixtures/status/state-dir.js';
import { alert, cleanup } from './fixtures.js';

function sink(): { stream: Writable; text(): string } {
  let out = '';
  const stream = new Writable({
    write(c: Buffer, _e, cb) {
      out += c.toString('utf8');
      cb();
    },
  });
  return { stream, text: () => out };
}

/** A live process whose command line says vai: vaictl judges "vaid running" from the lock as vaid does. */
function fakeVaid(t: { after(fn: () => unknown): void }): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)', 'fake-vaid'], { stdio: 'ignore' });
  cleanup(t, () => child.kill('SIGKILL'));
  return child.pid!;
}

async function run(argv: string[], env: NodeJS.ProcessEnv) {
  const stdout = sink();
  const stderr = sink();
  const code = await alertsCommand.run({ argv, env, stdout: stdout.stream, stderr: stderr.stream, isTTY: false, cwd: '/' });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

test('lists delivered, failed, suppressed and waiting alerts from the outbox, without the token', async (t) => {
  const dir = testdir();
  const server = await startNtfyServer();
  cleanup(t, async () => {
    await server.close();
    dir.remove();
  });
  const stateDir = dir.join('state');
  writeStateDir(stateDir, { lockPid: fakeVaid(t) });
  const token = 'tk_alerts_cmd_secret_123';
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir: `${stateDir}/outbox`, env: { VAI_NTFY_URL: `http://u:pw@127.0.0.1:${server.port}`, VAI_NTFY_TOKEN: token } });
  cleanup(t, () => n.close());
  await n.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(() => n.snapshot().recent[0]?.state === 'delivered');
  await n.submit(alert('minio', 'recovery-failed', 2));
  await server.setMode({ type: 'refuse' });
  await n.submit(alert('redis', 'crash-loop', 1));
  // vaictl reads the files, which lag the in-memory snapshot by one write.
  await waitFor(async () => ((await readAlertRecords(`${stateDir}/outbox`))?.recent.at(-1)?.attempts ?? 0) >= 1);

  const env = { VAI_STATE_DIR: stateDir };
  const table = await run([], env);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^AGE +SERVICE +EVENT +PRIORITY +SINK +TARGET +STATE +ATTEMPTS +LAST ERROR$/);
  assert.match(lines[1]!, /^\S+ +minio +recovery-failed +CRITICAL\(5\) +ntfy +http:\/\/\*\*\*@127\.0\.0\.1:\d+\/alerts +delivered +1 +<none>$/);
  assert.match(lines[2]!, /minio +recovery-failed .* suppressed +0 +cooldown: one recovery-failed per 900 s/);
  assert.match(lines[3]!, /redis +crash-loop .* pending +\d+ +connection refused$/);
  assert.match(table.stdout, /^Outbox: 1 waiting, 0 dropped/m);
  assert.ok(!table.stdout.includes(token) && !table.stdout.includes('pw@'), 'credentials in vaictl output');

  const one = await run(['redis', '-o', 'json'], env);
  const doc = JSON.parse(one.stdout) as { kind: string; outboxSize: number; items: { id: string }[] };
  assert.equal(doc.kind, 'AlertList');
  assert.equal(doc.outboxSize, 1);
  assert.deepEqual(doc.items.map((i) => i.id), ['redis:crash-loop:1']);

  const failed = await run(['--state', 'failed'], env);
  assert.equal(failed.stdout, '');
  assert.match(failed.stderr, /No alerts found/);
  const wide = await run(['-o', 'wide'], env);
  assert.match(wide.stdout.split('\n')[0]!, /TIME +DELIVERED +ID +LAST ERROR$/);
});

test('falls back to status.json when there is no outbox; bad flags are usage errors', async (t) => {
  const dir = testdir();
  cleanup(t, () => dir.remove());
  const stateDir = dir.join('state');
  writeStateDir(stateDir, { lockPid: fakeVaid(t) });
  const r = await run([], { VAI_STATE_DIR: stateDir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /redis +crash-loop +CRITICAL\(5\) +ntfy +alerts +delivered +1 +<none>/);
  await assert.rejects(run(['--state', 'lost'], { VAI_STATE_DIR: stateDir }), /unknown state "lost"/);
  await assert.rejects(run(['-o', 'name'], { VAI_STATE_DIR: stateDir }), /-o name is not available/);
});

test('no status file and no outbox: the status-missing error (exit 4 at the edge)', async (t) => {
  const dir = testdir();
  cleanup(t, () => dir.remove());
  await assert.rejects(run([], { VAI_STATE_DIR: dir.join('nothing') }), (e: { code?: string }) => e.code === 'VAI_E_STATUS_MISSING');
});
