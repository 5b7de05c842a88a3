// Remote actions (issue 21): restart, stop, start and silence over vaid's endpoint, with two real vaids on
// loopback ports. vps1 has a write token apart from its read token; vps2 has only a read token,
// so it has no write routes at all. Every write route refuses without the write token and with
// the read token; the write token restarts a real service (its restart_cmd ran), stop writes the
// marker, start removes it, and each action is an event naming the address it came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { countLines, freePort, startVaid, VAICTL_BIN, type VaidProcess } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

const READ = 'read-token-0123456789abcdef';
const WRITE = 'write-token-fedcba9876543210';

const service = (name: string, port: number, runs: string) => `apiVersion: vai/v1
kind: Service
metadata: { name: ${name} }
spec:
  health_check: { type: tcp, host: 127.0.0.1, port: ${port}, interval_seconds: 1 }
  restart_cmd: "echo restarted >> ${runs}"
  startup_delay_seconds: 10
`;

/** vaictl as a person runs it (async: the vaids answer meanwhile). */
function vaictl(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VAICTL_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

async function post(url: string, token?: string): Promise<{ status: number; body: string; retryAfter: string | null }> {
  const res = await fetch(url, { method: 'POST', headers: token ? { Authorization: `Bearer ${token}` } : {}, body: '{}', signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
}

test('write routes: refused without the write token and with the read token; the write token restarts, stops and starts, each an event naming the address', async () => {
  const dir = testdir({}, 'vai-actions-');
  const [p1, p2] = [await freePort(), await freePort()];
  const runs = dir.join('vps1/web.runs');
  dir.write('vps1/manifests/web.yaml', service('web', p1, runs));
  dir.write('vps2/manifests/db.yaml', service('db', p2, dir.join('vps2/db.runs')));
  const readFile = dir.write('tokens/read', `${READ}\n`);
  const writeFile = dir.write('tokens/write', `${WRITE}\n`);
  const env = { ...process.env, VAI_CONFIG: dir.join('home/config.yaml'), NO_COLOR: '1' };
  const vaids: VaidProcess[] = [];
  try {
    vaids.push(await startVaid({ manifests: dir.join('vps1/manifests'), stateDir: dir.join('vps1/state'), args: ['--listen', `127.0.0.1:${p1}`, '--web-token-file', readFile], env: { VAI_WEB_WRITE_TOKEN_FILE: writeFile } }));
    vaids.push(await startVaid({ manifests: dir.join('vps2/manifests'), stateDir: dir.join('vps2/state'), args: ['--listen', `127.0.0.1:${p2}`, '--web-token-file', readFile] }));
    const [vps1, vps2] = vaids as [VaidProcess, VaidProcess];
    await vps1.waitForService('web', (s) => s.phase === 'Healthy', 'web healthy', 90_000);
    await vps2.waitForService('db', (s) => s.phase === 'Healthy', 'db healthy', 90_000);
    const marker = dir.join('vps1/state/manual-stop/web.stopped');

    for (const action of ['restart', 'stop', 'start', 'silence']) {
      const url = `http://127.0.0.1:${p1}/api/services/web/${action}`;
      const none = await post(url);
      assert.equal(none.status, 401, `${action} without a token: ${none.body}`);
      assert.equal((await post(url, 'not-the-token-at-all-0000')).status, 401, `${action} with a wrong token`);
      const read = await post(url, READ);
      assert.equal(read.status, 403, `${action} with the read token: ${read.body}`);
      assert.match(read.body, /read token; actions want its write token/);
      const onVps2 = await post(`http://127.0.0.1:${p2}/api/services/db/${action}`, WRITE);
      assert.equal(onVps2.status, 405, `vps2 has no write token, so no ${action} route`);
    }
    assert.equal(countLines(runs), 0, 'no refused request ran restart_cmd');
    assert.equal(existsSync(marker), false, 'no refused request wrote the marker');
    assert.equal((await post(`http://127.0.0.1:${p1}/api/services/web/delete`, WRITE)).status, 404, 'an action that does not exist');

    for (const r of [
      await vaictl(env, 'config', 'set-context', 'vps1', '--server', `http://127.0.0.1:${p1}`, '--token-file', readFile, '--write-token-file', writeFile),
      await vaictl(env, 'config', 'set-context', 'vps2', '--server', `http://127.0.0.1:${p2}`, '--token-file', readFile, '--write-token-file', writeFile),
      await vaictl(env, 'config', 'set-context', 'readonly', '--server', `http://127.0.0.1:${p1}`, '--token-file', readFile, '--write-token-file', readFile),
      await vaictl(env, 'config', 'set-context', 'nowrite', '--server', `http://127.0.0.1:${p1}`, '--token-file', readFile),
    ]) assert.equal(r.status, 0, r.stderr);

    const byRead = await vaictl(env, 'restart', 'web', '--context', 'readonly');
    assert.equal(byRead.status, 1, byRead.stdout);
    assert.match(byRead.stderr, /readonly: this is the endpoint's read token/);
    const noWrite = await vaictl(env, 'stop', 'web', '--context', 'nowrite');
    assert.equal(noWrite.status, 2);
    assert.match(noWrite.stderr, /context "nowrite" has no write-token-file/);
    const noRoutes = await vaictl(env, 'restart', 'db', '--context', 'vps2');
    assert.equal(noRoutes.status, 1);
    assert.match(noRoutes.stderr, /has no action routes: start its vaid with --web-write-token-file/);
    const unknown = await vaictl(env, 'restart', 'nosuch', '--context', 'vps1');
    assert.equal(unknown.status, 3, unknown.stderr);
    assert.equal(countLines(runs), 0);

    const restart = await vaictl(env, 'restart', 'web', '--context', 'vps1');
    assert.equal(restart.status, 0, restart.stderr);
    assert.match(restart.stdout, /^vps1: service\/web restart requested/);
    await waitFor(() => countLines(runs) >= 1, { timeoutMs: 90_000, what: 'restart_cmd of web to run on vps1' });
    const restarted = await vps1.waitForService('web', (s) => s.phase === 'Healthy' && s.events.some((e) => e.reason === 'RemoteAction'), 'web healthy again with the RemoteAction event', 90_000);
    const ev = restarted.events.find((e) => e.reason === 'RemoteAction')!;
    assert.match(ev.message, /^restart requested over the endpoint from 127\.0\.0\.1 \(vaictl of [^)]+\)$/);
    assert.ok(restarted.events.some((e) => e.reason === 'RestartRequested'), 'and the restart ran as any requested one');
    assert.ok(vps1.records().some((r) => r.action === 'restart' && r.from === '127.0.0.1'), 'vaid logged who asked');

    const stop = await vaictl(env, 'stop', 'web', '--context', 'vps1');
    assert.equal(stop.status, 0, stop.stderr);
    assert.equal(existsSync(marker), true, 'stop wrote the marker');
    const stopped = await vps1.waitForService('web', (s) => s.phase === 'Stopped' && s.events.some((e) => /^stop requested over the endpoint from 127\.0\.0\.1/.test(e.message)), 'web Stopped with the stop event', 90_000);
    assert.equal(stopped.desired, 'Stopped');
    assert.match((await vaictl(env, 'stop', '--now', 'web', '--context', 'vps1')).stderr, /--now runs stop_cmd on this host/);

    const start = await vaictl(env, 'start', 'web', '--context', 'vps1');
    assert.equal(start.status, 0, start.stderr);
    assert.equal(existsSync(marker), false, 'start removed the marker');
    await vps1.waitForService('web', (s) => s.desired === 'Running' && s.events.some((e) => /^start requested over the endpoint from 127\.0\.0\.1/.test(e.message)), 'web Running with the start event', 90_000);
    // silence over the endpoint: the same STATE_DIR/silences file vaictl writes on the host.
    const badBody = await post(`http://127.0.0.1:${p1}/api/services/web/silence`, WRITE);
    assert.equal(badBody.status, 400, badBody.body);
    assert.match(badBody.body, /for_seconds must be a number/);
    assert.equal((await vaictl(env, 'silence', '-l', 'tier=web', '--for', '30m', '--context', 'vps1')).status, 2, 'a selector is for the host itself');
    const silence = await vaictl(env, 'silence', 'web', '--for', '30m', '--reason', 'disk swap', '--context', 'vps1');
    assert.equal(silence.status, 0, silence.stderr);
    const id = /^vps1: silence\/(s-[0-9a-f]{8}) created: service\/web muted until /.exec(silence.stdout)?.[1];
    assert.ok(id, silence.stdout);
    assert.equal(existsSync(dir.join(`vps1/state/silences/${id}.json`)), true, 'the silence file is in vps1\'s state dir');
    const muted = await vps1.waitForService('web', (s) => (s.maintenance ?? []).some((m) => m.kind === 'silence' && m.name === id), 'web silenced by the remote silence', 90_000);
    assert.match(muted.maintenance!.find((m) => m.name === id)!.reason ?? '', /^disk swap \(over the endpoint from 127\.0\.0\.1/);
    const list = await vaictl({ ...env, VAI_STATE_DIR: dir.join('vps1/state') }, 'silence', 'list');
    assert.match(list.stdout, new RegExp(`${id}\\s+web\\s`), 'vaictl silence list on the host shows it');

    const described = await vaictl(env, 'describe', 'web', '--context', 'vps1');
    assert.match(described.stdout, /RemoteAction\s.*restart requested over the endpoint from 127\.0\.0\.1/);

    // Rate-limited per address, counted before the token: a burst of guesses ends in 429s.
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await post(`http://127.0.0.1:${p1}/api/services/web/restart`, `guess-${i}-0123456789abcdef`));
    const limited = answers.find((a) => a.status === 429);
    assert.ok(limited, `40 guesses in a row, no 429: ${answers.map((a) => a.status).join(' ')}`);
    assert.match(limited.retryAfter ?? '', /^\d+$/);
    assert.ok(answers.every((a) => a.status === 401 || a.status === 429));
  } finally {
    for (const v of vaids) await v.stop();
    dir.remove();
  }
});

test('vaid refuses a write token equal to its read token, or too short', async () => {
  const dir = testdir({ 'manifests/.keep': '' }, 'vai-actions-bad-');
  try {
    const port = await freePort();
    const same = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('a'), args: ['--listen', `127.0.0.1:${port}`], env: { VAI_WEB_TOKEN: READ, VAI_WEB_WRITE_TOKEN: READ } });
    assert.equal((await same.exited).code, 1);
    assert.match(same.stderr(), /the write token equals the read token/);
    const short = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('b'), args: ['--listen', `127.0.0.1:${port}`], env: { VAI_WEB_WRITE_TOKEN: 'short' } });
    assert.equal((await short.exited).code, 1);
    assert.match(short.stderr(), /the write token is 5 characters long/);
  } finally {
    dir.remove();
  }
});
