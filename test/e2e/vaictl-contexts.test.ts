// Contexts across a fleet (issue 21), with two real vaids on loopback ports: vaictl config
// set-context/use-context/get-contexts, --context on read commands, and get -A: one table with
// a HOST column, an unreachable host as one row with its error, exit 0 unless every host failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { freePort, startVaid, VAICTL_BIN, type VaidProcess } from '../support/vaid.js';

const tcpService = (name: string, port: number) => `apiVersion: vai/v1
kind: Service
metadata: { name: ${name}, labels: { tier: ${name} } }
spec:
  health_check: { type: tcp, host: 127.0.0.1, port: ${port}, interval_seconds: 1 }
  restart_cmd: "true"
`;

test('two hosts: --context reads one, get -A reads both at once and shows the dead one as a row', async () => {
  const dir = testdir({}, 'vai-ctx-');
  const [p1, p2, dead] = [await freePort(), await freePort(), await freePort()];
  // Each host checks its own vaid's port: healthy as soon as it listens.
  dir.write('vps1/manifests/api.yaml', tcpService('api', p1));
  dir.write('vps2/manifests/db.yaml', tcpService('db', p2));
  const env = { ...process.env, VAI_CONFIG: dir.join('home/vai/config.yaml'), NO_COLOR: '1' };
  const vaictl = (...args: string[]) => spawnSync(process.execPath, [VAICTL_BIN, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  const vaids: VaidProcess[] = [];
  try {
    vaids.push(await startVaid({ manifests: dir.join('vps1/manifests'), stateDir: dir.join('vps1/state'), args: ['--listen', `127.0.0.1:${p1}`] }));
    vaids.push(await startVaid({ manifests: dir.join('vps2/manifests'), stateDir: dir.join('vps2/state'), args: ['--listen', `127.0.0.1:${p2}`] }));
    await vaids[0]!.waitForService('api', (s) => s.phase === 'Healthy', 'api healthy', 60_000);
    await vaids[1]!.waitForService('db', (s) => s.phase === 'Healthy', 'db healthy', 60_000);

    for (const [name, port] of [['vps1', p1], ['vps2', p2], ['vps3', dead]] as const) {
      const r = vaictl('config', 'set-context', name, '--server', `http://127.0.0.1:${port}`);
      assert.equal(r.status, 0, r.stderr);
    }
    assert.equal((statSync(env.VAI_CONFIG).mode & 0o777).toString(8), '600');
    assert.match(vaictl('config', 'get-contexts').stdout, /^CURRENT\s+NAME\s+SERVER\s+TOKEN FILE\n\*\s+vps1\s+http:\/\/127\.0\.0\.1:\d+\s+<none>\n\s+vps2 /);
    assert.equal(vaictl('config', 'use-context', 'vps2').status, 0);
    assert.equal(vaictl('config', 'current-context').stdout, 'vps2\n');

    const one = vaictl('get', '--context', 'vps2');
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /\ndb\s+Running\s+Healthy\s+healthy/);
    assert.doesNotMatch(one.stdout, /\napi\s/);
    const desc = vaictl('describe', 'db', '--context', 'vps2');
    assert.equal(desc.status, 0, desc.stderr);
    assert.match(desc.stdout, /^Name:\s+db$/m);
    assert.equal(vaictl('events', '--context', 'vps1').status, 0);
    assert.match(vaictl('get', '--context', 'nosuch').stderr, /no context "nosuch" in .*config\.yaml \(contexts: vps1, vps2, vps3\)/);

    const all = vaictl('get', '-A', '--request-timeout', '3s');
    console.log(`# vaictl get -A\n${all.stdout.replace(/^/gm, '# ')}`);
    assert.equal(all.status, 0, `one host down is not a failure: ${all.stderr}`);
    const lines = all.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^HOST\s+NAME\s+DESIRED\s+PHASE\s+HEALTH\s+RESTARTS\s+LAST CHECK\s+AGE$/);
    assert.match(lines[1]!, /^vps1\s+api\s+Running\s+Healthy\s+healthy\s/);
    assert.match(lines[2]!, /^vps2\s+db\s+Running\s+Healthy\s+healthy\s/);
    assert.match(lines[3]!, /^vps3\s+<error>\s+cannot reach http:\/\/127\.0\.0\.1:\d+: /);
    assert.equal(lines[1]!.indexOf('api'), lines[0]!.indexOf('NAME'), 'rows line up under the header');

    const json = JSON.parse(vaictl('get', '-A', '-o', 'json').stdout) as { kind: string; items: Array<{ metadata: { name: string; host: string } }> };
    assert.deepEqual(json.items.map((o) => `${o.metadata.host}/${o.metadata.name}`), ['vps1/api', 'vps2/db']);
    assert.match(vaictl('get', '-A', '--field-selector', 'name=db', '-o', 'name').stdout, /^vps2\/service\/db\n$/);

    vaictl('config', 'delete-context', 'vps1');
    vaictl('config', 'delete-context', 'vps2');
    const none = vaictl('get', '-A', '--request-timeout', '2s');
    assert.equal(none.status, 1, 'every host failed');
    assert.match(none.stdout, /^vps3\s+<error>/m);
  } finally {
    for (const v of vaids) await v.stop();
    dir.remove();
  }
});

test('a wrong config file is an error naming the file, line, column and field', () => {
  const dir = testdir({ 'config.yaml': 'contexts:\n  - name: vps1\n    server: vps1:9753\n' }, 'vai-ctx-bad-');
  try {
    const r = spawnSync(process.execPath, [VAICTL_BIN, 'get', '--context', 'vps1'], { encoding: 'utf8', env: { ...process.env, VAI_CONFIG: dir.join('config.yaml') } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`${dir.join('config.yaml')}:2:5: contexts\\[0\\]\\.server: "vps1:9753" is not an http:// or https:// URL .*\\[VAI_E_CONFIG\\]`));
    assert.equal(readFileSync(dir.join('config.yaml'), 'utf8').includes('vps1:9753'), true, 'nothing was rewritten');
  } finally {
    dir.remove();
  }
});
