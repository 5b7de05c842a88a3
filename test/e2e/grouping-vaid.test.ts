// Grouping end to end: three real services watched by a real vaid are killed within a second;
// their Recovery Failed notices reach the real ntfy-like server in test/support as one message
// with the count in the title and all three named, and each alert's record says delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { testdir } from '../support/testdir.js';
import { startNtfyServer } from '../support/ntfy-server.js';
import { freePort, httpServiceManifest, killPidFiles, startService, startVaid } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

const NAMES = ['minio', 'api', 'web'];

test('three services failing within a second: one grouped message naming all three', { timeout: 240_000 }, async (t) => {
  const dir = testdir({}, 'vai-group-e2e-');
  const server = await startNtfyServer();
  const run = dir.join('run');
  dir.write('run/.keep', '');
  const vaids: Array<{ stop(): Promise<unknown> }> = [];
  t.after(async () => {
    for (const v of vaids) await v.stop();
    killPidFiles(run);
    await server.close();
    dir.remove();
  });
  const pids: number[] = [];
  for (const name of NAMES) {
    const port = await freePort();
    // The restart does nothing: each attempt fails, so each service sends Recovery Failed.
    dir.write(
      `manifests/${name}.yaml`,
      httpServiceManifest({ name, port, runDir: run, interval: 0.5, startupDelay: 1, restartCmd: `echo tried >> ${run}/${name}.tries`, extra: '  max_failures: 1000\n  notify_on_fail: alerts\n' }),
    );
    pids.push(await startService(name, port, run));
  }
  // A wait longer than the default 5 s: the alerts are decided by a loaded machine's reconciles.
  dir.write('manifests/alerts.yaml', ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: alerts }', 'spec:', '  type: ntfy', `  server: ${server.url}`, '  topic: ops', '  group_wait_seconds: 15', ''].join('\n'));
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') });
  vaids.push(vaid);
  await vaid.waitForStatus((d) => NAMES.every((n) => d.services[n]?.phase === 'Healthy'), 'all three Healthy', 90_000);

  for (const pid of pids) process.kill(pid, 'SIGKILL');
  const doc = await vaid.waitForStatus(
    (d) => {
      const recs = NAMES.map((n) => d.alerts.recent.find((r) => r.service === n && r.kind === 'recovery-failed'));
      return recs.every((r) => r?.state === 'delivered') ? d : null;
    },
    'the three Recovery Failed records delivered',
    120_000,
  );
  assert.equal(doc.alerts.outboxSize, 0);
  const failures = server.messages.filter((m) => /failed/i.test(m.title ?? ''));
  assert.equal(failures.length, 1, `one message, got: ${failures.map((m) => m.title).join(' | ')}`);
  const m = failures[0]!;
  assert.equal(m.topic, 'ops');
  assert.equal(m.title, `3 services failed on ${os.hostname()}`);
  const lead = m.message.split('\n')[0]!;
  assert.match(lead, new RegExp(`^3 services failed on ${os.hostname()}: `));
  for (const n of NAMES) {
    assert.ok(lead.includes(n), `the first line names ${n}: ${lead}`);
    assert.match(m.message, new RegExp(`^Service: ${n}$`, 'm'));
  }
  assert.equal(m.priority, 5);
});
