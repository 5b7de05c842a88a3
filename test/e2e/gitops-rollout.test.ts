// Rollout of spec changes in pull mode, with a real bare remote, real services (the demo HTTP
// service started by restart_cmd) and the ntfy-like server: a commit whose restart_cmd fails is
// rolled back to the previous spec (one alert), a good one rolls out, history lists them, undo
// pins, and a dependency and its dependent changed in one commit roll out in that order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { testdir } from '../support/testdir.js';
import { gitRemote } from '../support/git-remote.js';
import { HTTP_SERVICE, VAICTL_BIN, answers, freePort, httpServiceManifest, killPidFiles, startVaid, type VaidProcess } from '../support/vaid.js';
import { startNtfyServer } from '../support/ntfy-server.js';
import { waitFor } from '../support/wait.js';
import type { ServiceStatus } from '../../src/status/schema.js';

const run = promisify(execFile);

async function vaictl(stateDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [VAICTL_BIN, ...args, '--state-dir', stateDir], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** A restart_cmd that records `tag` in runDir/versions, then starts the HTTP service. */
function startCmd(name: string, port: number, runDir: string, tag: string): string {
  return `echo ${tag} >> ${path.join(runDir, 'versions')}; node ${HTTP_SERVICE} --name ${name} --port ${port} --pid-file ${path.join(runDir, `${name}.pid`)} &`;
}

const ROLLOUT = '  rollout:\n    on_change: restart\n';

function notifier(url: string): string {
  return `apiVersion: vai/v1\nkind: Notifier\nmetadata: { name: ops }\nspec:\n  type: ntfy\n  server: ${url}\n  topic: ops\n  cooldown_seconds: 0\n`;
}

function healthyOn(s: ServiceStatus, revision: string, state: string): boolean {
  return s.phase === 'Healthy' && s.rollout?.state === state && s.rollout.running.revision === revision && !s.rollout.target;
}

test('rollout: a failing restart_cmd is rolled back with one alert; a good one rolls out; history lists both; undo pins', async () => {
  const dir = testdir({}, 'vai-rollout-');
  const remote = gitRemote(dir.path);
  const ntfy = await startNtfyServer();
  const runDir = dir.join('run');
  const port = await freePort();
  const versions = path.join(runDir, 'versions');
  let vaid: VaidProcess | undefined;
  const web = (restartCmd: string) =>
    httpServiceManifest({ name: 'web', port, runDir, interval: 3600, startupDelay: 3, restartCmd, extra: `  notify_on_fail: ops\n${ROLLOUT}` });
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(runDir, { recursive: true });
    const c1 = remote.commit({ 'services/web.yaml': web(startCmd('web', port, runDir, 'v1')), 'notifiers/ops.yaml': notifier(ntfy.url) }, 'web v1');
    const state = dir.join('state');
    vaid = await startVaid({ manifests: '/nonexistent-in-pull-mode', stateDir: state, args: ['--git-url', remote.url, '--git-interval', '1'] });
    await vaid.waitForService('web', (s) => healthyOn(s, c1, 'Stable'), 'web healthy on c1', 90_000);
    assert.deepEqual(lines(versions), ['v1']);

    // A restart_cmd that starts nothing: the verify fails, the previous spec comes back.
    const c2 = remote.commit({ 'services/web.yaml': web(`echo v2-broken >> ${versions}; exit 0`) }, 'web v2 broken');
    const rolledBack = await vaid.waitForService('web', (s) => s.phase === 'Healthy' && s.rollout?.state === 'RolledBack' && !s.rollout.target, 'web rolled back', 90_000);
    assert.equal(rolledBack.rollout?.failed?.revision, c2);
    assert.equal(rolledBack.rollout?.running.revision, c1);
    assert.deepEqual(lines(versions), ['v1', 'v2-broken', 'v1'], 'the new command ran once, then the old one again');
    assert.ok(await answers(`http://127.0.0.1:${port}/health`), 'web answers on the old command');
    const alert = await waitFor(() => ntfy.messages.find((m) => JSON.stringify(m).includes('rolled back')), { timeoutMs: 60_000, what: 'the rolled-back alert' });
    const text = JSON.stringify(alert);
    assert.match(text, new RegExp(`rollout of ${c2.slice(0, 7)} failed`));
    assert.match(text, new RegExp(`rolled back to ${c1.slice(0, 7)}`));

    // A good command: rolled out.
    const c3 = remote.commit({ 'services/web.yaml': web(startCmd('web', port, runDir, 'v3')) }, 'web v3');
    await vaid.waitForService('web', (s) => healthyOn(s, c3, 'Stable'), 'web rolled out c3', 90_000);
    assert.equal(lines(versions).at(-1), 'v3');
    assert.ok(await answers(`http://127.0.0.1:${port}/health`));
    assert.equal(ntfy.messages.filter((m) => JSON.stringify(m).includes('rolled back')).length, 1, 'exactly one rolled-back alert');

    const h = await vaictl(state, 'rollout', 'history', 'web');
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, new RegExp(`${c1.slice(0, 7)}\\s+\\S+\\s+Applied`));
    assert.match(h.stdout, new RegExp(`${c2.slice(0, 7)}\\s+\\S+\\s+Failed`));
    assert.match(h.stdout, new RegExp(`${c2.slice(0, 7)}\\s+\\S+\\s+RolledBack`));
    assert.match(h.stdout, new RegExp(`${c3.slice(0, 7)}\\s+\\S+\\s+RolledOut\\s+\\*`));

    // Undo: back to c1's spec, pinned while the commit stays c3.
    const u = await vaictl(state, 'rollout', 'undo', 'web');
    assert.equal(u.code, 0, u.stderr);
    await vaid.waitForService('web', (s) => healthyOn(s, c1, 'Pinned'), 'web pinned to c1', 90_000);
    assert.equal(lines(versions).at(-1), 'v1');
    const g = await vaictl(state, 'get', 'web');
    assert.match(g.stdout, new RegExp(`pinned to ${c1.slice(0, 7)}`), g.stdout);
    const d = await vaictl(state, 'describe', 'web');
    assert.match(d.stdout, /Rollout:\s+Pinned/, d.stdout);

    // The next commit that changes web rolls out again.
    const c4 = remote.commit({ 'services/web.yaml': web(startCmd('web', port, runDir, 'v4')) }, 'web v4');
    await vaid.waitForService('web', (s) => healthyOn(s, c4, 'Stable'), 'web rolled out c4 after the pin', 90_000);
    assert.equal(lines(versions).at(-1), 'v4');
    assert.equal(ntfy.messages.filter((m) => JSON.stringify(m).includes('rolled back')).length, 1, 'still exactly one rolled-back alert');
  } finally {
    await vaid?.stop();
    killPidFiles(runDir);
    await ntfy.close();
    dir.remove();
  }
});

test('rollout: a dependency and its dependent changed in one commit roll out dependency first, one at a time', async () => {
  const dir = testdir({}, 'vai-rollout-');
  const remote = gitRemote(dir.path);
  const runDir = dir.join('run');
  const dbPort = await freePort();
  const apiPort = await freePort();
  const order = path.join(runDir, 'order');
  let vaid: VaidProcess | undefined;
  const cmd = (name: string, port: number, tag: string) => `echo ${name}-${tag} >> ${order}; node ${HTTP_SERVICE} --name ${name} --port ${port} --pid-file ${path.join(runDir, `${name}.pid`)} &`;
  const db = (tag: string) => httpServiceManifest({ name: 'db', port: dbPort, runDir, interval: 3600, startupDelay: 3, restartCmd: cmd('db', dbPort, tag), extra: ROLLOUT });
  const api = (tag: string) => httpServiceManifest({ name: 'api', port: apiPort, runDir, interval: 3600, startupDelay: 3, dependsOn: { name: 'db', port: dbPort }, restartCmd: cmd('api', apiPort, tag), extra: ROLLOUT });
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(runDir, { recursive: true });
    const c1 = remote.commit({ 'services/db.yaml': db('v1'), 'services/api.yaml': api('v1') }, 'v1');
    const state = dir.join('state');
    vaid = await startVaid({ manifests: '/nonexistent-in-pull-mode', stateDir: state, args: ['--git-url', remote.url, '--git-interval', '1'] });
    await vaid.waitForStatus((doc) => ['db', 'api'].every((n) => doc.services[n] && healthyOn(doc.services[n]!, c1, 'Stable')), 'db and api healthy on c1', 90_000);
    const c2 = remote.commit({ 'services/db.yaml': db('v2'), 'services/api.yaml': api('v2') }, 'v2');
    await vaid.waitForStatus((doc) => ['db', 'api'].every((n) => doc.services[n] && healthyOn(doc.services[n]!, c2, 'Stable')), 'db and api rolled out c2', 90_000);
    const v2 = lines(order).filter((l) => l.endsWith('-v2'));
    assert.deepEqual(v2, ['db-v2', 'api-v2'], `dependency first: ${lines(order).join(', ')}`);
  } finally {
    await vaid?.stop();
    killPidFiles(runDir);
    dir.remove();
  }
});

test('rollout in directory mode (no git): an edited restart_cmd rolls out, revision generation-N', async () => {
  const dir = testdir({}, 'vai-rollout-');
  const runDir = dir.join('run');
  const manifests = dir.join('manifests');
  const port = await freePort();
  const versions = path.join(runDir, 'versions');
  let vaid: VaidProcess | undefined;
  const web = (tag: string) => httpServiceManifest({ name: 'web', port, runDir, interval: 3600, startupDelay: 3, restartCmd: startCmd('web', port, runDir, tag), extra: ROLLOUT });
  try {
    const { mkdirSync, writeFileSync, renameSync } = await import('node:fs');
    mkdirSync(runDir, { recursive: true });
    mkdirSync(manifests, { recursive: true, mode: 0o755 });
    writeFileSync(path.join(manifests, 'web.yaml'), web('v1'), { mode: 0o644 });
    vaid = await startVaid({ manifests, stateDir: dir.join('state') });
    const first = await vaid.waitForService('web', (s) => s.phase === 'Healthy' && s.rollout?.state === 'Stable', 'web healthy', 90_000);
    assert.match(first.rollout!.running.revision, /^generation-\d+$/);
    const tmp = path.join(manifests, '.web.yaml.tmp');
    writeFileSync(tmp, web('v2'), { mode: 0o644 });
    renameSync(tmp, path.join(manifests, 'web.yaml'));
    const after = await vaid.waitForService('web', (s) => s.phase === 'Healthy' && s.rollout?.state === 'Stable' && s.rollout.running.revision !== first.rollout!.running.revision && !s.rollout.target, 'web rolled out the edit', 90_000);
    assert.match(after.rollout!.running.revision, /^generation-\d+$/);
    assert.deepEqual(lines(versions), ['v1', 'v2']);
    assert.ok(await answers(`http://127.0.0.1:${port}/health`));
  } finally {
    await vaid?.stop();
    killPidFiles(runDir);
    dir.remove();
  }
});
