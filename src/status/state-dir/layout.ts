// The state-dir layout: where vaid and vaictl find things (flags win over environment variables
// over defaults). vaid and vaictl share this so they always agree on the state dir.
import path from 'node:path';

export interface Paths {
  manifests: string;
  stateDir: string;
  markerDir: string;
  statusFile: string;
  lockFile: string;
  /**
   * vaictl restart writes `<name>.restart` (JSON `{"requestedAt": ISO}`) here; vaid watches the
   * dir, starts a recovery of that service now (bypassing backoff, not the queue) and deletes the file.
   */
  requestsDir: string;
  logsDir: string;
  outboxDir: string;
}

export interface PathFlags {
  manifests?: string | undefined;
  'state-dir'?: string | undefined;
  'marker-dir'?: string | undefined;
}

export const PATH_OPTIONS = {
  manifests: { type: 'string' },
  'state-dir': { type: 'string' },
  'marker-dir': { type: 'string' },
} as const;

export function resolvePaths(flags: PathFlags, env: NodeJS.ProcessEnv, cwd: string): Paths {
  const manifests = path.resolve(cwd, flags.manifests ?? env.VAI_MANIFESTS ?? 'manifests');
  const stateDir = path.resolve(cwd, flags['state-dir'] ?? env.VAI_STATE_DIR ?? '.vai');
  const markerDir = path.resolve(cwd, flags['marker-dir'] ?? env.VAI_MARKER_DIR ?? path.join(stateDir, 'manual-stop'));
  return {
    manifests,
    stateDir,
    markerDir,
    statusFile: path.join(stateDir, 'status.json'),
    lockFile: path.join(stateDir, 'vaid.lock'),
    requestsDir: path.join(stateDir, 'requests'),
    logsDir: path.join(stateDir, 'logs'),
    outboxDir: path.join(stateDir, 'outbox'),
  };
}

/** `<name>.stopped`, as the seed's /var/run/manual-stop/SERVICE.stopped. */
export function markerPath(paths: Paths, name: string): string {
  return path.join(paths.markerDir, `${name}.stopped`);
}
