// Pull mode: time from `git push` to the commit being the applied revision in status.json, with
// the fetch interval (10 s: expect about half of it on average) and with a signed webhook sent
// right after the push (interval an hour, so only the hook brings the commit in).
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, type Figure } from '../lib/figure.js';
import { freePort } from '../lib/ports.js';
import { startVaid, waitStatus } from '../lib/vaid.js';

const ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@example.com' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trim();

function manifest(name: string): string {
  return `apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  health_check:\n    type: custom\n    command: "true"\n    interval_seconds: 3600\n  restart_cmd: "true"\n`;
}

export async function runGitops(o: { pushes: number; intervalSeconds: number }, log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-git-'));
  try {
    const bare = path.join(dir, 'remote.git');
    const work = path.join(dir, 'work');
    mkdirSync(bare);
    mkdirSync(work);
    git(bare, 'init', '--bare', '-q', '--initial-branch=main');
    git(work, 'init', '-q', '--initial-branch=main');
    git(work, 'remote', 'add', 'origin', bare);
    let n = 0;
    const push = (): { sha: string; at: number } => {
      writeFileSync(path.join(work, `s${n}.yaml`), manifest(`svc-${n}`));
      n++;
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', `svc ${n}`);
      const at = performance.now();
      git(work, 'push', '-q', 'origin', 'HEAD:main');
      return { sha: git(work, 'rev-parse', 'HEAD'), at };
    };
    push();
    const measure = async (mode: 'interval' | 'webhook'): Promise<number[]> => {
      const secret = 'bench-hook-secret-0123456789abcdef';
      const port = await freePort();
      const args = ['--git-url', `file://${bare}`, '--git-interval', String(mode === 'interval' ? o.intervalSeconds : 3600)];
      if (mode === 'webhook') {
        writeFileSync(path.join(dir, 'secret'), secret);
        args.push('--git-webhook-secret-file', path.join(dir, 'secret'), '--listen', `127.0.0.1:${port}`);
      }
      const vaid = await startVaid({ manifestsDir: path.join(dir, 'unused'), stateDir: path.join(dir, `state-${mode}`), extraArgs: args });
      const times: number[] = [];
      try {
        await waitStatus(vaid, (s) => s.source?.appliedRevision, { what: 'first commit applied' });
        for (let i = 0; i < o.pushes; i++) {
          // Applying follows a fetch, so a push right after one waits a whole interval: push at a
          // random point of the interval instead, as a person does.
          if (mode === 'interval') await new Promise((r) => setTimeout(r, Math.random() * o.intervalSeconds * 1000));
          const p = push();
          if (mode === 'webhook') {
            const body = '{}';
            await fetch(`http://127.0.0.1:${port}/hooks/git`, { method: 'POST', body, headers: { 'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` } });
          }
          await waitStatus(vaid, (s) => s.source?.appliedRevision === p.sha, { timeoutMs: o.intervalSeconds * 3000 + 30_000, everyMs: 10, what: `commit ${p.sha.slice(0, 7)} applied` });
          times.push((performance.now() - p.at) / 1000);
          log(`  ${mode} push ${i + 1}: ${times.at(-1)!.toFixed(2)} s`);
        }
      } finally {
        await vaid.stop();
      }
      return times;
    };
    const interval = await measure('interval');
    const hook = await measure('webhook');
    return [
      figure('git push -> applied', 'vai', `interval ${o.intervalSeconds} s`, 's', interval, { notes: ['pull mode, file:// remote; pushed at a random point of the interval: expect about half of it'] }),
      figure('git push -> applied', 'vai', 'webhook', 's', hook, { notes: ['signed POST /hooks/git right after the push; interval 1 h'] }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
