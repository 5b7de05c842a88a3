// The Docker executor against a real engine (a private dockerd, busybox image, --network none):
// checks and commands run inside the container, where localhost is the container's.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { createExecutor } from '../../src/executor/index.js';
import type { Executor, ServiceTarget } from '../../src/executor/types.js';
import type { HealthCheck, ServiceSpec } from '../../src/manifest/schema.js';
import { testEngine, runContainer, execText, type TestEngine } from '../support/docker.js';
import { healthCheck, serviceSpec } from '../support/service-spec.js';
import { testdir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';

const got = await testEngine();
const skip = 'skip' in got ? got.skip : false;
const dir = testdir();
const suffix = Math.random().toString(36).slice(2, 8);
const WEB = `vai-web-${suffix}`;

const hc = healthCheck;
function svc(name: string, container: string, spec: Partial<ServiceSpec> & { health_check: HealthCheck }): ServiceTarget {
  return { name, workingDir: dir.path, defaultLogPath: dir.join('logs', `${name}.log`), spec: serviceSpec({ container, ...spec }) };
}

describe('docker executor against a real engine', { skip }, () => {
  let engine: TestEngine;
  let ex: Executor;
  let web: Docker.Container;
  const containers: Docker.Container[] = [];

  before(async () => {
    engine = (got as { engine: TestEngine }).engine;
    ex = createExecutor({ logsDir: dir.join('logs'), dockerHost: engine.host });
    // httpd on 8080, and on 8081 a listener that accepts and never answers (a hung service).
    web = await runContainer(engine, WEB, 'mkdir -p /www; echo hello-vai > /www/index.html; (while true; do sleep 100000 | nc -l -p 8081 >/dev/null; done) & exec httpd -f -p 8080 -h /www');
    containers.push(web);
    await waitFor(async () => (await execText(web, ['wget', '-q', '-O', '-', 'http://127.0.0.1:8080/index.html'])).includes('hello-vai'), { what: 'httpd up in the container' });
  });
  after(async () => {
    await ex?.close();
    for (const c of containers) await c.remove({ force: true }).catch(() => undefined);
    await engine?.stop();
    dir.remove();
  });

  test('http inside the container: 200 healthy, 404 unhealthy, body_contains', async () => {
    const ok = await ex.check(svc('web', WEB, { health_check: hc({ type: 'http', endpoint: 'http://localhost:8080/index.html' }) }));
    assert.equal(ok.health, 'healthy', ok.message);
    assert.match(ok.message, new RegExp(`^HTTP 200 from http://localhost:8080/index.html in container ${WEB} after [\\d.]+ m?s$`));
    const missing = await ex.check(svc('web', WEB, { health_check: hc({ type: 'http', endpoint: 'http://127.0.0.1:8080/nope' }) }));
    assert.equal(missing.health, 'unhealthy');
    assert.equal(missing.reason, 'HttpStatus');
    assert.match(missing.message, /^HTTP 404 from/);
    const body = await ex.check(svc('web', WEB, { health_check: hc({ type: 'http', endpoint: 'http://127.0.0.1:8080/', body_contains: 'hello-vai' }) }));
    assert.equal(body.health, 'healthy', body.message);
    const wrong = await ex.check(svc('web', WEB, { health_check: hc({ type: 'http', endpoint: 'http://127.0.0.1:8080/', body_contains: 'goodbye' }) }));
    assert.equal(wrong.reason, 'BodyMismatch');
  });

  test('http inside the container: refused and hung', async () => {
    const refused = await ex.check(svc('web', WEB, { health_check: hc({ type: 'http', endpoint: 'http://127.0.0.1:9/' }) }));
    assert.equal(refused.health, 'unhealthy');
    assert.equal(refused.reason, 'ConnectFailed');
    assert.match(refused.message, /refused/i);
    const hung = await ex.check(svc('web', WEB, { health_check: hc({ type: 'http', endpoint: 'http://127.0.0.1:8081/', timeout_seconds: 0.5 }) }));
    assert.equal(hung.health, 'unhealthy');
    assert.equal(hung.reason, 'Timeout');
    assert.match(hung.message, /^timed out after 500 ms/);
  });

  test('tcp inside the container: the container\'s localhost, not the host\'s', async () => {
    const ok = await ex.check(svc('web', WEB, { health_check: hc({ type: 'tcp', host: '127.0.0.1', port: 8080 }) }));
    assert.equal(ok.health, 'healthy', ok.message);
    const refused = await ex.check(svc('web', WEB, { health_check: hc({ type: 'tcp', host: '127.0.0.1', port: 9 }) }));
    assert.equal(refused.health, 'unhealthy');
    assert.equal(refused.reason, 'ConnectFailed');
  });

  test('process inside the container, never matching vai\'s own wrapper', async () => {
    const ok = await ex.check(svc('web', WEB, { health_check: hc({ type: 'process', process_name: 'httpd -f -p 80[0-9]+' }) }));
    assert.equal(ok.health, 'healthy', ok.message);
    assert.match(ok.message, /^pid \d+ .*httpd -f -p 8080/);
    const none = await ex.check(svc('web', WEB, { health_check: hc({ type: 'process', process_name: 'minio server' }) }));
    assert.equal(none.health, 'unhealthy');
    assert.equal(none.reason, 'ProcessNotFound');
    // Text of vai's own wrapper script and its watchdog's `sleep 5`: must not count.
    const self = await ex.check(svc('web', WEB, { health_check: hc({ type: 'process', process_name: 'VAI_TIMEOUT|VAI_KILL_ON_EXIT|^sleep 5$', timeout_seconds: 5 }) }));
    assert.equal(self.health, 'unhealthy', self.message);
  });

  test('custom inside the container: exit code, last lines, timeout that leaves nothing behind', async () => {
    const ok = await ex.check(svc('web', WEB, { health_check: hc({ type: 'custom', command: 'test -f /www/index.html && test "$VAI_SERVICE" = web' }) }));
    assert.equal(ok.health, 'healthy', ok.message);
    const bad = await ex.check(svc('web', WEB, { health_check: hc({ type: 'custom', command: 'echo first; echo "no quorum" >&2; exit 2' }) }));
    assert.equal(bad.health, 'unhealthy');
    assert.equal(bad.reason, 'CommandFailed');
    assert.match(bad.message, /^exit 2 after [\d.]+ m?s: first \| no quorum$/);
    const hung = await ex.check(svc('web', WEB, { health_check: hc({ type: 'custom', command: 'echo waiting; sleep 1234', timeout_seconds: 0.5 }) }));
    assert.equal(hung.reason, 'Timeout');
    assert.match(hung.message, /^timed out after 500 ms(: waiting)?$/);
    await waitFor(async () => !(await execText(web, ['ps'])).includes('sleep 1234'), { what: 'the hung check gone from the container' });
  });

  test('restart_cmd with & inside the container returns and its daemon keeps running; output to log_path in the container', async () => {
    const t = svc('daemon', WEB, { health_check: hc({ type: 'tcp', port: 8090 }), restart_cmd: 'echo "starting $VAI_SERVICE"; httpd -f -p 8090 -h /www & echo $! > /tmp/daemon.pid', log_path: '/var/log/vai/daemon.log' });
    const r = await ex.run(t, 'restart');
    assert.equal(r.ok, true, r.message);
    assert.ok(r.durationMs < 10_000, `took ${r.durationMs} ms`);
    await waitFor(async () => (await ex.check(t)).health === 'healthy', { what: 'daemon answering' });
    assert.match(await execText(web, ['cat', '/var/log/vai/daemon.log']), /starting daemon/);
    const stop = await ex.run({ ...t, spec: { ...t.spec, stop_cmd: 'kill "$(cat /tmp/daemon.pid)"' } }, 'stop');
    assert.equal(stop.ok, true, stop.message);
  });

  test('without log_path, a container command\'s output lands in the per-service log on the host', async () => {
    const t = svc('nolog', WEB, { health_check: hc({ type: 'tcp', port: 1 }), restart_cmd: 'echo "from the container"; exit 3' });
    const r = await ex.run(t, 'restart');
    assert.equal(r.ok, false);
    assert.equal(r.exitCode, 3);
    assert.match(readFileSync(t.defaultLogPath, 'utf8'), /from the container/);
  });

  test('a command past its timeout is killed inside the container', async () => {
    const t = svc('slow', WEB, { health_check: hc({ type: 'tcp', port: 1 }), restart_cmd: 'sleep 4321', command_timeout_seconds: 0.5 });
    const r = await ex.run(t, 'restart');
    assert.equal(r.timedOut, true);
    assert.equal(r.message, 'killed after timeout of 500 ms');
    await waitFor(async () => !(await execText(web, ['ps'])).includes('sleep 4321'), { what: 'the command gone from the container' });
  });

  test('pid_file inside the container', async () => {
    await execText(web, ['sh', '-c', 'pidof httpd | tr " " "\\n" | tail -1 > /tmp/web.pid; echo 999999 > /tmp/dead.pid']);
    assert.equal(await ex.probePid(svc('web', WEB, { health_check: hc({ type: 'tcp', port: 8080 }), pid_file: '/tmp/web.pid' })), 'alive');
    assert.equal(await ex.probePid(svc('web', WEB, { health_check: hc({ type: 'tcp', port: 8080 }), pid_file: '/tmp/dead.pid' })), 'dead');
    assert.equal(await ex.probePid(svc('web', WEB, { health_check: hc({ type: 'tcp', port: 8080 }), pid_file: '/tmp/none.pid' })), 'unknown');
  });

  test('container pid probes are rate-limited (one exec per service per interval) and still see a crash', async () => {
    await execText(web, ['sh', '-c', 'sleep 5555 >/dev/null 2>&1 & echo $! > /tmp/crash.pid']);
    const t = svc('crash', WEB, { health_check: hc({ type: 'tcp', port: 8080 }), pid_file: '/tmp/crash.pid' });
    assert.equal(await ex.probePid(t), 'alive');
    await execText(web, ['sh', '-c', 'kill "$(cat /tmp/crash.pid)"']);
    assert.equal(await ex.probePid(t), 'alive', 'answered from the last probe, without a new exec');
    await waitFor(async () => (await ex.probePid(t)) === 'dead', { what: 'the crash seen after the interval' });
  });

  test('docker check: running is healthy; HEALTHCHECK starting is unknown, then healthy or unhealthy', async () => {
    assert.equal((await ex.check(svc('web', WEB, { health_check: hc({ type: 'docker' }) }))).health, 'healthy');
    const name = `vai-hc-${suffix}`;
    const c = await runContainer(engine, name, 'exec sleep 100000', {
      Healthcheck: { Test: ['CMD-SHELL', 'test -f /tmp/ok'], Interval: 200_000_000, Timeout: 1_000_000_000, Retries: 1, StartPeriod: 60_000_000_000 },
    });
    containers.push(c);
    const t = svc('hc', name, { health_check: hc({ type: 'docker' }) });
    const first = await ex.check(t);
    assert.equal(first.health, 'unknown');
    assert.equal(first.reason, 'ContainerStarting');
    await execText(c, ['touch', '/tmp/ok']);
    await waitFor(async () => (await ex.check(t)).health === 'healthy', { what: 'HEALTHCHECK healthy' });
    await execText(c, ['rm', '/tmp/ok']);
    const sick = await waitFor(async () => {
      const r = await ex.check(t);
      return r.health === 'unhealthy' && r;
    }, { what: 'HEALTHCHECK unhealthy' });
    assert.equal(sick.reason, 'ContainerUnhealthy');
  });

  test('restart_container restarts it through the Engine API; a stopped container is unhealthy to a docker check', async () => {
    const name = `vai-rc-${suffix}`;
    const c = await runContainer(engine, name, 'exec sleep 100000');
    containers.push(c);
    const before = (await c.inspect()).State.StartedAt;
    const t = svc('rc', name, { health_check: hc({ type: 'docker' }), restart_container: true, command_timeout_seconds: 2 });
    const r = await ex.run(t, 'restart');
    assert.equal(r.ok, true, r.message);
    assert.notEqual((await c.inspect()).State.StartedAt, before);
    await c.kill();
    const down = await ex.check(t);
    assert.equal(down.health, 'unhealthy');
    assert.equal(down.reason, 'ContainerNotRunning');
    // Exec into a stopped container: the executor cannot look, which is not the service's verdict.
    const http = await ex.check(svc('rc', name, { health_check: hc({ type: 'http', endpoint: 'http://127.0.0.1/' }) }));
    assert.equal(http.health, 'unknown');
    assert.equal(http.reason, 'ContainerNotRunning');
    const cmd = await ex.run(svc('rc', name, { health_check: hc({ type: 'tcp', port: 1 }), restart_cmd: 'true' }), 'restart');
    assert.equal(cmd.unavailable, true);
  });

  test('a missing container is unknown (ContainerMissing); an unreachable engine is unknown (ExecutorUnavailable)', async () => {
    const gone = await ex.check(svc('x', `vai-no-such-${suffix}`, { health_check: hc({ type: 'tcp', port: 1 }) }));
    assert.equal(gone.health, 'unknown');
    assert.equal(gone.reason, 'ContainerMissing');
    const down = createExecutor({ logsDir: dir.path, dockerHost: `unix://${dir.join('no-engine.sock')}` });
    const r = await down.check(svc('x', WEB, { health_check: hc({ type: 'http', endpoint: 'http://127.0.0.1:8080/' }) }));
    assert.equal(r.health, 'unknown');
    assert.equal(r.reason, 'ExecutorUnavailable');
    assert.match(r.message, /Docker engine unreachable/);
    const cmd = await down.run(svc('x', WEB, { health_check: hc({ type: 'tcp', port: 1 }), restart_cmd: 'true' }), 'restart');
    assert.equal(cmd.ok, false);
    assert.equal(cmd.unavailable, true);
    await down.close();
  });
});
