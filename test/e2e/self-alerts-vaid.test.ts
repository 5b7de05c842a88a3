// vai's own failures and the heartbeat, end to end: a real vaid with --notify-self (an ntfy
// topic on the real ntfy server in test/support) and --heartbeat-url (a real HTTP server on
// 127.0.0.1). A real bad manifest lasting past --notify-self-after is told once with its
// file:line:col and turns the pings into URL/fail with the reason; fixing it sends one
// "cleared" and plain pings again. A vaid killed -9 is followed by one "unclean exit" alert
// from the next vaid, and not again after a clean restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { startNtfyServer } from '../support/ntfy-server.js';
import { testdir } from '../support/testdir.js';
import { startVaid } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

interface Ping {
  path: string;
  body: string;
}

async function startPingServer(): Promise<{ url: string; pings: Ping[]; close(): Promise<void> }> {
  const pings: Ping[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      pings.push({ path: req.url ?? '', body });
      res.end('OK');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/ping/abc123`, pings, close: () => new Promise((r) => server.close(() => r())) };
}

test('self alerts: a bad manifest told once and cleared; heartbeat pings, /fail with the reason; one unclean-exit alert', { timeout: 180_000 }, async (t) => {
  const dir = testdir({}, 'vai-self-e2e-');
  const ntfy = await startNtfyServer();
  const hb = await startPingServer();
  const vaids: Array<{ stop(): Promise<unknown> }> = [];
  t.after(async () => {
    for (const v of vaids) await v.stop();
    await ntfy.close();
    await hb.close();
    dir.remove();
  });
  dir.write('manifests/.keep', '');
  const opts = {
    manifests: dir.join('manifests'),
    stateDir: dir.join('state'),
    env: { VAI_NTFY_URL: ntfy.url },
    args: ['--notify-self', 'vai-self', '--notify-self-after', '1', '--heartbeat-url', hb.url, '--heartbeat-interval', '0.3'],
  };
  const mine = (re: RegExp) => ntfy.messages.filter((m) => m.topic === 'vai-self' && re.test(m.title ?? ''));

  const first = await startVaid(opts);
  vaids.push(first);
  await waitFor(() => hb.pings.some((p) => p.path === '/ping/abc123'), { what: 'a plain ping', timeoutMs: 60_000 });

  dir.write('manifests/bad.yaml', 'apiVersion: vai/v1\nkind: Service\nmetadata: { name: bad }\nspec:\n  health_check: { type: tcp, port: "x" }\n');
  await waitFor(() => mine(/manifests not applied$/).length > 0, { what: 'the manifests self alert', timeoutMs: 60_000 });
  const alert = mine(/manifests not applied$/)[0]!;
  assert.match(alert.title!, /^vaid on \S+: manifests not applied$/);
  assert.match(alert.message, /bad\.yaml:\d+:\d+: /);
  await waitFor(() => hb.pings.some((p) => p.path === '/ping/abc123/fail' && /manifests: .*bad\.yaml:\d+:\d+/.test(p.body)), { what: 'a /fail ping naming the file', timeoutMs: 60_000 });

  rmSync(dir.join('manifests/bad.yaml'));
  await waitFor(() => mine(/manifests not applied \(cleared\)$/).length > 0, { what: 'the cleared notice', timeoutMs: 60_000 });
  const after = hb.pings.length;
  await waitFor(() => hb.pings.slice(after).some((p) => p.path === '/ping/abc123'), { what: 'plain pings again', timeoutMs: 60_000 });
  assert.equal(mine(/manifests not applied$/).length, 1, 'told once');

  await first.kill9();
  const second = await startVaid(opts);
  vaids.push(second);
  await waitFor(() => mine(/restarted after an unclean exit$/).length > 0, { what: 'the unclean-exit alert', timeoutMs: 60_000 });
  assert.match(mine(/unclean exit$/)[0]!.message, /did not shut down cleanly/);
  await second.waitForStatus((d) => d.alerts.outboxSize === 0 && d.alerts.recent.length >= 3, 'an empty outbox');
  await second.stop();
  const third = await startVaid(opts);
  vaids.push(third);
  await third.waitForStatus((d) => d.vaid.pid === third.pid, 'the third vaid writing status');
  await waitFor(() => hb.pings.length > after + 5, { what: 'more pings from the third vaid', timeoutMs: 60_000 });
  assert.equal(mine(/unclean exit$/).length, 1, 'a clean restart is no unclean exit');
  assert.equal(mine(/manifests not applied$/).length, 1);
});
