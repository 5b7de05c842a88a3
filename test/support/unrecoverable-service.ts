// A service named minio that can never recover, and the ntfy notifier ("alerts") its failures
// go to: its restart "succeeds" but nothing ever listens on the checked port, so every attempt
// fails its verification.
import type { TestDir } from './testdir.js';

export interface UnrecoverableService {
  /** Port of the health check, on which nothing listens. */
  deadPort: number;
  /** Endpoint path of the http check. */
  healthPath?: string;
  ntfyUrl: string;
  topic: string;
  /** More `spec:` lines, indented by two spaces. */
  extraSpec?: readonly string[];
}

export function writeUnrecoverableService(dir: TestDir, o: UnrecoverableService): void {
  dir.write(
    'manifests/minio.yaml',
    [
      'apiVersion: vai/v1',
      'kind: Service',
      'metadata: { name: minio }',
      'spec:',
      `  health_check: { type: http, endpoint: "http://127.0.0.1:${o.deadPort}${o.healthPath ?? '/health'}", interval_seconds: 0.2, timeout_seconds: 1 }`,
      `  restart_cmd: "echo restart >> ${dir.join('restarts.log')}"`,
      '  startup_delay_seconds: 0.3',
      '  max_failures: 1000',
      ...(o.extraSpec ?? []),
      '  notify_on_fail: alerts',
      '',
    ].join('\n'),
  );
  dir.write('manifests/alerts.yaml', ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: alerts }', 'spec:', '  type: ntfy', `  server: ${o.ntfyUrl}`, `  topic: ${o.topic}`, ''].join('\n'));
}
