// The trees of fetched commits, STATE_DIR/source/trees/<commit>, and the `current` symlink that
// names the applied one. A tree is written whole into a temp directory and renamed into place,
// and `current` is swapped by rename(2) of a new symlink over it: the manifest watcher sees the
// old commit's tree or the new one, never a half-written mix. A vaid killed mid-switch leaves
// at most a temp directory (removed at the next start) and a consistent `current`.
import { lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export class SourceTrees {
  readonly treesDir: string;
  readonly current: string;

  constructor(readonly root: string) {
    this.treesDir = path.join(root, 'trees');
    this.current = path.join(root, 'current');
    mkdirSync(this.treesDir, { recursive: true, mode: 0o755 });
  }

  tree(commit: string): string {
    if (!COMMIT.test(commit)) throw new Error(`not a commit id: ${commit}`);
    return path.join(this.treesDir, commit);
  }

  has(commit: string): boolean {
    try {
      return lstatSync(this.tree(commit)).isDirectory();
    } catch {
      return false;
    }
  }

  /** A fresh temp directory for a commit's files; hand it to commit() once complete. */
  staging(commit: string): string {
    const dir = path.join(this.treesDir, `.tmp-${commit}-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o755 });
    return dir;
  }

  /** Moves a complete staging directory to its final name. */
  commit(staging: string, commit: string): string {
    const dest = this.tree(commit);
    rmSync(dest, { recursive: true, force: true });
    renameSync(staging, dest);
    return dest;
  }

  /** The applied commit: where `current` points, or null before the first switch. */
  applied(): string | null {
    try {
      const target = path.basename(readlinkSync(this.current));
      return COMMIT.test(target) ? target : null;
    } catch {
      return null;
    }
  }

  switchTo(commit: string): void {
    const tmp = `${this.current}.tmp-${process.pid}`;
    rmSync(tmp, { force: true });
    symlinkSync(path.join('trees', commit), tmp);
    renameSync(tmp, this.current);
  }

  /** Removes temp directories and every tree but those kept (the applied one and its predecessor). */
  prune(keep: readonly (string | null)[]): void {
    const kept = new Set(keep.filter((k): k is string => !!k));
    for (const entry of readdirSync(this.treesDir)) {
      if (kept.has(entry)) continue;
      rmSync(path.join(this.treesDir, entry), { recursive: true, force: true });
    }
    for (const entry of readdirSync(this.root)) {
      if (entry.startsWith('current.tmp-')) rmSync(path.join(this.root, entry), { force: true });
      // A keyring verify.ts left when vaid was killed mid-verification.
      else if (entry.startsWith('gnupg-')) rmSync(path.join(this.root, entry), { recursive: true, force: true });
    }
  }
}
