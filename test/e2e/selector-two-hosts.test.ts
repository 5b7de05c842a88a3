// One manifest repo, two hosts: two real vaid on two state dirs over one manifest dir, one with
// `--selector host=vps1`, the other with VAI_SELECTOR=host=vps2. Each reconciles only its own
// services, a kill is recovered by its owner alone, and moving a label moves the service, even
// one that a service of the other host depends on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { testdir, type TestDir } from '../support/testdir.js';
import { freePort } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';
import { HTTP_SERVICE, startGroup, type Started } from '../support/services/processes.js';
import { killGroupOf, startVaid, vaidMissing, type RunningVaid } from './web-daemon.js';

const skip = vaidMissing();
let dir: TestDir;
let vps1: RunningVaid;
let vps2: RunningVaid;
const started = new Map<string, Started>();
const ports = new Map<string, number>();


const serviceCmd = (name: string) => `${JSON.stringify(process.execPath)} ${JSON.stringify(HTTP_SERVICE)} --port ${ports.get(name)} --pid-file ${JSON.stringify(dir.join(`${name}.pid`))}`;

function manifest(name: string, host: string | null, deps: string[] = []): string {
  return [
    'apiVersion: vai/v1',
    'kind: Service',
    `metadata: { name: ${name}, labels: { ${host ? `host: ${host}, ` : ''}app: ${name} } }`,
    'spec:',
    // Generous timeout and two failures before acting: on a loaded CI machine a slow answer must
    // not look like a crash, or the restart counts this test checks would be off.
    `  health_check: { type: http, endpoint: "http://127.0.0.1:${ports.get(name)}/health", interval_seconds: 0.5, timeout_seconds: 5, failure_threshold: 2 }`,
    // Every restart leaves a line naming the service, so a restart by the wrong host shows.
    `  restart_cmd: ${JSON.stringify(`echo ${name} >> ${dir.join('restarts.log')}; (exec ${serviceCmd(name)}) > /dev/null 2>&1 &`)}`,
    '  startup_delay_seconds: 20',
    `  dependencies: [${deps.join(', ')}]`,
    '',
  ].join('\n');
}

/** On a timeout, says what the vaid saw and logged, so a failure can be read without a rerun. */
const explain = (v: RunningVaid) => (e: Error) => {
  const seen = Object.values(v.status()?.services ?? {}).map((s) => `${s.name} ${s.phase}: ${s.lastCheck?.message ?? 'no check'}`);
  throw new Error(`${e.message}\nstatus: ${seen.join('; ') || 'none'}\nlog tail:\n${v.log().slice(-2000)}`);
};
const names = (v: RunningVaid) => Object.keys(v.status()?.services ?? {}).sort();
const restartsLog = () => (existsSync(dir.join('restarts.log')) ? readFileSync(dir.join('restarts.log'), 'utf8').split('\n').filter(Boolean) : []);
const phase = (v: RunningVaid, name: string) => v.status()?.services[name]?.phase;

before(async () => {
  if (skip) return;
  dir = testdir({}, 'vai-selector-');
  for (const name of ['api', 'db', 'worker', 'tool']) ports.set(name, await freePort());
  dir.write('manifests/api.yaml', manifest('api', 'vps1'));
  dir.write('manifests/db.yaml', manifest('db', 'vps2'));
  dir.write('manifests/worker.yaml', manifest('worker', 'vps2', ['db']));
  dir.write('manifests/tool.yaml', manifest('tool', null));
  for (const name of ['api', 'db', 'worker', 'tool']) started.set(name, startGroup('bash', ['-c', `exec ${serviceCmd(name)}`]));
  await waitFor(() => ['api', 'db', 'worker', 'tool'].every((n) => existsSync(dir.join(`${n}.pid`))), { what: 'services listening' });
  const m = dir.join('manifests');
  vps1 = startVaid(['--manifests', m, '--state-dir', dir.join('vps1'), '--selector', 'host=vps1'], { stateDir: dir.join('vps1') });
  vps2 = startVaid(['--manifests', m, '--state-dir', dir.join('vps2')], { stateDir: dir.join('vps2'), env: { VAI_SELECTOR: 'host=vps2' } });
});

after(async () => {
  if (skip) return;
  await Promise.all([vps1?.stop(), vps2?.stop()]);
  for (const s of started.values()) await s.kill();
  for (const f of readdirSync(dir.path).filter((f) => f.endsWith('.pid'))) killGroupOf(Number(readFileSync(dir.join(f), 'utf8')));
  dir.remove();
});

test('each vaid reconciles only the services its selector matches', { skip }, async () => {
  await waitFor(() => phase(vps1, 'api') === 'Healthy', { what: 'api Healthy on vps1', timeoutMs: 60_000 }).catch(explain(vps1));
  await waitFor(() => phase(vps2, 'db') === 'Healthy' && phase(vps2, 'worker') === 'Healthy', { what: 'db and worker Healthy on vps2', timeoutMs: 60_000 }).catch(explain(vps2));
  assert.deepEqual(names(vps1), ['api']);
  assert.deepEqual(names(vps2), ['db', 'worker'], 'tool has no host label: neither host runs it');
  // Right after start worker may have been checked before db was: the condition catches up at its next reconcile.
  await waitFor(() => vps2.status()?.services.worker?.conditions.find((c) => c.type === 'DependenciesReady')?.status === 'True', { what: 'worker DependenciesReady=True', timeoutMs: 30_000 }).catch(explain(vps2));
  assert.deepEqual(restartsLog(), [], 'nothing was restarted');
});

test('a killed service is recovered by its own host only', { skip }, async () => {
  await started.get('api')!.kill();
  started.delete('api');
  await waitFor(() => vps1.status()?.services.api?.restarts.count === 1 && phase(vps1, 'api') === 'Healthy', { what: 'api recovered by vps1', timeoutMs: 60_000 });
  assert.deepEqual(restartsLog(), ['api'], 'exactly one restart, by one host');
  const w = vps2.status()!.services.worker!;
  assert.equal(w.restarts.count, 0);
  assert.equal(vps2.status()!.services.db!.restarts.count, 0);
  assert.deepEqual(names(vps2), ['db', 'worker']);
});

test('moving a label in the repo moves the service to the other host', { skip }, async () => {
  dir.write('manifests/tool.yaml', manifest('tool', 'vps1'));
  await waitFor(() => names(vps1).join() === 'api,tool' && names(vps2).join() === 'db,worker', { what: 'tool now on vps1 only', timeoutMs: 60_000 }).catch(explain(vps1));
  await waitFor(() => phase(vps1, 'tool') === 'Healthy', { what: 'tool Healthy on vps1', timeoutMs: 60_000 });
  dir.write('manifests/tool.yaml', manifest('tool', 'vps2'));
  await waitFor(() => names(vps1).join() === 'api' && names(vps2).join() === 'db,tool,worker', { what: 'tool moved from vps1 to vps2', timeoutMs: 60_000 }).catch(explain(vps2));
  await waitFor(() => phase(vps2, 'tool') === 'Healthy', { what: 'tool Healthy on vps2', timeoutMs: 60_000 });
  assert.deepEqual(restartsLog(), ['api'], 'moving a healthy service restarts nothing');
});

test('a dependency may run on the other host: db moves to vps1 while worker on vps2 needs it', { skip }, async () => {
  dir.write('manifests/db.yaml', manifest('db', 'vps1'));
  await waitFor(() => names(vps1).includes('db') && !names(vps2).includes('db'), { what: 'db on vps1 only', timeoutMs: 60_000 }).catch(explain(vps2));
  assert.deepEqual(vps1.status()!.manifests.errors, []);
  assert.deepEqual(vps2.status()!.manifests.errors, [], 'a dependency outside the selector is no manifest error');
  await waitFor(() => phase(vps1, 'db') === 'Healthy', { what: 'db Healthy on vps1', timeoutMs: 60_000 }).catch(explain(vps1));
  const worker = vps2.status()!.services.worker!;
  assert.equal(worker.phase, 'Healthy');
  assert.equal(worker.conditions.find((c) => c.type === 'DependenciesReady')?.status, 'True', 'another host\'s service counts as ready');

  // worker is still recovered by vps2, which does not wait for a check of db it cannot make.
  await started.get('worker')!.kill();
  started.delete('worker');
  await waitFor(() => vps2.status()?.services.worker?.restarts.count === 1 && phase(vps2, 'worker') === 'Healthy', { what: 'worker recovered by vps2', timeoutMs: 60_000 }).catch(explain(vps2));
  assert.deepEqual(restartsLog(), ['api', 'worker'], 'db was never restarted: moving it restarted nothing, and only vps2 restarted worker');
  assert.equal(vps1.status()!.services.db!.restarts.count, 0);
});
