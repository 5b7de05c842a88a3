// vaictl export systemd [NAME...] [--dir DIR]: the services as systemd units (src/cli/export-systemd.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { notFoundMessage, parse, usageError } from '../command-support.js';
import { MANIFESTS, type Flag } from '../flags.js';

const FLAGS = [
  { name: 'dir', type: 'string', value: 'DIR', help: 'write DIR/NAME.service instead of printing', complete: 'dir' },
  MANIFESTS,
] as const satisfies readonly Flag[];

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write services as systemd units (hand them over from vai)',
  usage: `Usage: vaictl export systemd [NAME...] [--dir DIR] [--manifests DIR]

One unit per service (all when no NAME): ExecStart from restart_cmd without its trailing "&",
ExecStop from stop_cmd, Restart=on-failure, RestartSec from backoff_initial_seconds,
StartLimitBurst/StartLimitIntervalSec from max_failures/failure_window_seconds, After= and
Requires= from dependencies. Printed, or written as DIR/NAME.service with --dir. Services in a
container are left out (their unit would be the container's: docker's own restart policy).
Then: vaictl stop NAME (vai lets go), systemctl enable --now NAME.`,
  flags: FLAGS,
  operands: ['systemd'],
  async run(ctx) {
    const { values, positionals, paths } = parse(ctx, FLAGS);
    const [kind, ...names] = positionals;
    if (kind !== 'systemd') throw usageError(kind === undefined ? 'name the target: systemd' : `cannot export to "${kind}"; use systemd`);
    const { loadDesiredState } = await import('../../manifest/load-desired-state.js');
    const state = await loadDesiredState({ dir: paths.manifests, allowUnsafePermissions: true, revisionOf: async () => null });
    const { systemdUnit } = await import('../export-systemd.js');
    const missing = names.filter((n) => !state.services.has(n));
    for (const m of missing) ctx.stderr.write(`Error: ${notFoundMessage(m, state.services.keys())}\n`);
    if (missing.length) return EXIT.NOT_FOUND;
    const chosen = (names.length ? names : [...state.services.keys()].sort()).map((n) => state.services.get(n)!);
    for (const svc of chosen) {
      if (svc.spec.container) {
        ctx.stderr.write(`Warning: ${svc.name} runs in container ${svc.spec.container}: left out (use the container's restart policy)\n`);
        continue;
      }
      const unit = systemdUnit(svc);
      if (values.dir) {
        mkdirSync(values.dir, { recursive: true });
        const file = path.join(values.dir, `${svc.name}.service`);
        writeFileSync(file, unit);
        ctx.stdout.write(`${file}\n`);
      } else ctx.stdout.write(unit);
    }
    return EXIT.OK;
  },
};
