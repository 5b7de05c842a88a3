// A real git remote for pull-mode tests: a bare repository on disk, a work clone that commits
// and pushes to it, and optionally `git daemon` serving it on loopback (git://).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './vaid.js';
import { waitFor } from './wait.js';

const ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 't@example.com' };

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface GitRemote {
  bare: string;
  work: string;
  url: string;
  /** Writes files (null deletes), commits them, pushes; returns the commit id. */
  commit(files: Record<string, string | null>, message?: string, extra?: string[]): string;
  /** Points the remote's branch at an older commit (a force-push). */
  forcePush(commit: string): void;
}

export function gitRemote(root: string, branch = 'main'): GitRemote {
  const bare = path.join(root, 'remote.git');
  const work = path.join(root, 'work');
  mkdirSync(bare, { recursive: true });
  git(bare, 'init', '--bare', '--quiet', `--initial-branch=${branch}`);
  mkdirSync(work, { recursive: true });
  git(work, 'init', '--quiet', `--initial-branch=${branch}`);
  git(work, 'remote', 'add', 'origin', bare);
  return {
    bare,
    work,
    url: `file://${bare}`,
    commit(files, message = 'change', extra = []) {
      for (const [rel, content] of Object.entries(files)) {
        const p = path.join(work, rel);
        if (content === null) rmSync(p, { force: true });
        else {
          mkdirSync(path.dirname(p), { recursive: true });
          writeFileSync(p, content);
        }
      }
      git(work, 'add', '-A');
      git(work, 'commit', '--quiet', '--allow-empty', '-m', message, ...extra);
      git(work, 'push', '--quiet', '--force', 'origin', `HEAD:${branch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    forcePush(commit) {
      git(work, 'reset', '--quiet', '--hard', commit);
      git(work, 'push', '--quiet', '--force', 'origin', `HEAD:${branch}`);
    },
  };
}

/** `git daemon` on 127.0.0.1 serving the directory that holds remote.git; stop() kills it by pid. */
export async function gitDaemon(baseDir: string): Promise<{ url: (repo: string) => string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn('git', ['daemon', `--base-path=${baseDir}`, '--export-all', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, baseDir], { stdio: 'ignore', env: ENV });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  await waitFor(
    () => {
      try {
        execFileSync('git', ['ls-remote', `git://127.0.0.1:${port}/remote.git`], { env: ENV, stdio: 'ignore', timeout: 5_000 });
        return true;
      } catch {
        return false;
      }
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'git daemon answering' },
  );
  return {
    url: (repo) => `git://127.0.0.1:${port}/${repo}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function serviceManifest(name: string, extra = ''): string {
  return `apiVersion: vai/v1
kind: Service
metadata:
  name: ${name}
spec:
  health_check:
    type: custom
    command: "true"
    interval_seconds: 3600
  restart_cmd: "true"
${extra}`;
}
