// A real vaid writing history.db while it checks real HTTP services, killed with SIGKILL at
// random moments, batches every 100 ms so most kills land while one is being written: each
// time the database opens and passes integrity_check, every check of the last committed batch
// is still there, and status.json still validates. Then vaictl history, report, describe and
// get -o wide read what it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { freePort, httpServiceManifest, killPidFiles, pidIn, startService, startVaid, VAICTL_BIN, type VaidProcess } from '../support/vaid.js';
import { historyFile, openReader } from '../../src/history/database.js';

function committed(stateDir: string): { checks: number; lastWrite: number } | null {
  let db;
  try {
    db = openReader(historyFile(stateDir));
  } catch {
    return null;
  }
  try {
    const checks = Number(db.prepare('SELECT coalesce(sum(checks), 0) FROM minutes').pluck().get());
    const lastWrite = Number(db.prepare("SELECT value FROM meta WHERE key = 'last_write_ms'").pluck().get() ?? 0);
    return { checks, lastWrite };
  } finally {
    db.close();
  }
}

test('kill -9 of vaid in the middle of history batches: the database opens, nothing committed is lost, status.json is unaffected', async () => {
  const dir = testdir({}, 'vai-history-');
  const run = dir.join('run');
  mkdirSync(run, { recursive: true });
  const vaids: VaidProcess[] = [];
  try {
    const ports = [await freePort(), await freePort()];
    await startService('alpha', ports[0]!, run);
    await startService('beta', ports[1]!, run);
    dir.write('manifests/s.yaml', [httpServiceManifest({ name: 'alpha', port: ports[0]!, runDir: run }), httpServiceManifest({ name: 'beta', port: ports[1]!, runDir: run })].join('\n---\n'));
    const stateDir = dir.join('state');
    const start = async () => {
      const v = await startVaid({ manifests: dir.join('manifests'), stateDir, env: { VAI_HISTORY_FLUSH_MS: '100' } });
      vaids.push(v);
      return v;
    };
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 4; round++) {
      const vaid = await start();
      await vaid.waitForService('alpha', (s) => s.phase === 'Healthy', 'alpha healthy');
      const before = committed(stateDir)?.lastWrite ?? 0;
      const seen = await waitFor(() => {
        const c = committed(stateDir);
        return c && c.lastWrite > before && c.checks > 0 ? c : null;
      }, { what: 'a history batch committed by this vaid', timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, Math.floor(random() * 450)));
      await vaid.kill9();
      const after = committed(stateDir);
      assert.ok(after, `round ${round}: the database opens after kill -9`);
      assert.ok(after.checks >= seen.checks, `round ${round}: ${after.checks} checks after the kill, ${seen.checks} committed before it`);
      assert.ok(after.lastWrite >= seen.lastWrite);
      const db = openReader(historyFile(stateDir));
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      db.close();
      const doc = vaid.readStatus();
      assert.ok(doc && doc.services.alpha && doc.services.beta, 'status.json is there and validates');
    }
    // One outage seen through the whole chain: kill a service, vaid restarts it, history has the incident.
    const vaid = await start();
    await vaid.waitForService('beta', (s) => s.phase === 'Healthy', 'beta healthy');
    const restarts = vaid.readStatus()!.services.beta!.restarts.count;
    process.kill(pidIn(`${run}/beta.pid`)!, 'SIGKILL');
    await vaid.waitForService('beta', (s) => s.restarts.count > restarts && s.phase === 'Healthy', 'beta restarted');
    const env = { ...process.env, VAI_STATE_DIR: stateDir, VAI_MANIFESTS: dir.join('manifests'), NO_COLOR: '1' };
    const history = await waitFor(() => {
      const out = JSON.parse(execFileSync(process.execPath, [VAICTL_BIN, 'history', 'beta', '--since', '1h', '-o', 'json'], { env, encoding: 'utf8' })) as { items: { closedBy: string | null; restarts: number }[] };
      return out.items.find((i) => i.closedBy === 'recovery' && i.restarts >= 1) ? out : null;
    }, { what: 'the incident of beta in vaictl history', timeoutMs: 30_000 });
    assert.equal(history.items[0]!.closedBy, 'recovery');
    const table = execFileSync(process.execPath, [VAICTL_BIN, 'history', '--since', '1h'], { env, encoding: 'utf8' });
    assert.match(table, /^OPENED\s+SERVICE\s+DURATION\s+CLOSED BY\s+CAUSE\s+VAI DID\s+ALERTS/);
    assert.match(table, /beta .* recovery .*ECONNREFUSED|beta .* recovery .*ECONNRESET|beta .* recovery /);
    const report = JSON.parse(execFileSync(process.execPath, [VAICTL_BIN, 'report', '--since', '1h', '-o', 'json'], { env, encoding: 'utf8' })) as { services: { service: string; checks: number; restarts: number }[] };
    assert.ok(report.services.find((s) => s.service === 'beta')!.restarts >= 1);
    assert.ok(report.services.find((s) => s.service === 'alpha')!.checks > 0);
    const describe = execFileSync(process.execPath, [VAICTL_BIN, 'describe', 'beta'], { env, encoding: 'utf8' });
    assert.match(describe, /^Uptime:\s+24h \d+(\.\d+)?% · 7d \d+(\.\d+)?% · 30d \d+(\.\d+)?%$/m);
    assert.match(describe, /^Latency \(24h\):\s+p50 [\d.]+ ms p95 [\d.]+ ms/m);
    assert.match(describe, /^Incidents \(7d\):\s+\d+, MTTR [\d.]+ s$/m);
    const wide = execFileSync(process.execPath, [VAICTL_BIN, 'get', '-o', 'wide'], { env, encoding: 'utf8' });
    assert.match(wide.split('\n')[0]!, /\bUPTIME\b/);
    assert.match(wide, /^beta .* \d+(\.\d+)?%(\s|$)/m);
    await vaid.stop();
  } finally {
    for (const v of vaids) await v.kill9();
    killPidFiles(run);
    dir.remove();
  }
});
