// The git revision a manifest directory is at, as Flux records it: the commit of HEAD and
// whether the tree under the directory has uncommitted changes. null outside a work tree.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Revision } from './types.js';

function git(dir: string, args: string[]): Promise<string | undefined> {
  // A GIT_DIR inherited from a hook or a wrapper would point git at another repository.
  const env = { ...process.env };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR']) delete env[k];
  env.GIT_OPTIONAL_LOCKS = '0';
  return new Promise((resolve) => {
    execFile('git', ['-C', dir, ...args], { env, timeout: 10_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      resolve(err ? undefined : stdout);
    });
  });
}

/** Whether `dir` or a parent holds a .git entry: outside a repository no git process is spawned. */
function maybeInRepo(dir: string): boolean {
  for (let d = path.resolve(dir), i = 0; i < 256; i++) {
    if (existsSync(path.join(d, '.git'))) return true;
    const up = path.dirname(d);
    if (up === d) return false;
    d = up;
  }
  return true;
}

export async function gitRevision(dir: string): Promise<Revision | null> {
  if (!maybeInRepo(dir)) return null;
  const inside = await git(dir, ['rev-parse', '--is-inside-work-tree']);
  if (inside?.trim() !== 'true') return null;
  const [head, status] = await Promise.all([git(dir, ['rev-parse', '--verify', '-q', 'HEAD']), git(dir, ['status', '--porcelain', '--', '.'])]);
  return { commit: head?.trim() || null, dirty: status === undefined ? true : status.trim() !== '' };
}
