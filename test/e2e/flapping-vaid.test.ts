// Flapping end to end: a real service that dies 2.5 s after each start (timeout -s KILL) and
// is recovered by vai every time. With `flapping: {restarts: 3, window_seconds: 12}` the real
// ntfy server in test/support gets exactly one Flapping message listing the restarts (a vaid
// restarted while it keeps flapping sends no second one), then, once the service stays up for
// the whole window, exactly one "Stable Again".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startNtfyServer } from '../support/ntfy-server.js';
import { testdir } from '../support/testdir.js';
import { freePort, HTTP_SERVICE, killPidFiles, startVaid } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

test('a service that keeps crashing and recovering: one Flapping, none again after a vaid restart, then one resolved', { timeout: 240_000 }, async (t) => {
  const dir = testdir({}, 'vai-flap-e2e-');
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
  const port = await freePort();
  const pidFile = `${run}/web.pid`;
  const node = `${process.execPath} ${HTTP_SERVICE} --name web --port ${port} --pid-file ${pidFile}`;
  // Crashes 2.5 s after each start until the test writes run/stable.
  const restart = `if [ -e ${run}/stable ]; then ${node} >/dev/null 2>&1 & else timeout -s KILL 2.5 ${node} >/dev/null 2>&1 & fi`;
  dir.write(
    'manifests/web.yaml',
    [
      'apiVersion: vai/v1',
      'kind: Service',
      'metadata: { name: web }',
      'spec:',
      `  health_check: { type: http, endpoint: "http://127.0.0.1:${port}/health", interval_seconds: 0.3, timeout_seconds: 1 }`,
      `  restart_cmd: ${JSON.stringify(restart)}`,
      '  startup_delay_seconds: 10',
      '  max_failures: 1000',
      '  flapping: { restarts: 3, window_seconds: 12 }',
      '  notify_on_fail: alerts',
      '',
    ].join('\n'),
  );
  dir.write('manifests/alerts.yaml', ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: alerts }', 'spec:', '  type: ntfy', `  server: ${server.url}`, '  topic: flaps', ''].join('\n'));
  const opts = { manifests: dir.join('manifests'), stateDir: dir.join('state') };
  const flaps = () => server.messages.filter((m) => m.title?.includes('Flapping'));
  const stable = () => server.messages.filter((m) => m.title?.includes('Stable Again'));

  const first = await startVaid(opts);
  vaids.push(first);
  await waitFor(() => flaps().length > 0, { what: 'a Flapping message', timeoutMs: 120_000 });
  const m = flaps()[0]!;
  assert.equal(m.topic, 'flaps');
  assert.equal(m.priority, 3);
  assert.match(m.message, /^Service: web\nStatus: Flapping \(web was restarted 3 times within 12 s, each time recovering:\)/);
  assert.equal(m.message.match(/^Restart: \d{4}-\d\d-\d\dT[\d:.]+Z {2}\S+/gm)?.length, 3, m.message);
  const restartsAtAlert = (await first.waitForService('web', () => true)).restarts.count;
  await first.stop();

  const second = await startVaid(opts);
  vaids.push(second);
  // Still flapping under the new vaid: two more recovered restarts, and no second Flapping.
  await second.waitForService('web', (s) => s.counters.recoveriesSucceeded >= 2 && s.restarts.count >= restartsAtAlert + 2, 'two more recovered restarts', 90_000);
  assert.equal(flaps().length, 1, 'one Flapping per incident, across a vaid restart');
  assert.equal(stable().length, 0);

  writeFileSync(`${run}/stable`, '');
  await waitFor(() => stable().length > 0, { what: 'the resolved notice', timeoutMs: 120_000 });
  const s = await second.waitForService('web', (x) => x.flapping === undefined || x.flapping.openSince === null, 'the flapping incident closed');
  assert.equal(s.phase, 'Healthy');
  assert.match(stable()[0]!.message, /Status: Stable again \(web has not been restarted for 12 s/);
  await second.waitForStatus((d) => d.alerts.outboxSize === 0, 'an empty outbox');
  assert.equal(flaps().length, 1);
  assert.equal(stable().length, 1);
  assert.ok(s.events.some((e) => e.reason === 'Flapping'), 'a Flapping event in status');
});
