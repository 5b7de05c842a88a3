// The simulation's notifier: the controller's alerts land in the trace, and so does every notice
// that would reach a person. What to tell is the notifier's own pure rule (src/notify/truth.ts:
// cooldown folds repeats, never a change of state), and what is muted is src/notify/mute.ts
// (the windows and silences the real HostReconcile hands over with setMutes). Holding a muted
// alert and releasing it when its last mute ends follows DurableNotifier.hold/releaseHeld
// (src/notify/notifier.ts) step for step; delivery, outbox and sinks are proven against real
// servers and a killed vaid in test/e2e/crash-safety.test.ts and test/unit/notify/mute.test.ts
// instead, because their disk and network I/O cannot run on virtual time. Delivery here is instant.
import type { DesiredNotifier } from '../../src/manifest/types.js';
import type { Alert, Notifier, NotifierSnapshot } from '../../src/notify/types.js';
import type { AlertRecord } from '../../src/status/schema.js';
import { cooldownKey } from '../../src/notify/cooldown.js';
import { levelOf } from '../../src/notify/priority.js';
import { activeMutes, muteLabel, mutedUntil, NO_MUTES, type Mute, type MuteSources } from '../../src/notify/mute.js';
import { decideNotice, type NoticeDecision, type NoticeInput, type Told } from '../../src/notify/truth.js';
import type { Trace } from './trace.js';
import type { TimerHandle, VirtualClock } from './virtual-clock.js';

export type NoticeRule = (input: NoticeInput) => NoticeDecision;
export type MuteRule = (src: MuteSources, service: string, labels: Readonly<Record<string, string>>, now: number) => Mute[];

export interface RecordingNotifierOptions {
  /** What the notifier tells a person (default: src/notify/truth.ts); the oracle's test swaps in a faulty one. */
  noticeRule?: NoticeRule;
  /** Which mutes cover an alert (default: src/notify/mute.ts); the oracle's test swaps in a faulty one. */
  muteRule?: MuteRule;
  /** Release held alerts when their mutes end (default true); the oracle's test turns it off. */
  releaseHeld?: boolean;
}

const MAX_RECORDS = 100;

export class RecordingNotifier implements Notifier {
  private readonly seen = new Set<string>();
  private readonly lastSent = new Map<string, number>();
  private readonly told = new Map<string, Told>();
  private readonly incidents = new Set<string>();
  private readonly held = new Map<string, { alert: Alert; until: number; by: string }>();
  private readonly records: AlertRecord[] = [];
  private mutes: MuteSources = NO_MUTES;
  private mutesKnown = false;
  private heldTimer: TimerHandle | undefined;
  private readonly decide: NoticeRule;
  private readonly muteRule: MuteRule;
  submitted = 0;
  delivered = 0;
  suppressed = 0;
  muted = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly trace: Trace,
    readonly cooldownSeconds: number,
    private readonly opts: RecordingNotifierOptions = {},
  ) {
    this.decide = opts.noticeRule ?? decideNotice;
    this.muteRule = opts.muteRule ?? activeMutes;
  }

  async submit(alert: Alert): Promise<void> {
    if (this.seen.has(alert.id)) return;
    this.submitted++;
    this.trace.add({ t: this.clock.now(), type: 'alert', alert });
    this.accept(alert);
  }

  private accept(alert: Alert): void {
    this.seen.add(alert.id);
    const now = this.clock.now();
    const mutes = this.muteRule(this.mutes, alert.service, alert.labels ?? {}, now);
    if (mutes.length > 0) return this.hold(alert, mutes);
    const key = cooldownKey(alert.service, alert.kind);
    const decision = this.decide({
      kind: alert.kind,
      told: this.told.get(alert.service),
      lastOfKindAt: this.lastSent.get(key),
      incidentOpen: this.incidents.has(alert.service),
      cooldownSeconds: this.cooldownSeconds,
      now,
    });
    if (!decision.send) {
      this.suppressed++;
      return;
    }
    if (alert.kind === 'flapping' || alert.kind === 'flapping-resolved') {
      this.delivered++;
      this.trace.add({ t: now, type: 'notice', service: alert.service, kind: alert.kind, id: alert.id });
      return;
    }
    if (alert.kind === 'recovered') this.incidents.delete(alert.service);
    else if (alert.kind !== 'reminder') {
      this.lastSent.set(key, now);
      this.incidents.add(alert.service);
    }
    if (alert.kind !== 'reminder') this.told.set(alert.service, { kind: alert.kind, at: now });
    this.delivered++;
    this.trace.add({ t: now, type: 'notice', service: alert.service, kind: alert.kind, id: alert.id });
  }

  /** As DurableNotifier.hold: recorded as muted, and held in place of any earlier one of the service. */
  private hold(alert: Alert, mutes: readonly Mute[]): void {
    const by = muteLabel(mutes[0]!);
    const until = mutedUntil(mutes);
    this.muted++;
    this.records.push({
      id: alert.id,
      at: alert.at,
      service: alert.service,
      kind: alert.kind,
      priority: levelOf(alert.kind).priority,
      sink: 'ntfy',
      target: 'sim',
      state: 'muted',
      mutedBy: by,
      attempts: 0,
      lastError: `muted by ${mutes.map(muteLabel).join(', ')} until ${new Date(until).toISOString()}`,
      deliveredAt: null,
    });
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
    this.trace.add({ t: this.clock.now(), type: 'muted', service: alert.service, kind: alert.kind, id: alert.id, by });
    if (alert.kind !== 'reminder') this.held.set(alert.service, { alert, until, by });
    this.scheduleHeld();
  }

  private scheduleHeld(): void {
    this.clock.clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    if (this.held.size === 0 || !this.mutesKnown || this.opts.releaseHeld === false) return;
    const now = this.clock.now();
    let next = Infinity;
    for (const h of this.held.values()) {
      const mutes = this.muteRule(this.mutes, h.alert.service, h.alert.labels ?? {}, now);
      next = Math.min(next, mutes.length > 0 ? mutedUntil(mutes) : now);
    }
    this.heldTimer = this.clock.setTimeout(() => this.releaseHeld(), Math.max(0, next - now));
  }

  /** As DurableNotifier.releaseHeld: the held alert is decided as if it came now. */
  private releaseHeld(): void {
    const now = this.clock.now();
    for (const [service, h] of [...this.held]) {
      const mutes = this.muteRule(this.mutes, service, h.alert.labels ?? {}, now);
      if (mutes.length > 0) {
        h.until = mutedUntil(mutes);
        h.by = muteLabel(mutes[0]!);
        continue;
      }
      this.held.delete(service);
      const message = h.alert.kind === 'recovered' ? h.alert.message : `still failing after ${h.by} ended: ${h.alert.message}`;
      this.accept({ ...h.alert, id: `${h.alert.id}:after:${h.by}:${h.until}`, at: new Date(now).toISOString(), message });
    }
    this.scheduleHeld();
  }

  setTargets(_targets: ReadonlyMap<string, DesiredNotifier>): void {}

  setMutes(src: MuteSources): void {
    this.mutes = src;
    this.mutesKnown = true;
    this.scheduleHeld();
  }

  snapshot(): NotifierSnapshot {
    return { outboxSize: 0, dropped: 0, recent: this.records.map((r) => ({ ...r })) };
  }

  async closeIncident(service: string): Promise<void> {
    this.incidents.delete(service);
    this.told.delete(service);
  }

  async close(): Promise<void> {
    this.clock.clearTimeout(this.heldTimer);
  }
}
