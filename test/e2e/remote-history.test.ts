// `vaictl history --context` (issue 21): the incident timeline of another host, read over its
// endpoint (/api/history, the read token) from its real SQLite history, equal to what that host's
// own `vaictl history` prints; and describe --context does not show this host's history for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { freePort, httpServiceManifest, killPidFiles, pidIn, startService, startVaid, VAICTL_BIN, type VaidProcess } from '../support/vaid.js';

const READ = 'read-token-0123456789abcdef';

test('history --context reads the other host\'s incidents over its endpoint with the read token', async () => {
  const dir = testdir({}, 'vai-rhistory-');
  const run = dir.join('run');
  mkdirSync(run, { recursive: true });
  let vaid: VaidProcess | undefined;
  try {
    const [svcPort, webPort] = [await freePort(), await freePort()];
    await startService('beta', svcPort, run);
    dir.write('vps1/manifests/beta.yaml', httpServiceManifest({ name: 'beta', port: svcPort, runDir: run }));
    const tokenFile = dir.write('read.token', `${READ}\n`);
    const stateDir = dir.join('vps1/state');
    vaid = await startVaid({ manifests: dir.join('vps1/manifests'), stateDir, args: ['--listen', `127.0.0.1:${webPort}`, '--web-token-file', tokenFile], env: { VAI_HISTORY_FLUSH_MS: '100' } });
    await vaid.waitForService('beta', (s) => s.phase === 'Healthy', 'beta healthy', 90_000);
    const before = vaid.readStatus()!.services.beta!.restarts.count;
    process.kill(pidIn(`${run}/beta.pid`)!, 'SIGKILL');
    await vaid.waitForService('beta', (s) => s.restarts.count > before && s.phase === 'Healthy', 'beta restarted', 90_000);

    // "Here" is another machine: its own config, no state dir of vps1's.
    const env = { ...process.env, VAI_CONFIG: dir.join('home/config.yaml'), VAI_STATE_DIR: dir.join('here'), NO_COLOR: '1' };
    const vaictl = (...args: string[]) => spawnSync(process.execPath, [VAICTL_BIN, ...args], { encoding: 'utf8', env, timeout: 60_000 });
    assert.equal(vaictl('config', 'set-context', 'vps1', '--server', `http://127.0.0.1:${webPort}`, '--token-file', tokenFile).status, 0);
    assert.equal(vaictl('config', 'set-context', 'notoken', '--server', `http://127.0.0.1:${webPort}`).status, 0);

    type List = { kind: string; items: Array<{ service: string; closedBy: string | null; restarts: number }> };
    const remote = await waitFor(() => {
      const r = vaictl('history', 'beta', '--context', 'vps1', '--since', '1h', '-o', 'json');
      if (r.status !== 0) throw new Error(r.stderr);
      const list = JSON.parse(r.stdout) as List;
      return list.items.some((i) => i.closedBy === 'recovery' && i.restarts >= 1) ? list : null;
    }, { what: 'the incident of beta in vaictl history --context vps1', timeoutMs: 60_000 });
    assert.equal(remote.kind, 'HistoryList');
    // vps1's own vaictl, on its state dir, reads the same incidents from the same database.
    const local = JSON.parse(spawnSync(process.execPath, [VAICTL_BIN, 'history', 'beta', '--since', '1h', '-o', 'json', '--state-dir', stateDir], { encoding: 'utf8', env }).stdout) as List;
    assert.deepEqual(remote.items, local.items);

    const table = vaictl('history', '--context', 'vps1', '--since', '1h');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^OPENED\s+SERVICE\s.*\n\S+ ago\s+beta\s+.*\srecovery\s/);
    const server = vaictl('history', 'beta', '--server', `http://127.0.0.1:${webPort}`, '--since', '1h', '-o', 'json');
    assert.equal(server.status, 1, 'no read token for --server');
    assert.match(server.stderr, /wants a token/);
    const withEnv = spawnSync(process.execPath, [VAICTL_BIN, 'history', 'beta', '--server', `http://127.0.0.1:${webPort}`, '--since', '1h', '-o', 'json'], { encoding: 'utf8', env: { ...env, VAI_WEB_TOKEN_FILE: tokenFile } });
    assert.equal(withEnv.status, 0, withEnv.stderr);
    assert.match(vaictl('history', '--context', 'notoken').stderr, /wants a token: give the context a token-file/);

    const desc = vaictl('describe', 'beta', '--context', 'vps1');
    assert.equal(desc.status, 0, desc.stderr);
    assert.match(desc.stdout, /^History:\s+unavailable: kept on http:\/\/127\.0\.0\.1:\d+: vaictl history NAME with the same --context/m, 'not this host\'s history');
  } finally {
    await vaid?.stop();
    killPidFiles(run);
    dir.remove();
  }
});
