// Feeds vaid's /healthz checks (web/daemon-health.ts) from the daemon's parts: reconciles that
// finish, status writes that succeed or fail, each load of the manifests, and the work queue.
import path from 'node:path';
import type { DesiredState } from '../../manifest/index.js';
import type { HostReconcile } from '../../reconcile/host-reconcile.js';
import type { Clock } from '../../core/clock.js';
import type { StatusStore } from '../../status/store.js';
import { createDaemonHealth, type DaemonHealth } from '../../web/index.js';

export interface HealthFeed {
  health: DaemonHealth;
  /** Call with every desired state the controller is given. */
  desired(state: DesiredState): void;
}

const DIRECTORY_ERRORS = new Set(['VAI_E_MANIFEST_READ', 'VAI_E_UNSAFE_PERMISSIONS']);

export function feedHealth(parts: { clock: Clock; store: StatusStore; controller: HostReconcile; manifestsDir: string }): HealthFeed {
  const { clock, store, controller } = parts;
  const root = path.resolve(parts.manifestsDir);
  let names: string[] = [];
  let shortestIntervalMs: number | null = null;
  let fileErrors: string | null = null;
  const base = createDaemonHealth({
    now: () => clock.now(),
    loop: () => {
      let earliestDueAt: number | null = null;
      for (const n of names) {
        const at = controller.queue.scheduledAt(n);
        if (at !== undefined && (earliestDueAt === null || at < earliestDueAt)) earliestDueAt = at;
      }
      return { waiting: controller.queue.length, earliestDueAt, shortestIntervalMs };
    },
  });
  // The manifests check fails only when the directory cannot be read; a file with errors is named as a warning.
  const checks = base.checks.map((c) => (c.name === 'manifests' ? { ...c, name: c.name, check: () => c.check(), warn: () => fileErrors } : c));
  const health: DaemonHealth = { ...base, checks };
  store.on('write', () => health.statusWritten());
  store.on('error', (e) => health.statusWriteFailed(e));
  const previous = controller.onReconciled;
  controller.onReconciled = (ms, ok) => {
    health.reconciled();
    previous?.(ms, ok);
  };
  return {
    health,
    desired(state) {
      // state.services holds only what this vaid's --selector selects.
      names = [...state.services.keys()];
      let shortest: number | null = null;
      for (const s of state.services.values()) {
        const ms = s.spec.health_check.interval_seconds * 1000;
        if (shortest === null || ms < shortest) shortest = ms;
      }
      shortestIntervalMs = shortest;
      const unreadable = state.errors.find((e) => e.file === root && DIRECTORY_ERRORS.has(e.code));
      health.manifestsRead(unreadable ? `${root}: ${unreadable.message}` : null);
      const files = state.errors.filter((e) => !(e.file === root && DIRECTORY_ERRORS.has(e.code)));
      const f = files[0];
      fileErrors = f ? `the last load had ${files.length} error${files.length === 1 ? '' : 's'} (last good specs kept): ${f.file}:${f.line}:${f.column}: ${f.message}${files.length > 1 ? ` (and ${files.length - 1} more)` : ''}` : null;
    },
  };
}
