// Issue 16 finding 11 with a real vaid: a notification server that answers a redirect loses
// the alert (redirects are rightly not followed), so it must show as a configuration error in
// status.json and in /healthz, and a Notifier server that is not http(s) is refused at load
// time, by `vaictl validate` as by vaid, with file:line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { startNtfyServer } from '../support/ntfy-server.js';
import { testdir } from '../support/testdir.js';
import { writeUnrecoverableService } from '../support/unrecoverable-service.js';
import { freePort, startVaid, VAICTL_BIN } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('a 301 from the ntfy server: the alert is failed, status and /healthz name the misconfigured Notifier', async (t) => {
  const dir = testdir({}, 'vai-notify-301-');
  const server = await startNtfyServer();
  let vaid: Awaited<ReturnType<typeof startVaid>> | undefined;
  // node:test runs after-hooks first in, first out: stop vaid before its state dir goes.
  t.after(async () => {
    await vaid?.stop();
    await server.close();
    dir.remove();
  });
  await server.setMode({ type: 'status', status: 301, location: 'https://ntfy.example.org/khali-vps-alerts', body: '' });
  writeUnrecoverableService(dir, { deadPort: await freePort(), ntfyUrl: server.url, topic: 'khali-vps-alerts' });
  const port = await freePort();
  vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), args: ['--listen', `127.0.0.1:${port}`] });
  const doc = await vaid.waitForStatus((d) => (d.alerts.configErrors?.length ? d : null), 'a configuration error in status', 60_000);
  const ce = doc.alerts.configErrors![0]!;
  assert.equal(ce.notifier, 'alerts');
  assert.match(ce.message, /^HTTP 301.*redirects to https:\/\/ntfy\.example\.org\/khali-vps-alerts; redirects are not followed/);
  assert.equal(doc.alerts.recent.find((r) => r.service === 'minio')?.state, 'failed');
  const h = await waitFor(async () => {
    const r = await get(`http://127.0.0.1:${port}/healthz`).catch(() => null);
    return r && r.status === 503 ? r : null;
  }, { what: '/healthz 503', timeoutMs: 30_000 });
  assert.match(h.body, /^\[-\]notifiers failed: Notifier alerts \(ntfy http:\/\/127\.0\.0\.1:\d+\/khali-vps-alerts\) is misconfigured: HTTP 301/m);
  assert.match(h.body, /^\[\+\]manifests ok$/m);
});

test('a Notifier server that is not http(s) is refused at load time, with its position', async (t) => {
  const dir = testdir({}, 'vai-notify-scheme-');
  t.after(() => dir.remove());
  for (const [name, server] of [['a', 'file:///etc/passwd'], ['b', 'gopher://127.0.0.1:70/x'], ['c', 'javascript:alert(1)']] as const) {
    dir.write(`m/${name}.yaml`, ['apiVersion: vai/v1', 'kind: Notifier', `metadata: { name: ${name} }`, 'spec:', '  type: ntfy', `  server: "${server}"`, ''].join('\n'));
  }
  dir.write('m/hook.yaml', ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: hook }', 'spec:', '  type: webhook', '  url: "file:///tmp/x"', ''].join('\n'));
  const r = spawnSync(process.execPath, [VAICTL_BIN, 'validate', dir.join('m')], { encoding: 'utf8', timeout: 30_000 });
  assert.notEqual(r.status, 0, r.stdout);
  const out = r.stdout + r.stderr;
  for (const [f, scheme] of [['a', 'file:'], ['b', 'gopher:'], ['c', 'javascript:']]) {
    assert.match(out, new RegExp(`${f}\\.yaml:6:11: .*spec\\.server.*must be an http:// or https:// URL .*got ${scheme}`), out);
  }
  assert.match(out, /hook\.yaml:6:8: .*spec\.url.*must be an http:\/\/ or https:\/\/ URL/, out);
});
