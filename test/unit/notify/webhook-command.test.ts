// The webhook and command sinks behind the same cooldown and outbox, with real servers and
// real child processes.
import os from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createNotifier } from '../../../src/notify/index.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { alert, capturingLog, minioSpec, notifierTarget, cleanup } from './fixtures.js';

const HOST = os.hostname();

const SECRET = 'hdr-s3cret-value-42';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

async function jsonServer(t: { after(fn: () => unknown): void }, status: () => number) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const code = status();
      if (code === 200) received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup(t, () => new Promise<void>((r) => server.close(() => r())));
  server.unref();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test('webhook: JSON POST with headers from header_env, retried on 5xx, in order', async (t) => {
  const dir = testdir();
  cleanup(t, () => dir.remove());
  let answer = 502;
  const hook = await jsonServer(t, () => answer);
  const { log, lines } = capturingLog();
  const n = await createNotifier({ outboxDir: dir.join('outbox'), env: { HOOK_TOKEN: SECRET }, log, deliveryTimeoutMs: 1000, retry: { initialMs: 20, maxMs: 100 } });
  cleanup(t, () => n.close());
  n.setTargets(new Map([notifierTarget('ops', { type: 'webhook', url: hook.url, header_env: { 'X-Auth-Token': 'HOOK_TOKEN' } })]));
  const spec = minioSpec({ notify_on_fail: 'ops' });
  await n.submit(alert('minio', 'recovery-failed', 1, { spec, dependents: ['api'] }));
  await n.submit(alert('minio', 'crash-loop', 1, { spec }));
  await waitFor(() => (n.snapshot().recent[0]?.attempts ?? 0) >= 2, { what: 'retries on 502' });
  answer = 200;
  await waitFor(() => hook.received.length === 2, { what: 'both webhook posts' });
  const first = hook.received[0]!;
  assert.equal(first.headers['x-auth-token'], SECRET);
  assert.equal(first.headers['content-type'], 'application/json');
  const body = first.body as Record<string, unknown>;
  assert.equal(body.service, 'minio');
  assert.equal(body.event, 'recovery-failed');
  assert.equal(body.code, 'SERVICE-RECOVERY-FAILED');
  assert.equal(body.title, `minio Recovery Failed on ${HOST}`);
  assert.equal(body.priority, 5);
  assert.deepEqual(body.dependents, ['api']);
  assert.match(String(body.message), /^Service: minio$/m);
  assert.equal((hook.received[1]!.body as Record<string, unknown>).event, 'crash-loop');
  await waitFor(() => n.snapshot().outboxSize === 0);
  const rec = n.snapshot().recent[0]!;
  assert.equal(rec.sink, 'webhook');
  assert.equal(rec.target, hook.url);
  await n.close();
  for (const f of filesUnder(dir.path)) assert.ok(!readFileSync(f, 'utf8').includes(SECRET), f);
  for (const l of lines) assert.ok(!l.includes(SECRET), l);
});

test('webhook: a header whose variable is unset fails with a clear reason, not a loop', async (t) => {
  const dir = testdir();
  cleanup(t, () => dir.remove());
  const hook = await jsonServer(t, () => 200);
  const n = await createNotifier({ outboxDir: dir.join('outbox'), env: {}, retry: { initialMs: 20, maxMs: 100 } });
  cleanup(t, () => n.close());
  n.setTargets(new Map([notifierTarget('ops', { type: 'webhook', url: hook.url, header_env: { Authorization: 'HOOK_AUTH' } })]));
  await n.submit(alert('minio', 'recovery-failed', 1, { spec: minioSpec({ notify_on_fail: 'ops' }) }));
  await waitFor(() => n.snapshot().recent[0]?.state === 'failed');
  assert.equal(n.snapshot().recent[0]!.lastError, 'header Authorization: environment variable HOOK_AUTH is not set');
  assert.equal(hook.received.length, 0);
});

test('command: the notification as VAI_* variables and JSON on stdin', async (t) => {
  const dir = testdir();
  cleanup(t, () => dir.remove());
  const out = dir.join('got');
  const n = await createNotifier({ outboxDir: dir.join('outbox'), env: { PATH: process.env.PATH, VAI_NTFY_TOKEN: SECRET, OUT: out } });
  cleanup(t, () => n.close());
  const script = 'printf "%s\\n%s %s\\n%s\\n%s\\n[%s]\\n" "$VAI_SERVICE" "$VAI_EVENT" "$VAI_CODE" "$VAI_TITLE" "$VAI_PRIORITY" "$VAI_NTFY_TOKEN" > "$OUT.tmp"; cat >> "$OUT.tmp"; mv "$OUT.tmp" "$OUT"';
  n.setTargets(new Map([notifierTarget('pager', { type: 'command', command: script })]));
  await n.submit(alert('minio', 'recovery-failed', 1, { spec: minioSpec({ notify_on_fail: 'pager' }) }));
  await waitFor(() => existsSync(out), { what: 'the command output' });
  const [service, event, title, priority, token, json] = readFileSync(out, 'utf8').split('\n');
  assert.equal(service, 'minio');
  assert.equal(event, 'recovery-failed SERVICE-RECOVERY-FAILED');
  assert.equal(title, `minio Recovery Failed on ${HOST}`);
  assert.equal(priority, '5');
  assert.equal(token, '[]', 'the ntfy token is withheld from commands');
  const payload = JSON.parse(json!) as Record<string, unknown>;
  assert.equal(payload.id, 'minio:recovery-failed:1');
  assert.match(String(payload.message), /^Restart command: /m);
  await waitFor(() => n.snapshot().recent[0]?.state === 'delivered');
  assert.equal(n.snapshot().recent[0]!.target, 'pager');
});

test('command: a hung command is killed with its whole process group and retried', async (t) => {
  const dir = testdir();
  cleanup(t, () => dir.remove());
  const pids = dir.join('pids');
  const marker = dir.join('second-run');
  const n = await createNotifier({ outboxDir: dir.join('outbox'), env: { PATH: process.env.PATH, PIDS: pids, MARK: marker }, deliveryTimeoutMs: 500, retry: { initialMs: 20, maxMs: 100 } });
  cleanup(t, () => n.close());
  // First run: leave a grandchild and hang. Second run: succeed.
  const script = 'if [ -e "$PIDS" ]; then touch "$MARK"; exit 0; fi; sleep 1000 & echo $! > "$PIDS"; wait';
  n.setTargets(new Map([notifierTarget('pager', { type: 'command', command: script })]));
  await n.submit(alert('minio', 'recovery-failed', 1, { spec: minioSpec({ notify_on_fail: 'pager' }) }));
  await waitFor(() => existsSync(marker), { what: 'the retried run' });
  const grandchild = Number(readFileSync(pids, 'utf8'));
  const gone = () => {
    try {
      const st = readFileSync(`/proc/${grandchild}/stat`, 'utf8');
      return / Z /.test(st.slice(st.lastIndexOf(')')));
    } catch {
      return true;
    }
  };
  await waitFor(gone, { what: `grandchild ${grandchild} killed` });
  await waitFor(() => n.snapshot().recent[0]?.state === 'delivered');
  assert.equal(n.snapshot().recent[0]!.attempts, 2);
});

test('command: exit 127 (not found) is final', async (t) => {
  const dir = testdir();
  cleanup(t, () => dir.remove());
  const n = await createNotifier({ outboxDir: dir.join('outbox'), env: { PATH: process.env.PATH }, retry: { initialMs: 20, maxMs: 100 } });
  cleanup(t, () => n.close());
  n.setTargets(new Map([notifierTarget('pager', { type: 'command', command: 'no-such-notify-tool --send' })]));
  await n.submit(alert('minio', 'recovery-failed', 1, { spec: minioSpec({ notify_on_fail: 'pager' }) }));
  await waitFor(() => n.snapshot().recent[0]?.state === 'failed');
  assert.match(n.snapshot().recent[0]!.lastError ?? '', /exit 127.*not found/);
});
