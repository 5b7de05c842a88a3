// What a running vaid holds in memory is, first of all, the modules it loaded (issue 23: RSS near
// Node's floor). Its validators are compiled at build time and each sink loads its library when
// it first sends, so a vaid watching a healthy http service never loads the schema builder
// (TypeBox, ~15 MB), ajv's compiler, nodemailer (~15 MB) or dockerode. A resolve hook (run on
// the loader thread) lists every module the real vaid loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { testdir } from '../support/testdir.js';
import { assertBuilt, freePort, httpServiceManifest, killPidFiles, startVaid } from '../support/vaid.js';

const NEVER = ['/node_modules/@sinclair/typebox/', '/node_modules/ajv/dist/compile/', '/node_modules/ajv/dist/2020', '/node_modules/nodemailer/', '/node_modules/dockerode/'];

test('vaid watching a healthy http service loads no TypeBox, ajv compiler, nodemailer or dockerode', async (t) => {
  assertBuilt();
  const dir = testdir({}, 'vai-lazy-');
  t.after(() => dir.remove());
  const log = dir.join('modules.log');
  writeFileSync(log, '');
  dir.write('hooks.mjs', `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
  dir.write('register.mjs', `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(dir.join('hooks.mjs')).href)});\n`);
  const port = await freePort();
  dir.write('manifests/web.yaml', httpServiceManifest({ name: 'web', port, runDir: dir.join('run'), startupDelay: 20 }));
  dir.write('run/.keep', '');
  // An email notifier is configured but never sends: its library stays unloaded until it does.
  dir.write('manifests/mail.yaml', 'apiVersion: vai/v1\nkind: Notifier\nmetadata:\n  name: mail\nspec:\n  type: email\n  smtp_host: 127.0.0.1\n  smtp_port: 2525\n  tls: none\n  from: vai@example.test\n  to: [ops@example.test]\n');
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), env: { NODE_OPTIONS: `--import ${pathToFileURL(dir.join('register.mjs')).href}` } });
  try {
    await vaid.waitForService('web', (s) => s.phase === 'Healthy' && s.counters.checks >= 2, 'web Healthy, checked twice');
  } finally {
    await vaid.stop();
    killPidFiles(dir.join('run'));
  }
  const modules = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  assert.ok(modules.some((m) => m.endsWith('/dist/src/reconcile/planner.js')), 'the hook saw vaid load its modules');
  assert.deepEqual([...new Set(modules.filter((m) => NEVER.some((n) => m.includes(n))))], []);
});
