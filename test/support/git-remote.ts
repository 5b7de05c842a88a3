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

/**
 * `git http-backend` (smart HTTP, as GitHub and Gitea serve it) behind a tiny server on
 * 127.0.0.1 that wants `Authorization: Basic base64(x-access-token:TOKEN)`, as a forge wants a
 * deploy token. Counts the requests it let in and the ones it refused.
 */
export async function gitHttp(baseDir: string, token: string): Promise<{ url: (repo: string) => string; allowed: number; refused: number; stop(): Promise<void> }> {
  const http = await import('node:http');
  const want = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const counts = { allowed: 0, refused: 0 };
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== want) {
      counts.refused++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      return res.end('token required\n');
    }
    counts.allowed++;
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...ENV,
        GIT_PROJECT_ROOT: baseDir,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(u.pathname),
        QUERY_STRING: u.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    // CGI output: headers, a blank line, the body.
    let head = Buffer.alloc(0);
    let started = false;
    cgi.stdout.on('data', (d: Buffer) => {
      if (started) return void res.write(d);
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      started = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const i = line.indexOf(':');
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: (repo) => `http://127.0.0.1:${port}/${repo}`,
    get allowed() {
      return counts.allowed;
    },
    get refused() {
      return counts.refused;
    },
    stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
