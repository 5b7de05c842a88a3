// Security of a daemon that runs commands as root, end to end with the real vaid and vaictl:
// symlinks planted where vaid and vaictl write, manifests other users can write, names that try
// to leave their directory, fields that try to reach a shell, secrets that try to surface, and
// a non-root user reading status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { documentProblems } from '../sim/status-check.js';
import { startNtfyServer } from '../support/ntfy-server.js';
import { testdir, type TestDir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { startVaid, VAICTL_BIN, type VaidProcess } from '../support/vaid.js';

const PRECIOUS = 'precious: must never be overwritten\n';

function manifest(name: string, spec: string[]): string {
  return ['apiVersion: vai/v1', 'kind: Service', `metadata: { name: ${name} }`, 'spec:', ...spec.map((l) => `  ${l}`), ''].join('\n');
}

function fileService(dir: TestDir, name: string, extra: string[] = []): string {
  const up = dir.join('run', `${name}.up`);
  return manifest(name, [`health_check: { type: custom, command: "test -f ${up}", interval_seconds: 0.2, timeout_seconds: 2 }`, `restart_cmd: "touch ${up}"`, 'startup_delay_seconds: 1', ...extra]);
}

function vaictl(args: string[], stateDir: string, extra: string[] = []): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, [VAICTL_BIN, ...args, '--state-dir', stateDir, ...extra], { encoding: 'utf8', timeout: 60_000 });
}

function setup(t: { after(fn: () => unknown): void }): { dir: TestDir; track(v: VaidProcess): VaidProcess } {
  const dir = testdir({}, 'vai-sec-');
  mkdirSync(dir.join('run'));
  const running: VaidProcess[] = [];
  t.after(async () => {
    for (const v of running) await v.kill9();
    dir.remove();
  });
  return { dir, track: (v) => (running.push(v), v) };
}

test('a symlink planted at status.json is replaced, never written through', async (t) => {
  const { dir, track } = setup(t);
  dir.write('manifests/web.yaml', fileService(dir, 'web'));
  const victim = dir.write('victim.txt', PRECIOUS);
  mkdirSync(dir.join('state'), { mode: 0o755 });
  symlinkSync(victim, dir.join('state/status.json'));
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
  await waitFor(() => !lstatSync(vaid.statusFile).isSymbolicLink(), { what: 'status.json to be a regular file', timeoutMs: 60_000 });
  await vaid.waitForService('web', (s) => s.phase === 'Healthy', 'web healthy');
  assert.equal(readFileSync(victim, 'utf8'), PRECIOUS);
  assert.equal(documentProblems(readFileSync(vaid.statusFile, 'utf8')), null);
});

test('symlinks planted in the outbox and marker dirs are not followed', async (t) => {
  const { dir, track } = setup(t);
  const server = await startNtfyServer();
  t.after(() => server.close());
  dir.write('manifests/web.yaml', fileService(dir, 'web'));
  const elsewhere = dir.join('attacker');
  mkdirSync(elsewhere);
  mkdirSync(dir.join('state'), { mode: 0o755 });
  symlinkSync(elsewhere, dir.join('state/outbox'));
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
  // vaid either refuses the state dir with a message naming the outbox, or replaces the link.
  const outcome = await Promise.race([vaid.exited.then(() => 'exited'), vaid.waitForService('web', (s) => s.phase === 'Healthy', 'web healthy').then(() => 'running')]);
  if (outcome === 'exited') assert.match(vaid.stderr(), /outbox/);
  assert.deepEqual(readdirSync(elsewhere), [], 'nothing written into the symlinked outbox');
  await vaid.kill9();

  const markers = dir.join('markers');
  mkdirSync(markers);
  const victim = dir.write('victim.txt', PRECIOUS);
  symlinkSync(victim, path.join(markers, 'web.stopped'));
  const r = vaictl(['stop', 'web'], dir.join('state'), ['--marker-dir', markers]);
  assert.equal(readFileSync(victim, 'utf8'), PRECIOUS, `vaictl stop wrote through a planted symlink (exit ${r.status}): ${r.stderr}`);
});

test('manifests other users can write are refused with a clear message, and accepted with --allow-unsafe-permissions', async (t) => {
  const { dir, track } = setup(t);
  const file = dir.write('manifests/web.yaml', fileService(dir, 'web'));
  dir.write('manifests/db.yaml', fileService(dir, 'db'));
  chmodSync(file, 0o666);
  const opts = { manifests: dir.join('manifests'), stateDir: dir.join('state') };
  const strict = track(await startVaid(opts));
  const errors = await strict.waitForStatus((d) => (d.manifests.errors.length > 0 && d.services.db ? d.manifests.errors : undefined), 'the refusal in status');
  const e = errors.find((x) => x.file === file);
  assert.ok(e, `no error names ${file}: ${JSON.stringify(errors)}`);
  assert.equal(e.code, 'VAI_E_UNSAFE_PERMISSIONS');
  assert.match(e.message, /writable by (group and others|others)/);
  assert.match(e.message, /--allow-unsafe-permissions|chmod/);
  assert.equal(strict.readStatus()!.services.web, undefined, 'the unsafe file defines nothing');
  await strict.stop();

  const lax = track(await startVaid({ ...opts, args: ['--allow-unsafe-permissions'] }));
  await lax.waitForService('web', (s) => s.phase === 'Healthy', 'web accepted and healthy with the opt-out');
  assert.deepEqual(lax.readStatus()!.manifests.errors, []);
});

test('names that try to escape the marker or state dir are refused', async (t) => {
  const { dir, track } = setup(t);
  dir.write('manifests/web.yaml', fileService(dir, 'web'));
  const evil = dir.write('manifests/evil.yaml', manifest('../../escape', ['health_check: { type: tcp, port: 1 }', 'restart_cmd: "true"']));
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
  const errors = await vaid.waitForStatus((d) => (d.services.web && d.manifests.errors.length ? d.manifests.errors : undefined), 'the bad name in status');
  const e = errors.find((x) => x.file === evil);
  assert.ok(e && e.line === 3 && e.path === 'metadata.name', JSON.stringify(errors));
  assert.deepEqual(Object.keys(vaid.readStatus()!.services), ['web']);
  for (const name of ['../../escape', '..', 'web/../../x', '/etc/passwd', 'a\nb']) {
    for (const cmd of ['stop', 'start', 'restart']) {
      const r = vaictl([cmd, name], dir.join('state'));
      assert.notEqual(r.status, 0, `vaictl ${cmd} ${JSON.stringify(name)} succeeded`);
    }
  }
  assert.equal(existsSync(dir.join('escape.stopped')), false);
  assert.equal(existsSync(path.join(path.dirname(dir.path), 'escape.stopped')), false);
  assert.equal(existsSync(dir.join('escape.restart')), false);
});

test('no field is spliced into shell text: metacharacters in fields never run', async (t) => {
  const { dir, track } = setup(t);
  const pwned = dir.join('run/PWNED');
  const inject = `$(touch ${pwned})\`touch ${pwned}\`;touch ${pwned}`;
  const port = 1;
  dir.write('manifests/web.yaml', manifest('web', [
    `health_check: { type: http, endpoint: ${JSON.stringify(`http://127.0.0.1:${port}/${encodeURIComponent(inject)}`)}, interval_seconds: 0.2, timeout_seconds: 1 }`,
    'restart_cmd: "echo restart: $VAI_SERVICE"',
    'startup_delay_seconds: 0.2',
    'max_failures: 2',
    'backoff_initial_seconds: 60',
    `log_path: ${JSON.stringify(dir.join('run', 'web.log'))}`,
    'notify_on_fail: cmd-sink',
  ]));
  dir.write('manifests/proc.yaml', manifest('proc', [`health_check: { type: process, process_name: ${JSON.stringify(inject)}, interval_seconds: 0.2 }`, 'startup_delay_seconds: 0.2']));
  dir.write('manifests/tcp.yaml', manifest('tcp', [`health_check: { type: tcp, host: ${JSON.stringify(`127.0.0.1;touch ${pwned}`)}, port: 1, interval_seconds: 0.2, timeout_seconds: 0.5 }`, 'startup_delay_seconds: 0.2']));
  const sinkOut = dir.join('run/sink.json');
  dir.write('manifests/cmd-sink.yaml', ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: cmd-sink }', 'spec:', '  type: command', `  command: "cat >> ${sinkOut}"`, ''].join('\n'));
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
  // A field the loader refuses (e.g. a host with ";") is as safe as one that never reaches a shell.
  const seen = (d: { services: Record<string, { lastCheck: unknown } | undefined>; manifests: { errors: Array<{ file: string }> } }, name: string) =>
    Boolean(d.services[name]?.lastCheck) || d.manifests.errors.some((e) => e.file.endsWith(`/${name}.yaml`));
  await vaid.waitForStatus((d) => (d.services.web?.counters.recoveriesAttempted ?? 0) >= 2 && seen(d, 'proc') && seen(d, 'tcp'), 'checks and failed recoveries of every service', 120_000);
  await waitFor(() => existsSync(sinkOut) && readFileSync(sinkOut, 'utf8').includes('touch'), { what: 'the command sink to receive the alert', timeoutMs: 60_000 });
  assert.equal(existsSync(pwned), false, 'a field reached a shell');
  assert.match(readFileSync(dir.join('run', 'web.log'), 'utf8'), /restart: web/);
});

test('secrets (ntfy token, webhook header) never surface in logs, status, outbox or vaictl output', async (t) => {
  const { dir, track } = setup(t);
  const server = await startNtfyServer();
  t.after(() => server.close());
  const TOKEN = 'tk_secret_ntfy_9f8e7d6c5b4a';
  const HEADER = 'hdr_secret_webhook_1a2b3c4d';
  dir.write('manifests/web.yaml', manifest('web', [
    `health_check: { type: custom, command: "exit 1", interval_seconds: 0.2, timeout_seconds: 1 }`,
    'restart_cmd: "true"',
    'startup_delay_seconds: 0.2',
    'notify_on_fail: both',
  ]));
  dir.write('manifests/hook.yaml', manifest('hook', [
    `health_check: { type: custom, command: "exit 1", interval_seconds: 0.2, timeout_seconds: 1 }`,
    'restart_cmd: "true"',
    'startup_delay_seconds: 0.2',
    'notify_on_fail: hook-alerts',
  ]));
  dir.write('manifests/both.yaml', ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: both }', 'spec:', '  type: ntfy', `  server: ${server.url}`, '  topic: alerts', ''].join('\n'));
  // The webhook answers 401 the first time round: its error text must not carry the header either.
  dir.write('manifests/hook-alerts.yaml', ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: hook-alerts }', 'spec:', '  type: webhook', `  url: ${server.url}/hook`, '  header_env: { X-Api-Key: HOOK_KEY }', ''].join('\n'));
  server.requireToken = TOKEN;
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), env: { VAI_NTFY_TOKEN: TOKEN, HOOK_KEY: HEADER } }));
  // One of each service: the ntfy one waits its group_wait (5 s) while the webhook's go at once.
  const settled = (d: { alerts: { recent: Array<{ service: string; state: string }> } }, svc: string) => d.alerts.recent.some((r) => r.service === svc && (r.state === 'delivered' || r.state === 'failed'));
  await vaid.waitForStatus((d) => settled(d, 'web') && settled(d, 'hook'), 'both alerts settled', 180_000);
  assert.ok(server.messages.some((m) => m.authorization === `Bearer ${TOKEN}`), 'the token was used');
  // Stopped first: a running vaid delivers and removes outbox files while they are being read
  // (seen: ENOENT between listing the dir and reading a pending entry). Its shutdown lines count too.
  await vaid.stop();
  const surfaces: Array<[string, string]> = [['vaid stdout', vaid.stdout()], ['vaid stderr', vaid.stderr()]];
  for (const f of readdirSync(dir.join('state'), { recursive: true, withFileTypes: true })) {
    if (f.isFile()) surfaces.push([path.join(f.parentPath, f.name), readFileSync(path.join(f.parentPath, f.name), 'utf8')]);
  }
  for (const args of [['get', '-o', 'json'], ['describe', 'web'], ['describe', 'hook'], ['alerts'], ['events']]) {
    const r = vaictl(args, dir.join('state'));
    surfaces.push([`vaictl ${args.join(' ')}`, `${r.stdout}${r.stderr}`]);
  }
  for (const [where, text] of surfaces) {
    assert.ok(!text.includes(TOKEN), `the ntfy token appears in ${where}`);
    assert.ok(!text.includes(HEADER), `the webhook header appears in ${where}`);
  }
});

test('vaictl reads status as an unprivileged user: status.json is world-readable', async (t) => {
  const { dir, track } = setup(t);
  if (process.getuid?.() !== 0) {
    t.skip('needs root to switch to nobody');
    return;
  }
  chmodSync(dir.path, 0o755);
  dir.write('manifests/web.yaml', fileService(dir, 'web'));
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
  await vaid.waitForService('web', (s) => s.phase === 'Healthy', 'web healthy', 180_000);
  assert.ok(statSync(vaid.statusFile).mode & 0o004, 'status.json is not world-readable');
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, VAICTL_BIN, 'get', '--state-dir', dir.join('state')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `vaictl get as nobody: ${r.stderr}`);
  assert.match(r.stdout, /^web\s+Running\s+Healthy/m);
});
