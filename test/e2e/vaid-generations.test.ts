// Generations only grow and every applied service is in status at once (issue 15): a real vaid
// on real manifest files, restarted on the same state dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { testdir } from '../support/testdir.js';
import { startVaid, VAICTL_BIN } from '../support/vaid.js';

function manifest(name: string, interval: number, extra = ''): string {
  return [
    'apiVersion: vai/v1',
    'kind: Service',
    `metadata: { name: ${name} }`,
    'spec:',
    `  health_check: { type: custom, command: "true", interval_seconds: ${interval} }`,
    `  restart_cmd: "true"${extra}`,
    '',
  ].join('\n');
}

test('a restart of vaid on unchanged manifests keeps the generation and records no SpecChanged', async () => {
  const dir = testdir({ 'manifests/a.yaml': manifest('a', 0.5), 'manifests/b.yaml': manifest('b', 0.5) }, 'vai-gen-');
  const args = { manifests: dir.join('manifests'), stateDir: dir.join('state') };
  try {
    let vaid = await startVaid(args);
    try {
      await vaid.waitForService('a', (s) => s.phase === 'Healthy', 'a Healthy');
      dir.write('manifests/a.yaml', manifest('a', 0.5, '\n  stop_cmd: "true"'));
      await vaid.waitForService('a', (s) => s.generation === 2 && s.observedGeneration === 2, 'a at generation 2');
    } finally {
      await vaid.stop();
    }
    const before = vaid.readStatus()!;
    assert.equal(before.manifests.generation, 2);
    const specChanged = (doc: typeof before, name: string) => doc.services[name]!.events.filter((e) => e.reason === 'SpecChanged').reduce((n, e) => n + e.count, 0);
    vaid = await startVaid(args);
    try {
      // Two checks of each service by the new vaid: it has planned both with the specs it loaded.
      const after = await vaid.waitForStatus((d) => d.vaid.pid === vaid.pid && ['a', 'b'].every((n) => d.services[n]!.counters.checks >= before.services[n]!.counters.checks + 2) && d, 'checks by the second vaid');
      assert.equal(after.manifests.generation, 2, 'the desired state keeps generation 2');
      assert.equal(after.services.a!.generation, 2);
      assert.equal(after.services.b!.generation, 1);
      assert.equal(specChanged(after, 'a'), specChanged(before, 'a'), 'no SpecChanged for a');
      assert.equal(specChanged(after, 'b'), specChanged(before, 'b'), 'no SpecChanged for b');
      assert.ok(!vaid.stdout().includes('SpecChanged'), 'nothing logged as SpecChanged');
    } finally {
      await vaid.stop();
    }
  } finally {
    dir.remove();
  }
});

test('vaictl get lists every applied service right after vaid is up, before their first checks', async () => {
  const names = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];
  const dir = testdir(Object.fromEntries(names.map((n) => [`manifests/${n}.yaml`, manifest(n, 60)])), 'vai-get8-');
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') });
  try {
    // "Up": the first status document of this vaid is on disk.
    await vaid.waitForStatus((d) => d.vaid.pid === vaid.pid, 'the first status write');
    const out = execFileSync(process.execPath, [VAICTL_BIN, 'get', '-o', 'name', '--state-dir', dir.join('state')], { encoding: 'utf8' });
    assert.deepEqual(out.trim().split('\n').map((l) => l.replace(/^service\//, '')).sort(), names);
    const doc = vaid.readStatus()!;
    for (const n of names) {
      const s = doc.services[n]!;
      if (s.lastCheck) continue; // checked already (a loaded machine): then it is simply there
      assert.equal(s.phase, 'Unknown');
      assert.equal(s.conditions.find((c) => c.type === 'Healthy')?.reason, 'NotCheckedYet');
      assert.ok(s.nextCheckAt, `${n} has its next check time`);
    }
  } finally {
    await vaid.stop();
    dir.remove();
  }
});
