// Engine API failures are the executor's, not the service's: they map to `unknown` results
// (and CommandResult.unavailable), which the reconciler never answers with a restart.

export type DockerFailureReason = 'ExecutorUnavailable' | 'ContainerMissing' | 'ContainerNotRunning';

export interface DockerFailure {
  reason: DockerFailureReason;
  message: string;
}

export function classifyDockerError(err: unknown, container: string): DockerFailure {
  const e = err as { statusCode?: number; code?: string; message?: string; json?: { message?: string } | null };
  const detail = (e.json?.message ?? e.message ?? String(err)).trim();
  if (e.statusCode === 404) return { reason: 'ContainerMissing', message: `container ${container} not found` };
  if (e.statusCode === 409) return { reason: 'ContainerNotRunning', message: `container ${container}: ${detail}` };
  if (e.code) return { reason: 'ExecutorUnavailable', message: `Docker engine unreachable: ${detail}` };
  return { reason: 'ExecutorUnavailable', message: `Docker engine error: ${detail}` };
}
