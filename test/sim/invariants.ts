// The safety rules vai must never break, checked online against the simulation's trace.
// Judged from what the reconciler could know (the executor's answers), not the hidden truth:
// a crash between a check and a restart is nobody's fault; acting against the evidence is.
import type { ServiceSpec } from '../../src/manifest/schema.js';
import type { AlertKind } from '../../src/notify/types.js';
import type { TraceEntry } from './trace.js';

export interface Violation {
  t: number;
  rule: string;
  service: string;
  message: string;
}

export interface CheckerContext {
  spec(name: string): ServiceSpec;
  /** Cooldown applied to one (service, alert kind), in ms; 0 when the harness does not apply one. */
  cooldownMs: number;
  /**
   * How long the last notice a person got may disagree with the service: the notifier's
   * cooldown plus delivery time. 0 when the harness records no notices.
   */
  truthDeadlineMs?: number;
  /** The oracle of maintenance windows and silences (maintenance.ts); absent: none in the run. */
  maintenance?: MaintenanceOracle;
}

export interface MaintenanceOracle {
  /** The mutes open for the service at t. */
  activeAt(service: string, t: number): Array<{ label: string; mode: 'silence' | 'pause'; start: number; end: number }>;
  /** Whether a pause-mode window covers the service at t (asked at every check: fast). */
  pausedAt(service: string, t: number): boolean;
  /** When a pause begins covering a service, and when the last mute covering it ends; sorted by time. */
  events: ReadonlyArray<{ at: number; service: string; what: 'pause-start' | 'end' }>;
  /** How soon after a mute ends the person must hear what they are owed (the notifier's timer plus delivery). */
  deliveryMs: number;
}

type Believed = 'failing' | 'healthy';

interface Attempt {
  start: number;
  end: number | null;
  /** A healthy check ended after the attempt: the service came back. */
  succeeded: boolean;
  /** Reported failed by the checker once its verify time has passed with no healthy check. */
  judgedFailed: boolean;
  /** A manual stop or a disable came while it was being verified: no longer vai's to judge. */
  abandoned: boolean;
}

interface ServiceBook {
  active: number;
  lastCheck: { start: number; end: number; health: string } | null;
  pendingCheckStart: number;
  unhealthyStreak: number;
  healthySince: number | null;
  becameHealthyAt: number;
  incidentStart: number | null;
  attempts: Attempt[];
  markerSince: number | null;
  disabledSince: number | null;
  alertedInIncident: boolean;
  lastDelivered: Map<string, number>;
  restartRuns: number;
  /** Start times of recent checks made outside a recovery and not after an `unknown`. */
  idleChecks: number[];
  overBudget: boolean;
  healthyStreak: number;
  /** What the last notice delivered for this service said (null: told nothing, or handed over). */
  told: Believed | null;
  /** A Flapping alert was decided and not yet resolved. */
  flapping?: boolean;
  /** The person is owed this news since `since`: the service's state differs from what they were told. */
  owed: { state: Believed; since: number } | null;
  /** The state the last alert decision or healthy streak put the service in. */
  state: Believed | null;
  /** The kind of the last alert muted in the current window (null: none muted). */
  heldKind: AlertKind | null;
  /** When the last window or silence covering it ended. */
  lastCoverEnd: number;
  /** The mutes ended at `at`: what the person must hear (need) and the notices told since. */
  afterEnd: { at: number; state: Believed | null; need: boolean; told: number; by: string } | null;
}

export const RULES = {
  healthy: 'a healthy service is never restarted',
  desired: 'a disabled or manually stopped service is never acted on',
  depOrder: 'a dependent is not restarted while its dependency is down, and is re-checked after it heals',
  window: 'restarts within a window never exceed the policy',
  outage: 'an executor outage causes no restart',
  alertLost: 'every failed recovery is notified',
  alertSpurious: 'no alert without a failed recovery of that service',
  alertDup: 'at most one notification per (service, kind) per cooldown',
  overlap: 'two reconciles of one service never overlap',
  budget: 'outside a recovery, a service is checked about once per interval (no busy polling)',
  status: 'the status document validates and agrees with what happened',
  truth: 'the last delivered notice for a service matches its state within cooldown + delivery time',
  flapping: 'a Flapping alert only after N recovered restarts within the window, once per incident, resolved only after one',
  muted: 'an alert decided while a window or silence covers its service is recorded as muted with that name, and not delivered',
  mutedDelivered: 'no notice for a service is delivered while a window or silence covering it is active',
  pause: 'in pause mode no recovery action runs for a covered service while the window is open',
  toldAfter: 'when the last window or silence covering a failing service ends, the person is told once',
} as const;

export class InvariantChecker {
  readonly violations: Violation[] = [];
  private readonly books = new Map<string, ServiceBook>();
  private engineDownSince: number | null = null;
  private readonly seenAlerts = new Set<string>();
  /** Alerts decided under a mute, not yet seen recorded as muted. */
  private readonly pendingMute = new Map<string, { t: number; service: string; kind: string; open: string[] }>();
  private nextEvent = 0;
  failedAttempts = 0;
  recoveries = 0;
  alerts = 0;

  constructor(private readonly ctx: CheckerContext) {}

  book(name: string): ServiceBook {
    let b = this.books.get(name);
    if (!b) {
      b = {
        active: 0,
        lastCheck: null,
        pendingCheckStart: 0,
        unhealthyStreak: 0,
        healthySince: null,
        becameHealthyAt: 0,
        incidentStart: null,
        attempts: [],
        markerSince: null,
        disabledSince: null,
        alertedInIncident: false,
        lastDelivered: new Map(),
        restartRuns: 0,
        idleChecks: [],
        overBudget: false,
        healthyStreak: 0,
        told: null,
        owed: null,
        state: null,
        heldKind: null,
        lastCoverEnd: -Infinity,
        afterEnd: null,
      };
      this.books.set(name, b);
    }
    return b;
  }

  restartRuns(name: string): number {
    return this.book(name).restartRuns;
  }

  private fail(t: number, rule: keyof typeof RULES, service: string, message: string): void {
    if (this.violations.length < 1000) this.violations.push({ t, rule: RULES[rule], service, message });
  }

  onEntry(e: TraceEntry): void {
    this.advance(e.t);
    switch (e.type) {
      case 'check-start': {
        const b = this.book(e.service);
        if (b.active > 0) this.fail(e.t, 'overlap', e.service, 'a check started while another operation on the service was running');
        b.active++;
        b.pendingCheckStart = e.t;
        this.countIdleCheck(e.t, e.service, b);
        break;
      }
      case 'check-end':
        this.onCheckEnd(e.t, e.service, e.health);
        break;
      case 'run-start':
        this.onRunStart(e.t, e.service, e.kind);
        break;
      case 'run-end': {
        const b = this.book(e.service);
        b.active--;
        if (e.kind === 'restart') {
          const a = b.attempts[b.attempts.length - 1];
          if (a) a.end = e.t;
        }
        break;
      }
      case 'marker':
        this.book(e.service).markerSince = e.present ? e.t : null;
        if (e.present) this.handOver(e.service);
        break;
      case 'enabled':
        this.book(e.service).disabledSince = e.enabled ? null : e.t;
        if (!e.enabled) this.handOver(e.service);
        break;
      case 'engine':
        this.engineDownSince = e.up ? null : e.t;
        break;
      case 'alert':
        this.onAlert(e.t, e.alert.service, e.alert.kind, e.alert.id);
        break;
      case 'muted':
        this.onMuted(e.t, e.service, e.kind, e.id, e.by);
        break;
      case 'maintenance':
        break;
      case 'notice': {
        this.onNoticeMuted(e.t, e.service, e.kind, e.id);
        // A Flapping notice is its own incident: it says nothing about failing or healthy.
        if (e.kind === 'flapping' || e.kind === 'flapping-resolved') break;
        const b = this.book(e.service);
        if (b.afterEnd && e.t <= b.afterEnd.at + (this.ctx.maintenance?.deliveryMs ?? 0)) {
          const state: Believed = e.kind === 'recovered' ? 'healthy' : 'failing';
          if (state === b.afterEnd.state && ++b.afterEnd.told > 1) {
            this.fail(e.t, 'toldAfter', e.service, `${e.kind} notice ${e.id ?? ''} is the ${b.afterEnd.told}th notice of the same state since ${b.afterEnd.by} ended at ${new Date(b.afterEnd.at).toISOString()}`);
          }
        }
        b.told = e.kind === 'recovered' ? 'healthy' : 'failing';
        if (b.owed?.state === b.told) b.owed = null;
        break;
      }
      case 'fault':
        break;
    }
  }

  /**
   * A manual stop or a disable ends the incident: vai stops acting at once, and an attempt it
   * was still verifying is the operator's now, neither recovered nor failed (seed 28 found the
   * checker demanding an alert for one). One judged failed before that must still be notified.
   */
  private handOver(name: string): void {
    const b = this.book(name);
    // The operator took the service over: what the person was told is closed with it.
    b.told = null;
    b.owed = null;
    if (b.afterEnd) b.afterEnd.need = false;
    for (const a of b.attempts) if (!a.succeeded && !a.judgedFailed) a.abandoned = true;
    if (b.alertedInIncident || !b.attempts.some((a) => a.judgedFailed && a.start >= (b.incidentStart ?? 0))) {
      b.incidentStart = null;
      b.alertedInIncident = false;
    }
  }

  private onCheckEnd(t: number, name: string, health: string): void {
    const b = this.book(name);
    b.active--;
    b.lastCheck = { start: b.pendingCheckStart, end: t, health };
    if (health === 'healthy') {
      if (b.healthySince === null) {
        b.healthySince = t;
        b.becameHealthyAt = t;
      }
      b.unhealthyStreak = 0;
      b.healthyStreak++;
      const a = b.attempts[b.attempts.length - 1];
      if (a && a.end !== null && !a.succeeded && !a.judgedFailed && !a.abandoned) {
        a.succeeded = true;
        this.recoveries++;
      }
      // The incident ends when the service counts as healthy again: success_threshold passes.
      if (b.healthyStreak >= this.ctx.spec(name).health_check.success_threshold) {
        // Under a pause vai decides nothing, so its incident stays open (seed 17: healthy and
        // failing again inside a pause is one incident, already told); the first look after
        // the window closes it.
        if (!this.ctx.maintenance?.pausedAt(name, t)) {
          b.incidentStart = null;
          b.alertedInIncident = false;
        }
        this.owe(b, 'healthy', t);
      }
    } else if (health === 'unhealthy') {
      b.healthySince = null;
      b.healthyStreak = 0;
      b.unhealthyStreak++;
      if (b.incidentStart === null) b.incidentStart = t;
    }
  }

  private onRunStart(t: number, name: string, kind: string): void {
    const b = this.book(name);
    const spec = this.ctx.spec(name);
    if (b.active > 0) this.fail(t, 'overlap', name, `${kind} started while another operation on the service was running`);
    b.active++;
    const decidedAt = b.lastCheck?.start ?? t;
    const grace = spec.health_check.timeout_seconds * 1000 + 2000;
    for (const [since, what] of [
      [b.markerSince, 'its manual-stop marker'],
      [b.disabledSince, 'enabled: false'],
    ] as const) {
      if (since !== null && (since < decidedAt || since < t - grace)) {
        this.fail(t, 'desired', name, `${kind} ran although ${what} was set ${t - since} ms before`);
      }
    }
    this.checkPause(t, name, kind, grace);
    const last = b.lastCheck;
    if (!last || last.health !== 'unhealthy') {
      const rule = last?.health === 'unknown' ? 'outage' : 'healthy';
      this.fail(t, rule, name, `${kind} ran although the last check was ${last ? last.health : 'never run'}`);
    } else if (b.unhealthyStreak < spec.health_check.failure_threshold && !this.inRecovery(b)) {
      this.fail(t, 'healthy', name, `${kind} after ${b.unhealthyStreak} failed checks; failure_threshold is ${spec.health_check.failure_threshold}`);
    }
    for (const dep of spec.dependencies) {
      const d = this.book(dep);
      if (!d.lastCheck || d.lastCheck.health !== 'healthy') {
        this.fail(t, 'depOrder', name, `${kind} ran while dependency ${dep} was ${d.lastCheck ? d.lastCheck.health : 'never checked'}`);
      } else if (last && d.becameHealthyAt > last.start) {
        this.fail(t, 'depOrder', name, `${kind} ran without a re-check after dependency ${dep} healed at +${d.becameHealthyAt - last.start} ms`);
      }
    }
    if (kind !== 'restart') return;
    b.restartRuns++;
    this.judge(name, t);
    const windowMs = spec.failure_window_seconds * 1000;
    const failed = b.attempts.filter((a) => a.judgedFailed && a.start > t - windowMs);
    const prev = b.attempts[b.attempts.length - 1];
    if (failed.length >= spec.max_failures && prev && prev.end !== null) {
      const gap = t - prev.end;
      if (gap < spec.backoff_initial_seconds * 1000 - 1) {
        this.fail(t, 'window', name, `attempt ${gap} ms after the last failed one, with ${failed.length} failures in the window (max_failures ${spec.max_failures}): no backoff`);
      }
    }
    b.attempts.push({ start: t, end: null, succeeded: false, judgedFailed: false, abandoned: false });
    if (b.attempts.length > 64) b.attempts.splice(0, b.attempts.length - 64);
  }

  /**
   * Checks a person would call idle (no recovery in progress, the engine answering) stay near
   * one per interval: within any window of ten intervals (at least a minute), at most twice
   * the intervals that fit plus ten for triggers (spec, marker, dependency wake-ups).
   */
  private countIdleCheck(t: number, name: string, b: ServiceBook): void {
    if (b.overBudget || b.lastCheck?.health === 'unknown') return;
    // A paused dependency is looked at whenever a dependent waiting for it is (seed 13: every
    // 90 s for hours, its own interval 560 s), as a manually stopped one is; vai acts on neither.
    if (this.ctx.maintenance?.pausedAt(name, t)) return;
    const spec = this.ctx.spec(name);
    const a = b.attempts[b.attempts.length - 1];
    if (a && !a.succeeded && !a.abandoned && (a.end === null || t <= a.end + (spec.startup_delay_seconds + spec.health_check.timeout_seconds) * 1000 + 2000)) return;
    const intervalMs = spec.health_check.interval_seconds * 1000;
    const windowMs = Math.max(60_000, 10 * intervalMs);
    const limit = Math.ceil((2 * windowMs) / intervalMs) + 10;
    b.idleChecks.push(t);
    while (b.idleChecks.length > 0 && b.idleChecks[0]! < t - windowMs) b.idleChecks.shift();
    if (b.idleChecks.length > limit) {
      b.overBudget = true;
      this.fail(t, 'budget', name, `${b.idleChecks.length} checks in ${windowMs / 1000} s outside any recovery; its interval is ${spec.health_check.interval_seconds} s`);
    }
  }

  private inRecovery(b: ServiceBook): boolean {
    const a = b.attempts[b.attempts.length - 1];
    return !!a && !a.succeeded && !a.abandoned;
  }

  /**
   * Marks attempts whose verify time has passed without a healthy check as failed. Not while
   * the executor cannot see the service: vai keeps verifying through an outage and decides
   * (recovered, or failed and notified) on the first check that gets an answer.
   */
  private judge(name: string, now: number): void {
    const b = this.book(name);
    if (b.lastCheck?.health === 'unknown') return;
    const spec = this.ctx.spec(name);
    const verifyMs = (spec.startup_delay_seconds + spec.health_check.timeout_seconds) * 1000 + 1000;
    for (const a of b.attempts) {
      if (a.succeeded || a.judgedFailed || a.abandoned || a.end === null) continue;
      if (now >= a.end + verifyMs || a !== b.attempts[b.attempts.length - 1]) {
        a.judgedFailed = true;
        this.failedAttempts++;
      }
    }
  }

  private onAlert(t: number, name: string, kind: string, id: string): void {
    if (this.seenAlerts.has(id)) return;
    this.seenAlerts.add(id);
    this.alerts++;
    const b = this.book(name);
    const open = this.ctx.maintenance?.activeAt(name, t) ?? [];
    if (open.length > 0) this.pendingMute.set(id, { t, service: name, kind, open: open.map((c) => c.label) });
    if (kind === 'recovery-failed' || kind === 'crash-loop') {
      this.judge(name, t + 1);
      const incident = b.incidentStart ?? -Infinity;
      if (!b.attempts.some((a) => a.start >= incident && !a.succeeded)) {
        this.fail(t, 'alertSpurious', name, `${kind} alert ${id} without a failed recovery attempt in this incident`);
      }
      b.alertedInIncident = true;
      this.owe(b, 'failing', t);
    } else if (kind === 'recovered') {
      this.owe(b, 'healthy', t);
    } else if (kind === 'flapping') {
      const policy = this.ctx.spec(name).flapping ?? { restarts: 5, window_seconds: 3600 };
      const recovered = b.attempts.filter((a) => a.succeeded && a.start > t - policy.window_seconds * 1000).length;
      if (recovered < policy.restarts) this.fail(t, 'flapping', name, `flapping alert ${id} after ${recovered} recovered restarts in the window (policy ${policy.restarts})`);
      if (b.flapping) this.fail(t, 'flapping', name, `a second flapping alert ${id} in one incident`);
      b.flapping = true;
    } else if (kind === 'flapping-resolved') {
      if (!b.flapping) this.fail(t, 'flapping', name, `flapping-resolved ${id} without a flapping alert`);
      b.flapping = false;
    }
    if (this.ctx.cooldownMs > 0) {
      const prev = b.lastDelivered.get(kind);
      if (prev !== undefined && t - prev < this.ctx.cooldownMs) {
        this.fail(t, 'alertDup', name, `${kind} alert ${id} ${t - prev} ms after the previous one (cooldown ${this.ctx.cooldownMs} ms)`);
      }
      b.lastDelivered.set(kind, t);
    }
  }

  /**
   * The service is now `state` (a failure alert was decided, or it counts as healthy again).
   * News to the person if their last notice says otherwise: a notice saying so must reach them
   * within the deadline, even if the state changes back meanwhile (an outage nobody heard of
   * is a hidden change too). A failure is owed to someone never told anything; a recovery is not.
   */
  private owe(b: ServiceBook, state: Believed, t: number): void {
    b.state = state;
    if (state === 'failing') {
      b.owed = b.told === 'failing' ? null : b.owed?.state === 'failing' ? b.owed : { state, since: t };
    } else if (b.told === 'failing' && b.owed?.state !== 'healthy') {
      b.owed = { state, since: t };
    }
  }

  /**
   * Coverage changes the oracle knows of, up to t, before the entry at t is judged (a notice at
   * the very end of a window comes after it, whichever timer fired first): a pause drops an
   * unfinished recovery (neither recovered nor failed); the end of the last mute of a service
   * whose alert was held owes the person the current state, once.
   */
  private advance(t: number): void {
    const m = this.ctx.maintenance;
    if (!m) return;
    while (this.nextEvent < m.events.length && m.events[this.nextEvent]!.at <= t) {
      const ev = m.events[this.nextEvent++]!;
      const b = this.book(ev.service);
      if (ev.what === 'pause-start') {
        for (const a of b.attempts) if (!a.succeeded && !a.judgedFailed) a.abandoned = true;
        continue;
      }
      b.lastCoverEnd = ev.at;
      // What happened inside the window and is over by its end is not news (a failure that
      // recovered before the end is not told): what is owed is the state now, if it differs.
      const need = b.state !== null && b.told !== b.state && !(b.state === 'healthy' && b.told === null);
      if (b.owed && !need) b.owed = null;
      else if (b.owed && b.state !== null) b.owed = { state: b.state, since: b.owed.since };
      if (b.heldKind !== null) {
        const by = m.activeAt(ev.service, ev.at - 1).map((c) => c.label).join(', ') || 'its window';
        b.afterEnd = { at: ev.at, state: b.state, need, told: 0, by };
      }
      b.heldKind = null;
    }
  }

  private onMuted(t: number, name: string, kind: AlertKind, id: string, by: string): void {
    this.pendingMute.delete(id);
    const open = this.ctx.maintenance?.activeAt(name, t) ?? [];
    if (open.length === 0) this.fail(t, 'muted', name, `${kind} alert ${id} recorded as muted by ${by}, but no window or silence covers ${name} now`);
    else if (!open.some((c) => c.label === by)) this.fail(t, 'muted', name, `${kind} alert ${id} recorded as muted by ${by}; the ones open are ${open.map((c) => c.label).join(', ')}`);
    if (kind !== 'reminder') this.book(name).heldKind = kind;
  }

  private onNoticeMuted(t: number, name: string, kind: AlertKind, id: string | undefined): void {
    if (id !== undefined && this.pendingMute.delete(id)) {
      this.fail(t, 'muted', name, `${kind} alert ${id} was delivered although it was decided under a window or silence`);
    }
    const open = this.ctx.maintenance?.activeAt(name, t) ?? [];
    if (open.length > 0) this.fail(t, 'mutedDelivered', name, `${kind} notice ${id ?? ''} delivered while ${open.map((c) => `${c.label} (${c.mode}, until ${new Date(c.end).toISOString()})`).join(', ')} covers it`);
  }

  private checkPause(t: number, name: string, kind: string, graceMs: number): void {
    const pauses = (this.ctx.maintenance?.activeAt(name, t) ?? []).filter((c) => c.mode === 'pause');
    if (pauses.length === 0) return;
    const since = Math.min(...pauses.map((c) => c.start));
    const decidedAt = this.book(name).lastCheck?.end ?? t;
    // A restart decided on a check that ended before the window opened may still be starting.
    if (decidedAt >= since || t - since > graceMs) {
      this.fail(t, 'pause', name, `${kind} ran ${Math.round(t - since)} ms after ${pauses.map((c) => c.label).join(', ')} (pause) opened; its last check ended ${Math.round(t - decidedAt)} ms before`);
    }
  }

  /**
   * Called at each step with the current time: a failed attempt whose incident has had time
   * to be reported (its verify time plus `slackMs`) must have an alert by now.
   */
  sweep(now: number, slackMs: number): void {
    this.advance(now);
    for (const [id, p] of this.pendingMute) {
      if (p.t >= now) continue;
      this.pendingMute.delete(id);
      this.fail(now, 'muted', p.service, `${p.kind} alert ${id} was decided at ${new Date(p.t).toISOString()} under ${p.open.join(', ')} and never recorded as muted`);
    }
    for (const [name, b] of this.books) {
      const deadline = this.ctx.truthDeadlineMs ?? 0;
      // A muted service owes nothing while its window is open; the news is due from its end.
      const since = b.owed ? Math.max(b.owed.since, b.lastCoverEnd) : 0;
      if (deadline > 0 && b.owed && now - since > deadline && !this.ctx.maintenance?.activeAt(name, now).length) {
        this.fail(now, 'truth', name, `the last notice said ${b.told ?? 'nothing'}; the service has been ${b.owed.state} since ${b.owed.since}${since > b.owed.since ? ` (muted until ${since})` : ''} (${now - since} ms, deadline ${deadline} ms)`);
        b.owed = null;
      }
      const after = b.afterEnd;
      if (after && now > after.at + (this.ctx.maintenance?.deliveryMs ?? 0)) {
        if (after.need && after.told === 0) {
          this.fail(now, 'toldAfter', name, `${after.by} ended at ${new Date(after.at).toISOString()} while the service was ${after.state}; the person's last notice says ${b.told ?? 'nothing'} and nothing was told within ${this.ctx.maintenance?.deliveryMs} ms`);
        }
        b.afterEnd = null;
      }
      this.judge(name, now - slackMs);
      if (b.alertedInIncident || b.incidentStart === null) continue;
      const lastFailed = b.attempts.find((a) => a.judgedFailed && a.start >= (b.incidentStart ?? 0));
      if (lastFailed) {
        this.fail(now, 'alertLost', name, `recovery attempt at ${lastFailed.start} failed and no alert followed within ${slackMs} ms`);
        b.alertedInIncident = true;
      }
    }
  }
}
