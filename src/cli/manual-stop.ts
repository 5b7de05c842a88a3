// The seed's manual-stop marker (`touch /var/run/manual-stop/SERVICE.stopped`) and vaictl
// restart's request file, written for vaid to pick up. vaictl never runs a service command.
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync, renameSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { VaiError } from '../errors.js';
import { markerPath, type Paths } from './paths.js';
import type { DaemonState } from './status-reader.js';

// Kubernetes' DNS-1123 label, the rule manifest names follow: core/service-name.ts (no TypeBox).
import { SERVICE_NAME } from '../core/service-name.js';

export { SERVICE_NAME };

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
  ensureDir(paths.markerDir);
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
  const file = markerPath(paths, name);
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

/** STATE_DIR/requests/<name>.restart with {"requestedAt": ISO}, written atomically. */
export function writeRestartRequest(paths: Paths, name: string, now: Date): string {
  assertServiceName(name);
  ensureDir(paths.requestsDir);
  const file = path.join(paths.requestsDir, `${name}.restart`);
  const tmp = path.join(paths.requestsDir, `.${name}.restart.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, `${JSON.stringify({ requestedAt: now.toISOString() })}\n`, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new VaiError('VAI_E_STATE_DIR', `cannot write ${file}: ${(e as Error).message}`);
  }
  return file;
}

export function daemonWords(d: DaemonState): string {
  return d.running ? `vaid is running (pid ${d.pid}) and picks this up at once` : 'vaid is not running; it picks this up when it starts';
}

// 0755 whatever the umask, as the seed's /var/run/manual-stop: vaid (maybe another user) reads it.
function ensureDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
}
