// testdir({...}): a real temporary directory tree for a test, removed afterwards.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestDir {
  path: string;
  /** Absolute path of a file or dir inside the tree. */
  join(...parts: string[]): string;
  write(rel: string, content: string): string;
  remove(): void;
}

export function testdir(files: Record<string, string> = {}, prefix = 'vai-test-'): TestDir {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const dir: TestDir = {
    path: root,
    join: (...parts) => path.join(root, ...parts),
    write(rel, content) {
      const p = path.join(root, rel);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, content);
      return p;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  for (const [rel, content] of Object.entries(files)) dir.write(rel, content);
  return dir;
}
