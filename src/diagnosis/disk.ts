// DiskFull / InodesExhausted evidence: statfs of the filesystems a service writes to (log_path's
// directory, the restart command's working directory, watch_paths). One statfs per distinct
// path, on a failure path only. A missing path is looked up by its nearest existing parent (the
// log directory may be what could not be created).
import { statfsSync, type StatsFs } from 'node:fs';
import path from 'node:path';
import type { DiskSighting } from './observation.js';

export const MAX_PATHS = 34;

export function diskSightings(paths: ReadonlyArray<{ path: string; what: string }>): DiskSighting[] {
  const out: DiskSighting[] = [];
  const seen = new Set<string>();
  for (const p of paths.slice(0, MAX_PATHS)) {
    if (seen.has(p.path)) continue;
    seen.add(p.path);
    const st = statfsNearest(p.path);
    if (!st) continue;
    out.push({ path: p.path, what: p.what, freeBytes: st.bavail * st.bsize, totalBytes: st.blocks * st.bsize, freeInodes: st.ffree, totalInodes: st.files });
  }
  return out;
}

function statfsNearest(p: string): StatsFs | null {
  let dir = path.resolve(p);
  for (let i = 0; i < 64; i++) {
    try {
      return statfsSync(dir);
    } catch {
      const up = path.dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  }
  return null;
}
