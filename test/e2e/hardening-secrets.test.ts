// Finding 6 and issue 15's redaction rule, as a property over real runs: for secrets drawn by
// fast-check and put where people put them (a `?token=` and `access_token` in check URLs, URL
// userinfo, `--password=`, `PGPASSWORD=`, mysql's `-p`, curl's `-u user:pass`, an Authorization
// header in a custom check, the ntfy token, a webhook header), no string in status.json and the
// summary, the outbox, vaid's log, the alert bodies received by real ntfy and webhook servers,
// or vaictl's output (get -o json, describe, alerts, events) contains any of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { startNtfyServer } from '../support/ntfy-server.js';
import { testdir } from '../support/testdir.js';
import { startVaid, VAICTL_BIN } from '../support/vaid.js';

function manifest(name: string, spec: string[]): string {
  return ['apiVersion: vai/v1', 'kind: Service', `metadata: { name: ${name} }`, 'spec:', ...spec.map((l) => `  ${l}`), ''].join('\n');
}

/** A real server: /health answers 503 (so checks fail and alerts go out), /hook records bodies. */
async function startTarget(): Promise<{ port: number; hookBodies: string[]; close(): Promise<void> }> {
  const hookBodies: string[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url?.startsWith('/hook')) {
        hookBodies.push(body);
        res.writeHead(200).end('ok');
      } else res.writeHead(503).end('down');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, hookBodies, close: () => new Promise((r) => srv.close(() => r())) };
}

const secret = fc.stringMatching(/^[A-Za-z0-9]{12,20}$/).map((s) => `Zq${s}`);
const secrets = fc.record({ query: secret, accessToken: secret, userPass: secret, userToken: secret, password: secret, pg: secret, mysql: secret, curl: secret, bearer: secret, ntfy: secret, header: secret });

test('no secret from URLs, commands, headers or notifier tokens reaches status, logs, outbox, alerts or vaictl', async () => {
  await fc.assert(
    fc.asyncProperty(secrets, async (s) => {
      const dir = testdir({}, 'vai-secrets-');
      const ntfy = await startNtfyServer();
      const target = await startTarget();
      let vaid: Awaited<ReturnType<typeof startVaid>> | null = null;
      try {
        const base = `http://127.0.0.1:${target.port}`;
        const fail = ['interval_seconds: 0.2', 'timeout_seconds: 1'].join(', ');
        const cmds = [
          `restart_cmd: "PGPASSWORD=${s.pg} true --password=${s.password}; : mysql -u root -p${s.mysql} app; : curl -u admin:${s.curl} ${base}/"`,
          `stop_cmd: ": --token ${s.password} --db-password=${s.pg}"`,
          'startup_delay_seconds: 0.3',
          'max_failures: 1000',
          'backoff_initial_seconds: 0.2',
          'backoff_max_seconds: 0.5',
        ];
        dir.write('manifests/web.yaml', manifest('web', [`health_check: { type: http, endpoint: "${base}/health?token=${s.query}&x=1", ${fail} }`, ...cmds, 'notify_on_fail: alerts']));
        dir.write('manifests/api.yaml', manifest('api', [`health_check: { type: http, endpoint: "${base}/health?access_token=${s.accessToken}", ${fail} }`, ...cmds, 'notify_on_fail: hook']));
        dir.write('manifests/cred.yaml', manifest('cred', [`health_check: { type: http, endpoint: "http://admin:${s.userPass}@127.0.0.1:${target.port}/health", ${fail} }`, ...cmds]));
        dir.write('manifests/tok.yaml', manifest('tok', [`health_check: { type: http, endpoint: "https://${s.userToken}@127.0.0.1:${target.port}/", ${fail} }`, ...cmds]));
        dir.write('manifests/curl.yaml', manifest('curl', [`health_check: { type: custom, command: "curl -fsS -H 'Authorization: Bearer ${s.bearer}' ${base}/health", ${fail} }`, ...cmds, 'notify_on_fail: alerts']));
        dir.write('manifests/alerts.yaml', ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: alerts }', 'spec:', '  type: ntfy', `  server: ${ntfy.url}`, '  topic: alerts', '  cooldown_seconds: 0', ''].join('\n'));
        dir.write('manifests/hook.yaml', ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: hook }', 'spec:', '  type: webhook', `  url: ${base}/hook`, '  header_env: { X-Api-Key: HOOK_KEY }', '  cooldown_seconds: 0', ''].join('\n'));
        ntfy.requireToken = s.ntfy;
        vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), env: { VAI_NTFY_TOKEN: s.ntfy, HOOK_KEY: s.header } });
        const v = vaid;
        await v.waitForStatus((d) => ['cred', 'tok'].every((n) => (d.services[n]?.counters.checks ?? 0) >= 2) && ['web', 'api', 'curl'].every((n) => (d.services[n]?.counters.recoveriesAttempted ?? 0) >= 2), 'every service checked, the failing ones restarted twice', 120_000);
        await v.waitForStatus((d) => d.alerts.recent.filter((r) => r.state === 'delivered').length >= 2, 'alerts delivered to ntfy and the webhook', 120_000);
        assert.ok(ntfy.messages.length > 0 && target.hookBodies.length > 0, 'alerts reached both servers');
        const surfaces: Array<[string, string]> = [];
        for (const args of [['get', '-o', 'json'], ['get', '-o', 'wide'], ['describe', 'web'], ['describe', 'curl'], ['describe', 'cred'], ['alerts'], ['events']]) {
          const r = spawnSync(process.execPath, [VAICTL_BIN, ...args, '--state-dir', dir.join('state'), '--manifests', dir.join('manifests')], { encoding: 'utf8', timeout: 60_000 });
          surfaces.push([`vaictl ${args.join(' ')}`, `${r.stdout}${r.stderr}`]);
        }
        await v.stop();
        surfaces.push(['vaid stdout', v.stdout()], ['vaid stderr', v.stderr()]);
        for (const f of readdirSync(dir.join('state'), { recursive: true, withFileTypes: true })) {
          if (f.isFile()) surfaces.push([path.join(f.parentPath, f.name), readFileSync(path.join(f.parentPath, f.name), 'utf8')]);
        }
        for (const m of ntfy.messages) surfaces.push(['ntfy message', `${m.title ?? ''}\n${m.message}`]);
        for (const b of target.hookBodies) surfaces.push(['webhook body', b]);
        for (const [where, text] of surfaces) {
          for (const [kind, value] of Object.entries(s)) {
            const at = text.indexOf(value);
            assert.ok(at < 0, `the ${kind} secret appears in ${where}: …${text.slice(Math.max(0, at - 120), at + value.length + 40)}…`);
          }
        }
      } finally {
        await vaid?.kill9();
        await ntfy.close();
        await target.close();
        dir.remove();
      }
    }),
    { numRuns: 2, endOnFailure: true },
  );
});
