// `vaictl --server URL`: the real vaictl binary reads another host's status over the endpoint
// (here a web server fed with a fixture document; no local state dir exists at all).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { serviceStatus, statusDocument, StatusFeed } from './web-fixtures.js';
import { testdir } from '../support/testdir.js';
import { freePort } from '../support/vaid.js';

const VAICTL = path.resolve('dist/src/cli/vaictl.js');
const skip = existsSync(VAICTL) ? false : `${VAICTL} not built (make build)`;
const TOKEN = 'remote-token-0123456789abcdef';
const servers: WebServer[] = [];
const empty = testdir({}, 'vai-remote-');
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  empty.remove();
});

const feed = new StatusFeed(statusDocument([
  serviceStatus('api', { restarts: { count: 2, lastAt: new Date().toISOString(), lastReason: 'HTTP 503' } }),
  serviceStatus('db', {
    phase: 'CrashLoopBackOff',
    lastCheck: { at: new Date().toISOString(), health: 'unhealthy', reason: 'ConnectionRefused', latencyMs: 1, message: 'connect ECONNREFUSED 127.0.0.1:5432' },
    conditions: [{ type: 'BackOff', status: 'True', reason: 'CrashLoop', message: '3 failed recoveries in 300s', lastTransitionTime: new Date().toISOString(), observedGeneration: 1 }],
  }),
]));

async function serve(token?: string): Promise<string> {
  const s = await startWebServer({ listen: '127.0.0.1:0', token, getStatus: feed.getStatus, subscribe: feed.subscribe });
  servers.push(s);
  return s.url;
}

// Asynchronous on purpose: the server answering vaictl runs in this very process.
function vaictl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  // A state dir with nothing in it: whatever is shown came over HTTP.
  const child = spawn(process.execPath, [VAICTL, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VAI_STATE_DIR: empty.join('state'), VAI_MANIFESTS: '', VAI_WEB_TOKEN: '', NO_COLOR: '1', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('close', (code) => { clearTimeout(killer); resolve({ code, out, err }); }));
}


test('vaictl get --server lists the other host\'s services', { skip }, async () => {
  const url = await serve();
  const r = await vaictl(['get', '--server', url]);
  assert.equal(r.code, 0, r.err);
  const rows = r.out.trim().split('\n');
  assert.match(rows[0]!, /^NAME\s+DESIRED\s+PHASE/);
  assert.match(rows[1]!, /^api\s+Running\s+Healthy\s/);
  assert.match(rows[2]!, /^db\s+Running\s+CrashLoopBackOff\s/);
  const names = await vaictl(['get', '-o', 'name', `--server=${url}`]);
  assert.deepEqual(names.out.trim().split('\n'), ['service/api', 'service/db']);
  assert.equal((await vaictl(['get', 'nope', '--server', url])).code, 3, 'an unknown name is still exit 3');
});

test('vaictl describe --server shows conditions and events from the other host', { skip }, async () => {
  const url = await serve();
  const r = await vaictl(['describe', 'db', '--server', url]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /CrashLoopBackOff/);
  assert.match(r.out, /BackOff\s+True\s+CrashLoop/);
  assert.match(r.err, /manifests are on http:\/\/127\.0\.0\.1:\d+; pass --manifests DIR/, 'no local specs shown for a remote service');
});

test('a token-protected host wants VAI_WEB_TOKEN', { skip }, async () => {
  const url = await serve(TOKEN);
  const denied = await vaictl(['get', '--server', url]);
  assert.notEqual(denied.code, 0);
  assert.match(denied.err, /wants a token: set VAI_WEB_TOKEN/);
  assert.equal((await vaictl(['get', '--server', url], { VAI_WEB_TOKEN: TOKEN })).code, 0);
});

test('--server refuses stop without the write token, commands with no remote route, watch mode, and says which host it cannot reach', { skip }, async () => {
  const url = await serve();
  // stop/start/restart act remotely only with the write token (test/e2e/remote-actions.test.ts);
  // commands with no remote route at all are refused as this host's.
  const stop = await vaictl(['stop', 'api', '--server', url]);
  assert.equal(stop.code, 2);
  assert.match(stop.err, /wants its vaid's write token/);
  const reconcile = await vaictl(['reconcile', '--once', '--server', url]);
  assert.equal(reconcile.code, 2);
  assert.match(reconcile.err, /acts on this host only/);
  assert.equal((await vaictl(['get', '-w', '--server', url])).code, 2);
  const port = await freePort();
  const gone = await vaictl(['get', '--server', `http://127.0.0.1:${port}`]);
  assert.equal(gone.code, 1);
  assert.match(gone.err, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}: ECONNREFUSED \\[VAI_E_REMOTE\\]`));
});
