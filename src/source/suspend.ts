// `vaictl suspend` / `vaictl resume`: STATE_DIR/source/suspended holds who suspended applying
// and why. While it exists vaid keeps fetching (status shows what waits) but applies nothing.
import { readFileSync, rmSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';

export interface Suspension {
  suspendedAt: string;
  reason: string;
}

export function suspendFile(stateDir: string): string {
  return path.join(stateDir, 'source', 'suspended');
}

export function readSuspension(stateDir: string): Suspension | null {
  let text: string;
  try {
    text = readFileSync(suspendFile(stateDir), 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as Partial<Suspension>;
    return { suspendedAt: typeof v.suspendedAt === 'string' ? v.suspendedAt : new Date(0).toISOString(), reason: typeof v.reason === 'string' ? v.reason.slice(0, 500) : '' };
  } catch {
    // A file someone created by hand still suspends.
    return { suspendedAt: new Date(0).toISOString(), reason: '' };
  }
}

export function writeSuspension(stateDir: string, s: Suspension): void {
  const file = suspendFile(stateDir);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(s)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}

export function clearSuspension(stateDir: string): boolean {
  const had = readSuspension(stateDir) !== null;
  rmSync(suspendFile(stateDir), { force: true });
  return had;
}
