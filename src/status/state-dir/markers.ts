// The seed's manual-stop marker (`touch /var/run/manual-stop/SERVICE.stopped`): vaictl writes and
// removes it, vaid reads the dir's names (see dir-watch). A name is a DNS-1123 label, the only
// part of a path derived from input.
import { chmodSync, existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { VaiError } from '../../errors.js';
import { markerPath, type Paths } from './layout.js';

// Kubernetes' DNS-1123 label, the rule manifest names follow (src/manifest/schema.ts
// DNS1123_LABEL); repeated here because that module loads TypeBox. A test keeps them equal.
export const SERVICE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A name becomes a file name: refuse anything but a DNS-1123 label, so no path can escape. */
export function assertServiceName(name: string): void {
  if (name.length > 63 || !SERVICE_NAME.test(name)) {
    throw new VaiError(
      'VAI_E_USAGE',
      `"${name}" is not a service name: lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters`,
    );
  }
}

/** Creates the marker (and the marker dir, 0755, if missing); false when it already existed. */
export function writeMarker(paths: Paths, name: string): boolean {
  assertServiceName(name);
  ensureSharedDir(paths.markerDir);
  const file = markerPath(paths, name);
  try {
    writeFileSync(file, `stopped by vaictl at ${new Date().toISOString()}\n`, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new VaiError('VAI_E_STATE_DIR', `cannot write ${file}: ${(e as Error).message}`);
  }
}

/** Removes the marker; false when there was none. */
export function removeMarker(paths: Paths, name: string): boolean {
  assertServiceName(name);
  return removeStateFile(markerPath(paths, name));
}

/** Removes a file of the state dir (a marker, a silence); false when there was none. */
export function removeStateFile(file: string): boolean {
  try {
    lstatSync(file);
  } catch {
    return false;
  }
  try {
    rmSync(file);
    return true;
  } catch (e) {
    throw new VaiError('VAI_E_STATE_DIR', `cannot remove ${file}: ${(e as Error).message}`);
  }
}

/** Service names of the `NAME.stopped` files among a dir's entries. */
export function markerNames(files: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const f of files) {
    if (!f.endsWith('.stopped')) continue;
    const name = f.slice(0, -'.stopped'.length);
    if (SERVICE_NAME.test(name)) out.add(name);
  }
  return out;
}

// 0755 whatever the umask, as the seed's /var/run/manual-stop: vaid (maybe another user) reads it.
export function ensureSharedDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
}
