// `vaictl export systemd`: hand a service over from vai to systemd. One unit per service, a
// pure function of its spec: ExecStart is restart_cmd without its trailing "&" (systemd keeps
// the process, vai's restart_cmd detaches it), Restart=on-failure with RestartSec from the first
// backoff delay, StartLimitBurst/IntervalSec from max_failures in failure_window_seconds, and
// After=/Requires= from dependencies. systemd has no health check: that part stays with a probe
// of your own (or with vai). docs/operations.md has the whole mapping, and Nomad's.
import path from 'node:path';
import type { DesiredService } from '../manifest/types.js';

/** A command as systemd's ExecStart= reads it: `/bin/bash -c "..."`, with $ and % escaped. */
export function execLine(command: string): string {
  const quoted = command.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%');
  return `/bin/bash -c "${quoted}"`;
}

/** restart_cmd as a foreground command: without the "&" (and the spaces) that detached it. */
export function foreground(command: string): string {
  return command.trim().replace(/\s*&\s*$/, '');
}

export function systemdUnit(svc: DesiredService): string {
  const s = svc.spec;
  const deps = s.dependencies.map((d) => `${d}.service`).join(' ');
  const lines = [
    `# ${svc.name}.service, exported by vaictl export systemd from ${svc.source.file}:${svc.source.line}`,
    '[Unit]',
    `Description=${svc.name} (was managed by vai)`,
    ...(deps ? [`After=${deps}`, `Requires=${deps}`] : []),
    `StartLimitIntervalSec=${Math.round(s.failure_window_seconds)}`,
    `StartLimitBurst=${s.max_failures}`,
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${path.dirname(svc.source.file)}`,
    `ExecStart=${execLine(foreground(s.restart_cmd ?? 'true'))}`,
    ...(s.stop_cmd ? [`ExecStop=${execLine(s.stop_cmd)}`] : []),
    'Restart=on-failure',
    `RestartSec=${s.backoff_initial_seconds}s`,
    ...(s.log_path ? [`StandardOutput=append:${path.resolve(path.dirname(svc.source.file), s.log_path)}`, 'StandardError=inherit'] : []),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return lines.join('\n');
}
