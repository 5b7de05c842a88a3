// vaictl reconcile --once: cron mode, as the seed's */5 health-check job ran. One full pass with
// vaid's planner and state (and its lock, so it never runs beside a vaid): every service,
// dependencies first, recoveries verified to the end. Exit 1 if a service that should run is
// still unhealthy afterwards.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { FileLedger } from '../../reconcile/rollout-ledger.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { parse, usageError } from '../command-support.js';
import { createLogger, LOG_LEVELS } from '../daemon/logger.js';
import { openState } from '../daemon/daemon.js';
import { loadDesiredState, parseLabelSelector } from '../../manifest/index.js';
import { HostReconcile } from '../../reconcile/host-reconcile.js';
import { systemClock } from '../../core/clock.js';
import { ensureDir } from '../../core/atomic-file.js';
import { PATH_FLAGS, type Flag } from '../flags.js';
import { readSilences } from '../../status/state-dir/silences.js';

const USAGE = `Usage: vaictl reconcile --once [flags]

One full reconcile pass, then exit (cron mode, e.g. */5 * * * * vaictl reconcile --once).
Checks every service (dependencies first), recovers what is unhealthy, verifies the recovery,
alerts, and records it all in STATE_DIR/status.json. Refuses to run while vaid holds the lock.
Exit 0 when every service that should run is healthy, 1 otherwise.`;

const FLAGS = [
  { name: 'once', type: 'boolean', help: 'required: run one pass' },
  { name: 'selector', type: 'string', value: 'SELECTOR', help: 'only services whose labels match' },
  { name: 'log-level', type: 'string', value: 'LEVEL', help: `${LOG_LEVELS.join('|')} (default info; JSON lines on stdout)`, complete: LOG_LEVELS },
  { name: 'concurrency', type: 'string', value: 'N', help: 'services at once (default 256)' },
  { name: 'docker-host', type: 'string', value: 'URL', help: 'Docker engine (DOCKER_HOST)' },
  { name: 'allow-unsafe-permissions', type: 'boolean', help: 'accept manifests writable by other users' },
  ...PATH_FLAGS,
] as const satisfies readonly Flag[];

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'Run one full reconcile pass and exit (cron mode: --once)',
  usage: USAGE,
  flags: FLAGS,
  async run(ctx) {
    const { values, positionals, paths } = parse(ctx, FLAGS);
    if (!values.once) throw usageError('vaid runs the reconcile loop; vaictl reconcile runs one pass and needs --once');
    if (positionals.length) throw usageError(`unexpected argument ${positionals[0]}`);
    const level = values['log-level'] ?? ctx.env.VAI_LOG_LEVEL ?? 'info';
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw usageError(`--log-level ${level}: use one of ${LOG_LEVELS.join(', ')}`);
    const concurrency = Number(values.concurrency ?? 256);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw usageError(`--concurrency ${values.concurrency}: use a whole number of at least 1`);
    const selector = values.selector ? parseLabelSelector(values.selector) : undefined;
    const log = createLogger(level, ctx.isTTY, ctx.stdout);
    const clock = systemClock();

    const { lock, store, executor, notifier } = await openState(paths, log, ctx.env, values['docker-host'] ?? ctx.env.DOCKER_HOST, clock, 'once');
    try {
      const desired = await loadDesiredState({ dir: paths.manifests, allowUnsafePermissions: values['allow-unsafe-permissions'] ?? false, selector });
      for (const e of desired.errors) log.warn({ code: e.code, file: e.file, line: e.line, column: e.column, path: e.path }, `manifest error: ${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`);
      ensureDir(paths.markerDir);
      const markers = new Set(readdirSync(paths.markerDir).filter((f) => f.endsWith('.stopped')).map((f) => f.slice(0, -'.stopped'.length)));
      const controller = new HostReconcile({
        clock,
        executor,
        notifier,
        store,
        log,
        logsDir: paths.logsDir,
        concurrency,
        mode: 'once',
        selectorText: values.selector ?? null,
        rolloutLedger: new FileLedger(path.join(paths.stateDir, 'rollout')),
      });
      controller.setDesired(desired);
      controller.setMarkers(markers);
      // vaictl silence holds in cron mode too (expired ones mute nothing; vaid removes their files).
      const silences = readSilences(paths);
      for (const p of silences.problems) log.warn({}, `silence: ${p}`);
      controller.setSilences(silences.silences);
      await controller.runOnce();
      store.setAlerts(notifier.snapshot());
      const bad = controller.unhealthy();
      // Only what should run counts: a disabled or manually stopped service is shown, never run.
      const total = [...desired.services.keys()].filter((n) => store.get(n)?.desired === 'Running').length;
      if (bad.length === 0) log.info({ services: total }, `reconcile --once: all ${total} services that should run are healthy`);
      else log.error({ unhealthy: bad.map((s) => s.name) }, `reconcile --once: ${bad.length} of ${total} services still unhealthy: ${bad.map((s) => `${s.name} (${s.phase})`).join(', ')}`);
      return bad.length ? EXIT.FAILED : EXIT.OK;
    } finally {
      store.close();
      await notifier.close();
      await executor.close();
      lock.release();
    }
  },
};
