// Wiring of vai's self alerts (--notify-self) and the heartbeat (--heartbeat-url): the
// conditions of notify/self-conditions.ts fed from the daemon's parts, the run marker that
// tells an unclean exit, and the pinger that reports the reconcile loop's health outside.
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../../core/atomic-file.js';
import type { Notifier } from '../../notify/types.js';
import { SelfWatch, type SelfCondition } from '../../notify/self-alerts.js';
import { fetchProblem, manifestProblem, observeProblem, outboxProblem } from '../../notify/self-conditions.js';
import { HeartbeatPinger } from '../../notify/heartbeat-ping.js';
import type { StatusStore } from '../../status/store.js';
import type { HealthCheck } from '../../web/health.js';
import { everyOnGrid } from '../../core/grid-timer.js';

export interface SelfWatchConfig {
  /** --notify-self: the Notifier (or ntfy topic) for vai's own failures; null: logged only. */
  target: string | null;
  /** How long a condition lasts before it is told (--notify-self-after, default 60 s). */
  afterMs: number;
  heartbeat: { url: string; intervalMs: number } | null;
}

export interface SelfWiring {
  watch: SelfWatch;
  close(clean: boolean): Promise<void>;
}

const RUN_MARKER = 'vaid.running';

/** Starts the self conditions and the heartbeat; `checks` are /healthz's (reconcile-loop, status-write, ...). */
export async function startSelfWatch(o: { config: SelfWatchConfig; stateDir: string; store: StatusStore; notifier: Notifier; checks: () => readonly HealthCheck[]; log: Logger; host?: string }): Promise<SelfWiring> {
  const { config, store, notifier, log } = o;
  const host = o.host ?? os.hostname();
  const check = (name: string) => () => o.checks().find((c) => c.name === name)?.check() ?? null;
  const conditions: SelfCondition[] = [
    { name: 'manifests', title: 'manifests not applied', thresholdMs: config.afterMs, probe: () => manifestProblem(store.document()) },
    { name: 'git-fetch', title: 'git fetch failing', thresholdMs: config.afterMs, probe: () => fetchProblem(store.document()) },
    { name: 'observe', title: 'cannot observe services', thresholdMs: config.afterMs, probe: () => observeProblem(store.document()) },
    { name: 'status-write', title: 'status.json cannot be written', thresholdMs: config.afterMs, probe: check('status-write') },
    { name: 'outbox', title: 'alert outbox over 80 % full', thresholdMs: 0, probe: () => outboxProblem(notifier.snapshot()) },
  ];
  const watch = new SelfWatch({ notifier, target: config.target, file: path.join(o.stateDir, 'self-alerts.json'), conditions, now: () => Date.now(), host, log });
  const marker = path.join(o.stateDir, RUN_MARKER);
  const previous = readMarker(marker);
  const startedAt = Date.now();
  try {
    writeFileAtomic(marker, `${JSON.stringify({ pid: process.pid, startedAt })}\n`, 0o600);
  } catch (e) {
    log.error({ file: marker, err: (e as Error).message }, 'vaid: cannot write the run marker; an unclean exit will go unnoticed');
  }
  if (previous) {
    const c = { name: 'unclean-exit', title: 'restarted after an unclean exit' };
    await watch.event(c, `the previous vaid (pid ${previous.pid}, started ${new Date(previous.startedAt).toISOString()}) did not shut down cleanly (killed, crashed or the host lost power)`, previous.startedAt);
  }
  const tickMs = Math.min(5_000, Math.max(250, config.afterMs / 4));
  const timer = everyOnGrid(tickMs, () => void watch.tick());
  const pinger = config.heartbeat
    ? new HeartbeatPinger({
        url: config.heartbeat.url,
        intervalMs: config.heartbeat.intervalMs,
        loopProblem: check('reconcile-loop'),
        selfProblems: () => [
          ...o.checks().filter((c) => c.name !== 'reconcile-loop').flatMap((c) => {
            const p = c.check();
            return p === null ? [] : [`${c.name}: ${p}`];
          }),
          ...watch.problems().map((p) => `${p.name}: ${p.problem}`),
        ],
        log,
      })
    : null;
  pinger?.start();
  return {
    watch,
    async close(clean) {
      timer.stop();
      await pinger?.close();
      if (clean) rmSync(marker, { force: true });
    },
  };
}

function readMarker(file: string): { pid: number; startedAt: number } | null {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; startedAt?: unknown };
    return typeof m.pid === 'number' && typeof m.startedAt === 'number' ? { pid: m.pid, startedAt: m.startedAt } : null;
  } catch {
    return null;
  }
}
