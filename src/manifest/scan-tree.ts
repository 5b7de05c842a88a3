// Finding the manifest files under a directory. Hidden entries (`.git`, editor swap files)
// are skipped; only *.yaml, *.yml and *.json count. Symlinks are followed only when they
// resolve inside the manifest directory (a ConfigMap-style `..data` link works; a link to
// /etc/shadow or to another tree does not). With permission checks on, an unsafe directory
// or file is refused and nothing under it takes effect.
// The fs calls are synchronous on purpose: a thousand small lstat/stat calls through the
// promise API cost ten times more (thread-pool hops, measured), and block for only a few ms.
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ManifestError } from './types.js';
import type { ErrorCode } from '../errors.js';
import { MANIFEST_EXTENSIONS, MAX_DIR_DEPTH, MAX_FILES } from './limits.js';
import { unsafeReason } from './file-permissions.js';

export interface FileStamp {
  size: number;
  mtimeMs: number;
  /** Changes whenever the file's content may have: inode, size, mtime, ctime. */
  key: string;
}

export interface ScanResult {
  root: string;
  /** Manifest files, absolute, in sorted order. */
  files: string[];
  /** What the scan saw of each file: an oversized file is refused before it is read, and an unchanged one need not be read again. */
  stats: Map<string, FileStamp>;
  errors: ManifestError[];
  /** Files and dirs that were refused: what they defined when last good stays in force. */
  failed: string[];
}

const FIX = 'chmod go-w it (and chown it to root), or run vaid with --allow-unsafe-permissions';

function fileError(code: ErrorCode, file: string, message: string): ManifestError {
  return { code, file, line: 1, column: 1, path: '', message };
}

function isManifestName(name: string): boolean {
  return MANIFEST_EXTENSIONS.some((ext) => name.endsWith(ext));
}

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}

export async function scanTree(dir: string, opts: { checkPermissions: boolean }): Promise<ScanResult> {
  const root = path.resolve(dir);
  // Once per scan, not per file: getuid() showed in the profile of a 1,000-file reload.
  const ownUid = process.getuid?.() ?? 0;
  const result: ScanResult = { root, files: [], stats: new Map(), errors: [], failed: [] };
  const refuse = (code: ErrorCode, p: string, message: string) => {
    result.errors.push(fileError(code, p, message));
    result.failed.push(p);
  };
  let realRoot: string;
  try {
    const st = statSync(root);
    if (!st.isDirectory()) {
      refuse('VAI_E_MANIFEST_READ', root, 'the manifest directory is not a directory');
      return result;
    }
    realRoot = realpathSync(root);
    const why = opts.checkPermissions ? unsafeReason(st, ownUid) : undefined;
    if (why) {
      refuse('VAI_E_UNSAFE_PERMISSIONS', root, `the manifest directory ${why}; vaid refuses it: ${FIX}`);
      return result;
    }
  } catch (e) {
    refuse('VAI_E_MANIFEST_READ', root, `cannot read the manifest directory: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return result;
  }
  const visited = new Set<string>([realRoot]);

  const walk = (shown: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(shown).sort();
    } catch (e) {
      refuse('VAI_E_MANIFEST_READ', shown, `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return;
    }
    const entries = names.filter((n) => !n.startsWith('.')).map((name) => {
      const p = path.join(shown, name);
      try {
        let st = lstatSync(p);
        if (st.isSymbolicLink()) {
          const target = realpathSync(p);
          if (!within(realRoot, target)) {
            if (isManifestName(name) || statSync(p).isDirectory()) {
              refuse('VAI_E_UNSAFE_PERMISSIONS', p, `is a symlink to ${target}, outside the manifest directory; vaid does not follow it`);
            }
            return undefined;
          }
          st = statSync(p);
        }
        return { name, p, st };
      } catch (e) {
        if (isManifestName(name)) refuse('VAI_E_MANIFEST_READ', p, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        return undefined;
      }
    });
    for (const entry of entries) {
      if (!entry) continue;
      const { name, p, st } = entry;
      if (st.isDirectory()) {
        let real = p;
        try {
          real = realpathSync(p);
        } catch {
          real = p;
        }
        if (visited.has(real)) continue;
        visited.add(real);
        const why = opts.checkPermissions ? unsafeReason(st, ownUid) : undefined;
        if (why) {
          refuse('VAI_E_UNSAFE_PERMISSIONS', p, `directory ${why}; vaid refuses everything in it: ${FIX}`);
          continue;
        }
        if (depth >= MAX_DIR_DEPTH) {
          refuse('VAI_E_MANIFEST_READ', p, `directories nested deeper than ${MAX_DIR_DEPTH} levels are not read`);
          continue;
        }
        walk(p, depth + 1);
        continue;
      }
      if (!st.isFile() || !isManifestName(name)) continue;
      const why = opts.checkPermissions ? unsafeReason(st, ownUid) : undefined;
      if (why) {
        refuse('VAI_E_UNSAFE_PERMISSIONS', p, `file ${why}; vaid refuses it: ${FIX}`);
        continue;
      }
      if (result.files.length >= MAX_FILES) {
        refuse('VAI_E_MANIFEST_READ', p, `more than ${MAX_FILES} manifest files; the rest are not read`);
        return;
      }
      result.files.push(p);
      result.stats.set(p, { size: st.size, mtimeMs: st.mtimeMs, key: `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` });
    }
  };
  walk(root, 0);
  result.files.sort();
  return result;
}
