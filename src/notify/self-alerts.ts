// vai's own failures, told to the Notifier named by --notify-self: each condition is a small
// probe (what is wrong now, or null) with a threshold; the decision is pure (decideSelf) and
// the watcher only runs probes, keeps the open conditions in STATE_DIR/self-alerts.json and
// submits. One alert per occurrence, one resolve when it clears: the ids carry the time the
// condition began, kept on disk, so a restarted vaid decides the same ids and the notifier's
// outbox drops the repeats (exactly once, like service alerts).
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-file.js';
import type { ServiceSpec } from '../manifest/schema.js';
import type { Alert, Notifier } from './types.js';

export interface SelfCondition {
  /** kebab-case, stable: part of the alert id and the Alertmanager `condition` label. */
  name: string;
  /** The alert's title after "vaid on HOST: ". */
  title: string;
  /** How long the problem must last before a person is told (0: at once). */
  thresholdMs: number;
  /** What is wrong now (file:line:col errors, the engine's error...), or null. */
  probe(): string | null;
}

export interface OpenCondition {
  since: number;
  alerted: boolean;
  /** The problem text when it was alerted (the resolve names it). */
  problem?: string;
}

export type SelfDecision = { next: OpenCondition | undefined; send: 'alert' | 'resolve' | null };

/** Pure: the condition's record before, what its probe says now, the clock. */
export function decideSelf(prev: OpenCondition | undefined, problem: string | null, now: number, thresholdMs: number): SelfDecision {
  if (problem === null) return { next: undefined, send: prev?.alerted ? 'resolve' : null };
  const open = prev ?? { since: now, alerted: false };
  if (!open.alerted && now - open.since >= thresholdMs) return { next: { since: open.since, alerted: true, problem }, send: 'alert' };
  return { next: open, send: null };
}

export interface SelfWatchOptions {
  notifier: Notifier;
  /** The Notifier (or ntfy topic) named by --notify-self; null: the conditions are logged, not sent. */
  target: string | null;
  /** STATE_DIR/self-alerts.json. */
  file: string;
  conditions: readonly SelfCondition[];
  now(): number;
  /** Shown as `Host:`. */
  host: string;
  log?: { warn(o: object, m: string): void; error(o: object, m: string): void };
}

/** A self alert routes like a service alert: only notify_on_fail is read (format.ts renders self kinds without a spec). */
function selfSpec(target: string | null): ServiceSpec {
  return { notify_on_fail: target } as unknown as ServiceSpec;
}

export class SelfWatch {
  private open: Record<string, OpenCondition>;
  private running: Promise<void> | null = null;

  constructor(private readonly opts: SelfWatchOptions) {
    this.open = readOpen(opts.file);
  }

  /** What is open now (for /healthz and the heartbeat's /fail reason). */
  problems(): Array<{ name: string; title: string; problem: string }> {
    return Object.entries(this.open)
      .filter(([, o]) => o.alerted)
      .map(([name, o]) => ({ name, title: this.opts.conditions.find((c) => c.name === name)?.title ?? name, problem: o.problem ?? '' }));
  }

  /** Runs every probe once; a tick still running makes this one a no-op. */
  tick(): Promise<void> {
    this.running ??= this.runTick().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** An occurrence with no duration (vaid restarted after an unclean exit): alerted once, resolved at once. */
  async event(c: { name: string; title: string }, problem: string, since: number): Promise<void> {
    await this.submit('self', c, problem, since);
  }

  private async runTick(): Promise<void> {
    const now = this.opts.now();
    let changed = false;
    for (const c of this.opts.conditions) {
      let problem: string | null;
      try {
        problem = c.probe();
      } catch (e) {
        problem = `the check itself failed: ${(e as Error).message}`;
      }
      const prev = this.open[c.name];
      const d = decideSelf(prev, problem, now, c.thresholdMs);
      if (d.send === 'alert') await this.submit('self', c, d.next!.problem!, d.next!.since);
      if (d.send === 'resolve') await this.submit('self-resolved', c, `cleared: ${prev!.problem ?? ''}`, prev!.since);
      if (JSON.stringify(prev) !== JSON.stringify(d.next)) changed = true;
      if (d.next) this.open[c.name] = d.next;
      else delete this.open[c.name];
    }
    if (changed) this.persist();
  }

  private async submit(kind: 'self' | 'self-resolved', c: { name: string; title: string }, problem: string, since: number): Promise<void> {
    const alert: Alert = {
      id: `vaid:${kind}:${c.name}:${since}`,
      kind,
      service: 'vaid',
      spec: selfSpec(this.opts.target),
      at: new Date(this.opts.now()).toISOString(),
      message: problem,
      attempt: 0,
      dependents: [],
      labels: { condition: c.name, host: this.opts.host },
      self: { condition: c.name, title: c.title, since: new Date(since).toISOString() },
    };
    if (this.opts.target === null) {
      this.opts.log?.warn({ condition: c.name, kind, problem }, `vaid: ${kind === 'self' ? c.title : `${c.title}: cleared`} (no --notify-self: not sent)`);
      return;
    }
    try {
      await this.opts.notifier.submit(alert);
      this.opts.log?.warn({ condition: c.name, kind, id: alert.id }, `vaid: ${kind === 'self' ? c.title : `${c.title}: cleared`}`);
    } catch (e) {
      this.opts.log?.error({ condition: c.name, err: (e as Error).message }, 'vaid: the notifier refused a self alert');
    }
  }

  private persist(): void {
    try {
      writeFileAtomic(this.opts.file, `${JSON.stringify({ open: this.open })}\n`, 0o600);
    } catch (e) {
      // A state dir that cannot be written is itself a condition (status writes); the alerts still go out.
      this.opts.log?.error({ file: this.opts.file, err: (e as Error).message }, 'vaid: cannot record the open self conditions');
    }
  }
}

function readOpen(file: string): Record<string, OpenCondition> {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { open?: Record<string, OpenCondition> };
    const out: Record<string, OpenCondition> = {};
    for (const [k, v] of Object.entries(doc.open ?? {})) if (typeof v?.since === 'number' && typeof v.alerted === 'boolean') out[k] = v;
    return out;
  } catch {
    return {};
  }
}
