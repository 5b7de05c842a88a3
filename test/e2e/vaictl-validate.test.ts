// `vaictl validate` and `vaictl convert` as a person runs them: the built binary as a child
// process (make test builds dist/ first), in real directories, including as a real git
// pre-commit hook that refuses a bad commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testdir } from '../support/testdir.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VAICTL = path.join(ROOT, 'dist/src/cli/vaictl.js');
const EXAMPLES = path.join(ROOT, 'docs/examples');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function vaictl(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries({ ...process.env, NO_COLOR: '1', ...opts.env }).filter(([, v]) => v !== undefined));
    const child = spawn(process.execPath, [VAICTL, ...args], { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const service = (name: string, port: string | number, deps: string[] = []) =>
  `apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  health_check:\n    type: tcp\n    port: ${port}\n  restart_cmd: ./${name}.sh\n  dependencies: [${deps.join(', ')}]\n`;

test('built vaictl exists (run `make build` or `make test`)', () => {
  assert.ok(existsSync(VAICTL), `${VAICTL} missing`);
});

test('validate: clean dir exits 0 with a one-line summary', async () => {
  const r = await vaictl(['validate', EXAMPLES]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '12 services, 1 notifier in 8 files: valid\n');
});

test('validate: problems are printed one per line, sorted, as file:line:col: message [CODE], exit 1', async () => {
  const d = testdir({
    'b.yaml': service('b', '80a'),
    'a.yaml': service('a', 1, ['nope']),
    'c.yaml': 'apiVersion: vai/v1\nkind: Service\nmetadata: {name: c}\nspec: {restart_cmd: x, health_check: {type: tcp, port: 1}, stop_cmnd: x}\n',
  });
  try {
    const r = await vaictl(['validate', '.'], { cwd: d.path });
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      [
        'a.yaml:10:18: spec.dependencies[0]: unknown service "nope" [VAI_E_UNKNOWN_DEPENDENCY]',
        'b.yaml:8:11: spec.health_check.port: must be an integer from 1 to 65535, got "80a" [VAI_E_MANIFEST_SCHEMA]',
        'c.yaml:4:60: spec.stop_cmnd: unknown field "stop_cmnd"; did you mean "stop_cmd"? [VAI_E_MANIFEST_SCHEMA]',
        '',
      ].join('\n'),
    );
    assert.equal(r.stderr, '3 problems in 3 files\n');
  } finally {
    d.remove();
  }
});

test('validate without arguments checks the manifests dir from --manifests / VAI_MANIFESTS', async () => {
  const d = testdir({ 'm/a.yaml': service('a', 1) });
  try {
    const viaEnv = await vaictl(['validate'], { cwd: d.path, env: { VAI_MANIFESTS: 'm' } });
    assert.equal(viaEnv.stdout, '1 service, 0 notifiers in 1 file: valid\n', viaEnv.stderr);
    const missing = await vaictl(['validate'], { cwd: d.path, env: { VAI_MANIFESTS: undefined } });
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /^manifests:1:1: cannot read the manifest directory: ENOENT \[VAI_E_MANIFEST_READ\]\n$/);
  } finally {
    d.remove();
  }
});

test('validate --permissions refuses what vaid would refuse', async () => {
  const d = testdir({ 'a.yaml': service('a', 1) });
  try {
    chmodSync(d.join('a.yaml'), 0o666);
    assert.equal((await vaictl(['validate', d.path])).code, 0);
    const strict = await vaictl(['validate', '--permissions', '.'], { cwd: d.path });
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /^a\.yaml:1:1: file is writable by group and others \(mode 0666\); vaid refuses it/);
  } finally {
    d.remove();
  }
});

test('validate -l checks only the services this host runs', async () => {
  const d = testdir({
    'vps1.yaml': service('web', 1).replace('  name: web', '  name: web\n  labels: {host: vps1}'),
    'vps2.yaml': service('web', 2).replace('  name: web', '  name: web\n  labels: {host: vps2}'),
  });
  try {
    const clash = await vaictl(['validate', d.path]);
    assert.equal(clash.code, 1, `without a selector the two webs clash; stderr: ${clash.stderr}`);
    const r = await vaictl(['validate', '-l', 'host=vps1', d.path]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, '1 service, 0 notifiers in 2 files: valid\n');
    const bad = await vaictl(['validate', '-l', 'host in (vps1', d.path]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid label selector "host in \(vps1": unbalanced parentheses \[VAI_E_USAGE\]/);
  } finally {
    d.remove();
  }
});

test("convert: the seed's system-config.json prints native YAML that validates", async () => {
  const r = await vaictl(['convert', path.join(EXAMPLES, 'system-config.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^# yaml-language-server: \$schema=/);
  assert.match(r.stdout, /container: services-container/);
  const d = testdir({ 'services.yaml': r.stdout });
  try {
    const v = await vaictl(['validate', d.path]);
    assert.equal(v.stdout, '1 service, 0 notifiers in 1 file: valid\n', v.stderr);
  } finally {
    d.remove();
  }
  const usage = await vaictl(['convert']);
  assert.equal(usage.code, 2);
});

test('validate as a git pre-commit hook refuses a commit with a bad manifest', async () => {
  const d = testdir({ 'manifests/a.yaml': service('a', 1) });
  const env = { ...process.env, VAICTL: `${process.execPath} ${VAICTL}` };
  const git = (...args: string[]) => execFileSync('git', ['-C', d.path, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    git('init', '-q');
    const hook = readFileSync(path.join(ROOT, 'docs/examples/pre-commit'), 'utf8');
    d.write('.git/hooks/pre-commit', hook);
    chmodSync(d.join('.git/hooks/pre-commit'), 0o755);
    git('add', '.');
    git('commit', '-q', '-m', 'good');
    d.write('manifests/a.yaml', service('a', 'eighty'));
    git('add', '.');
    let failure: { status?: number; stderr?: string } | undefined;
    try {
      git('commit', '-q', '-m', 'bad');
    } catch (e) {
      failure = e as { status?: number; stderr?: string };
    }
    assert.ok(failure, 'the commit was refused');
    // git shows a hook's output on stderr.
    assert.match(String(failure.stderr), /manifests\/a\.yaml:8:11: spec\.health_check\.port: must be an integer from 1 to 65535, got "eighty"/);
    assert.equal(git('rev-list', '--count', 'HEAD').trim(), '1');
  } finally {
    d.remove();
  }
});
