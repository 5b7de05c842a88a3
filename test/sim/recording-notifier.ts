// The simulation's notifier: the controller's alerts land in the trace, and so does every notice
// that would reach a person. What to tell is the notifier's own pure rule (src/notify/truth.ts:
// cooldown folds repeats, never a change of state); delivery, outbox and sinks are proven
// against real servers and a killed vaid in test/e2e/crash-safety.test.ts instead, because
// their disk and network I/O cannot run on virtual time. Delivery here is instant.
import type { DesiredNotifier } from '../../src/manifest/types.js';
import type { Alert, Notifier, NotifierSnapshot } from '../../src/notify/types.js';
import { cooldownKey } from '../../src/notify/cooldown.js';
import { decideNotice, type NoticeDecision, type NoticeInput, type Told } from '../../src/notify/truth.js';
import type { Trace } from './trace.js';
import type { VirtualClock } from './virtual-clock.js';

export type NoticeRule = (input: NoticeInput) => NoticeDecision;

export class RecordingNotifier implements Notifier {
  private readonly seen = new Set<string>();
  private readonly lastSent = new Map<string, number>();
  private readonly told = new Map<string, Told>();
  private readonly incidents = new Set<string>();
  submitted = 0;
  delivered = 0;
  suppressed = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly trace: Trace,
    readonly cooldownSeconds: number,
    /** The rule under test; the oracle's own test swaps in a faulty one. */
    private readonly decide: NoticeRule = decideNotice,
  ) {}

  async submit(alert: Alert): Promise<void> {
    if (this.seen.has(alert.id)) return;
    this.seen.add(alert.id);
    this.submitted++;
    const now = this.clock.now();
    this.trace.add({ t: now, type: 'alert', alert });
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
      this.trace.add({ t: now, type: 'notice', service: alert.service, kind: alert.kind });
      return;
    }
    if (alert.kind === 'recovered') this.incidents.delete(alert.service);
    else if (alert.kind !== 'reminder') {
      this.lastSent.set(key, now);
      this.incidents.add(alert.service);
    }
    if (alert.kind !== 'reminder') this.told.set(alert.service, { kind: alert.kind, at: now });
    this.delivered++;
    this.trace.add({ t: now, type: 'notice', service: alert.service, kind: alert.kind });
  }

  setTargets(_targets: ReadonlyMap<string, DesiredNotifier>): void {}

  snapshot(): NotifierSnapshot {
    return { outboxSize: 0, dropped: 0, recent: [] };
  }

  async closeIncident(service: string): Promise<void> {
    this.incidents.delete(service);
    this.told.delete(service);
  }

  async close(): Promise<void> {}
}
