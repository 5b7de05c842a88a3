// The durable notifier: accepts alerts (idempotent on id, cooldown per service and kind),
// keeps them in the outbox on disk, and delivers them in the background, in order per
// destination, retrying what time can fix and recording what it cannot.
import os from 'node:os';
import pino from 'pino';
import type { DesiredNotifier } from '../manifest/types.js';
import type { AlertRecord } from '../status/schema.js';
import { standsAlone, type Alert, type Notifier, type NotifierSnapshot } from './types.js';
import { formatAlert } from './format.js';
import { levelOf } from './priority.js';
import { cooldownKey } from './cooldown.js';
import { changesTold, decideNotice } from './truth.js';
import { DEFAULT_RETRY, retryDelayMs, type RetryPolicy } from './retry-delay.js';
import { mapStrings, redactText, redactUrl, secretValues } from './redact.js';
import {
  DEFAULT_TOKEN_ENV,
  routeHidesCredentials,
  destinationKey,
  resolveRoute,
  routeTarget,
  secretEnvNames,
  sinkModuleOf,
  storableRoute,
  type Route,
} from './route.js';
import { defaultNtfyServer } from './sinks/ntfy.js';
import { OutboxStore, type Incident, type NotifierState, type OutboxEntry } from './outbox-store.js';
import type { DeliveryOutcome } from './sinks/outcome.js';
import { attemptDelivery, type Attempt } from './attempt.js';
import { activeMutes, muteLabel, mutedUntil, NO_MUTES, type Mute, type MuteSources } from './mute.js';
import { DEFAULT_GROUP_WAIT_SECONDS, dueAt, groupedNotification, pickGroup } from './grouping.js';
import type { Notification } from './notification.js';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Pending deliveries must not keep a finished process alive; vaid has its own handles.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface NotifierOptions {
  outboxDir: string;
  env: NodeJS.ProcessEnv;
  log?: pino.Logger;
  clock?: Clock;
  /** Shown in every notification (`Host:`); default os.hostname(). */
  hostname?: string;
  /** One delivery attempt (connect + answer, or the command's run time). Default 10 s. */
  deliveryTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** An alert still undelivered after this long is given up as failed. Default 24 h. */
  maxAgeMs?: number;
  /** Most notifications waiting in the outbox; the oldest fall off beyond it. Default 1000. */
  maxOutbox?: number;
  /** Alert records kept for status and `vaictl alerts`. Default 100 (status allows 200). */
  maxRecords?: number;
  /** group_wait of routes whose Notifier sets none (and of bare ntfy topics). Default 5 s; 0: each alone. */
  groupWaitSeconds?: number;
}

const MAX_SEEN = 2_000;
/** ntfy message ids kept to tell our earlier messages from an uncertain one (see ntfy-poll.ts). */
const MAX_SERVER_IDS = 200;
/** How long close() waits for deliveries in flight before aborting them. */
const CLOSE_GRACE_MS = 2_000;
/** Sanity bound on timers: a far-future time is re-checked at least this often. */
const MAX_TIMER_MS = 2 ** 30;

export class DurableNotifier implements Notifier {
  private readonly store: OutboxStore;
  private readonly env: NodeJS.ProcessEnv;
  private readonly log: pino.Logger;
  private readonly clock: Clock;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly maxAgeMs: number;
  private readonly maxOutbox: number;
  private readonly maxRecords: number;
  private readonly groupWaitSeconds: number;

  private state: NotifierState;
  private entries: OutboxEntry[];
  private seen: Set<string>;
  private targets: ReadonlyMap<string, DesiredNotifier> = new Map();
  /** setTargets has run: a Notifier missing now is really gone, not just not loaded yet. */
  private targetsKnown = false;
  private readonly inFlight = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private deliveryTimer: unknown;
  private reminderTimer: unknown;
  private refreshTimer: unknown;
  /** service -> when its firing alert was last re-sent to a destination that expects it (Alertmanager). */
  private readonly refreshedAt = new Map<string, number>();
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private muteSources: MuteSources = NO_MUTES;
  /** setMutes has run: a held alert is released only once the windows are known. */
  private mutesKnown = false;
  private heldTimer: unknown;

  private constructor(opts: NotifierOptions, store: OutboxStore, state: NotifierState, entries: OutboxEntry[]) {
    this.store = store;
    this.env = opts.env;
    this.log = opts.log ?? pino({ enabled: false });
    this.clock = opts.clock ?? realClock;
    this.host = opts.hostname ?? os.hostname();
    this.timeoutMs = opts.deliveryTimeoutMs ?? 10_000;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.maxAgeMs = opts.maxAgeMs ?? 24 * 3_600_000;
    this.maxOutbox = opts.maxOutbox ?? 1000;
    this.maxRecords = opts.maxRecords ?? 100;
    this.groupWaitSeconds = opts.groupWaitSeconds ?? DEFAULT_GROUP_WAIT_SECONDS;
    this.state = state;
    this.entries = entries;
    this.seen = new Set(state.seen);
  }

  static async open(opts: NotifierOptions): Promise<DurableNotifier> {
    const store = new OutboxStore(opts.outboxDir);
    const { state, entries, problems } = await store.load();
    const n = new DurableNotifier(opts, store, state, entries);
    for (const p of problems) n.log.error({ file: p.file, err: p.message }, 'notifier: unreadable outbox file moved aside');
    await n.adoptOrphans();
    if (entries.length > 0) n.log.info({ pending: entries.length }, 'notifier: resuming undelivered notifications');
    n.kick();
    n.scheduleReminders();
    return n;
  }

  /**
   * Entries written just before a crash whose ids state.json does not name yet are adopted, with
   * what accepting them had changed in state.json (cooldown, the incident a failure notice
   * opened or a resolve notice closed); entries whose record is already final (a crash before
   * their file was removed) are discarded.
   */
  private async adoptOrphans(): Promise<void> {
    // state.json may lag the files: a new entry must not take the file of one on disk.
    for (const e of this.entries) this.state.nextSeq = Math.max(this.state.nextSeq, e.seq + 1);
    const final = new Set(this.state.records.filter((r) => r.state === 'delivered' || r.state === 'failed').map((r) => r.id));
    for (const e of this.entries.filter((x) => final.has(x.id))) await this.store.removeEntry(e.seq);
    this.entries = this.entries.filter((x) => !final.has(x.id));
    for (const e of this.entries) {
      if (this.seen.has(e.id)) continue;
      this.remember(e.id);
      const key = cooldownKey(e.service, e.kind);
      this.state.cooldowns[key] = Math.max(this.state.cooldowns[key] ?? 0, e.createdAt);
      const open = this.state.incidents[e.service];
      if (e.incident && (!open || open.lastNotifiedAt <= e.createdAt)) this.state.incidents[e.service] = e.incident;
      if (e.kind === 'recovered' && open && open.lastNotifiedAt <= e.createdAt) delete this.state.incidents[e.service];
      const told = this.state.told[e.service];
      if (changesTold(e.kind) && (!told || told.at <= e.createdAt)) this.state.told[e.service] = { kind: e.kind, at: e.createdAt };
      this.upsertRecord(this.recordOf(e, 'pending'));
    }
  }

  setTargets(targets: ReadonlyMap<string, DesiredNotifier>): void {
    this.targets = targets;
    this.targetsKnown = true;
    this.scheduleReminders();
    this.kick();
  }

  /** Maintenance windows and silences in force (mute.ts); releases held alerts whose mutes ended. */
  setMutes(src: MuteSources): void {
    this.muteSources = src;
    this.mutesKnown = true;
    this.scheduleHeld();
  }

  submit(alert: Alert): Promise<void> {
    return this.serial(() => this.accept(alert));
  }

  /**
   * Closes a service's open incident without a message (it was stopped, disabled or removed),
   * so no reminder follows. A later 'recovered' then has nothing to resolve and stays silent.
   */
  closeIncident(service: string): Promise<void> {
    return this.serial(async () => {
      const held = this.state.held?.[service] !== undefined;
      if (!this.state.incidents[service] && !this.state.told[service] && !held) return;
      delete this.state.incidents[service];
      // The operator took the service over: what the person was told is closed with it, and an
      // alert held by a window is no longer the service's state ("still failing" would be untrue).
      delete this.state.told[service];
      if (held) delete this.state.held![service];
      await this.store.writeState(this.state);
      this.scheduleReminders();
      if (held) this.scheduleHeld();
    });
  }

  snapshot(): NotifierSnapshot {
    return {
      outboxSize: this.entries.length,
      outboxMax: this.maxOutbox,
      dropped: this.state.dropped,
      recent: this.state.records.map((r) => ({ ...r })),
      unverifiedResends: this.state.unverifiedResends,
      configErrors: Object.values(this.state.configErrors).map((c) => ({ ...c })),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.deliveryTimer);
    this.clock.clearTimeout(this.reminderTimer);
    this.clock.clearTimeout(this.refreshTimer);
    this.clock.clearTimeout(this.heldTimer);
    // A delivery in flight may already have reached the server: give its answer a moment to
    // arrive and be recorded, or the next start would send it again.
    const inFlight = [...this.inFlight.values()];
    const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
    await Promise.race([Promise.allSettled(inFlight.map((f) => f.promise)), grace]);
    for (const f of inFlight) f.abort.abort();
    await Promise.allSettled(inFlight.map((f) => f.promise));
    await this.chain.catch(() => undefined);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private secrets(): string[] {
    const names = new Set<string>([DEFAULT_TOKEN_ENV]);
    for (const t of this.targets.values()) {
      const r = resolveRoute(t.name, this.targets, this.env);
      if (r.ok) for (const n of secretEnvNames(r.value.route)) names.add(n);
    }
    for (const e of this.entries) for (const n of secretEnvNames(e.route)) names.add(n);
    return secretValues(this.env, names);
  }

  private clean(text: string): string {
    return redactText(text, this.secrets());
  }

  private remember(id: string): void {
    this.seen.add(id);
    this.state.seen.push(id);
    if (this.state.seen.length > MAX_SEEN) {
      for (const old of this.state.seen.splice(0, this.state.seen.length - MAX_SEEN)) this.seen.delete(old);
    }
  }

  private async accept(alert: Alert): Promise<void> {
    if (this.closed) throw new Error('notifier is closed');
    if (this.seen.has(alert.id)) {
      this.log.debug({ alertId: alert.id }, 'notifier: alert already accepted; ignored');
      return;
    }
    const now = this.clock.now();
    const notifyOnFail = alert.spec.notify_on_fail;
    if (!notifyOnFail) {
      this.remember(alert.id);
      this.log.debug({ alertId: alert.id, service: alert.service }, 'notifier: service has no notify_on_fail; nothing sent');
      await this.store.writeState(this.state);
      return;
    }
    const resolved = resolveRoute(notifyOnFail, this.targets, this.env);
    const { priority } = levelOf(alert.kind);
    if (!resolved.ok) {
      this.remember(alert.id);
      this.upsertRecord({ ...this.baseRecord(alert, priority, '-', '-'), state: 'failed', lastError: resolved.error });
      this.log.error({ alertId: alert.id, service: alert.service, code: 'VAI_E_NOTIFY_REJECTED', err: resolved.error }, 'notifier: no way to send alert');
      await this.store.writeState(this.state);
      return;
    }
    const { route, cooldownSeconds } = resolved.value;
    const groupWaitSeconds = resolved.value.groupWaitSeconds ?? this.groupWaitSeconds;
    const target = routeTarget(route);
    const suppress = async (reason: string) => {
      this.remember(alert.id);
      this.upsertRecord({ ...this.baseRecord(alert, priority, route.sink, target), state: 'suppressed', lastError: reason });
      this.log.info({ alertId: alert.id, service: alert.service, kind: alert.kind, reason }, 'notifier: alert suppressed');
      await this.store.writeState(this.state);
    };

    const mutes = activeMutes(this.muteSources, alert.service, alert.labels ?? {}, now);
    if (mutes.length > 0) return this.hold(alert, mutes, this.baseRecord(alert, priority, route.sink, target));

    const key = cooldownKey(alert.service, alert.kind);
    const decision = decideNotice({
      kind: alert.kind,
      told: this.state.told[alert.service],
      lastOfKindAt: this.state.cooldowns[key],
      incidentOpen: this.state.incidents[alert.service] !== undefined,
      cooldownSeconds,
      now,
    });
    if (!decision.send) return suppress(decision.reason);
    if (standsAlone(alert.kind)) {
      // Its own incident, decided by the planner: the failure incident and what was told stay as they are.
      await this.enqueue(alert, route, now, undefined, groupWaitSeconds);
      this.kick();
      return;
    }
    if (alert.kind === 'recovered') {
      delete this.state.incidents[alert.service];
    } else if (alert.kind === 'rolled-back') {
      // A rollback ends healthy: a notice, no incident to remind of or resolve.
      this.state.cooldowns[key] = now;
    } else if (changesTold(alert.kind)) {
      this.state.cooldowns[key] = now;
      const open = this.state.incidents[alert.service];
      // Kept on disk for reminders: without URL credentials or known secret values.
      const kept = mapStrings(alert, (x) => this.clean(x));
      this.state.incidents[alert.service] = open
        ? { ...open, lastNotifiedAt: now, alert: kept }
        : { openedAt: now, lastNotifiedAt: now, reminders: 0, notifyOnFail, alert: kept };
    }
    if (changesTold(alert.kind)) this.state.told[alert.service] = { kind: alert.kind, at: now };
    await this.enqueue(alert, route, now, alert.kind === 'recovery-failed' || alert.kind === 'crash-loop' ? this.state.incidents[alert.service] : undefined, groupWaitSeconds);
    this.scheduleReminders();
    this.kick();
  }

  /**
   * A muted alert is recorded as muted and held in place of any earlier one of the service: the
   * latest is what is true when the mutes end, and only it goes through the truth rule then.
   */
  private async hold(alert: Alert, mutes: readonly Mute[], record: AlertRecord): Promise<void> {
    const by = muteLabel(mutes[0]!);
    const until = mutedUntil(mutes);
    this.remember(alert.id);
    this.upsertRecord({ ...record, state: 'muted', mutedBy: by, lastError: `muted by ${mutes.map(muteLabel).join(', ')} until ${new Date(until).toISOString()}` });
    // A reminder repeats what is held already; it changes nothing the person should learn later.
    if (alert.kind !== 'reminder') (this.state.held ??= {})[alert.service] = { alert: mapStrings(alert, (x) => this.clean(x)), until, by };
    this.log.info({ alertId: alert.id, service: alert.service, kind: alert.kind, mutedBy: by }, 'notifier: alert muted');
    await this.store.writeState(this.state);
    this.scheduleHeld();
  }

  private scheduleHeld(): void {
    if (this.closed) return;
    this.clock.clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    const held = Object.values(this.state.held ?? {});
    if (held.length === 0 || !this.mutesKnown) return;
    const now = this.clock.now();
    // The mutes in force now, not the end recorded when it was held: a window shortened or
    // removed from git, or a silence deleted, releases the alert at once.
    const next = Math.min(...held.map((h) => this.heldUntil(h, now)));
    this.heldTimer = this.clock.setTimeout(() => {
      void this.serial(() => this.releaseHeld()).catch((e: unknown) => {
        this.log.error({ err: this.clean((e as Error).message) }, 'notifier: releasing a held alert failed');
      });
    }, Math.min(MAX_TIMER_MS, Math.max(0, next - now)));
  }

  private heldUntil(h: { alert: Alert }, now: number): number {
    const mutes = activeMutes(this.muteSources, h.alert.service, h.alert.labels ?? {}, now);
    return mutes.length > 0 ? mutedUntil(mutes) : now;
  }

  /** Mutes that ended: the held alert is decided as if it came now (truth.ts: a change of state is told once). */
  private async releaseHeld(): Promise<void> {
    if (this.closed) return;
    const now = this.clock.now();
    for (const [service, h] of Object.entries(this.state.held ?? {})) {
      const mutes = activeMutes(this.muteSources, service, h.alert.labels ?? {}, now);
      if (mutes.length > 0) {
        h.until = mutedUntil(mutes);
        h.by = muteLabel(mutes[0]!);
        continue;
      }
      delete this.state.held![service];
      const after = `${h.by} ended`;
      const message = h.alert.kind === 'recovered' ? h.alert.message : `still failing after ${after}: ${h.alert.message}`;
      await this.accept({ ...h.alert, id: `${h.alert.id}:after:${h.by}:${h.until}`, at: new Date(now).toISOString(), message });
    }
    await this.store.writeState(this.state);
    this.scheduleHeld();
  }

  private async enqueue(alert: Alert, route: Route, now: number, incident?: Incident, groupWaitSeconds = 0): Promise<void> {
    const notification = formatAlert({ ...alert, message: this.clean(alert.message) }, this.host);
    notification.message = this.clean(notification.message);
    const stored = storableRoute(route);
    const entry: OutboxEntry = {
      seq: this.state.nextSeq,
      id: alert.id,
      service: alert.service,
      kind: alert.kind,
      destination: destinationKey(stored),
      route: stored,
      notification,
      createdAt: now,
      attempts: 0,
      lastError: null,
      nextAttemptAt: now,
      ...(incident ? { incident } : {}),
      ...(groupWaitSeconds > 0 && sinkModuleOf(route).groups ? { groupUntil: now + groupWaitSeconds * 1000 } : {}),
    };
    this.state.nextSeq += 1;
    await this.store.writeEntry(entry);
    this.entries.push(entry);
    this.remember(alert.id);
    this.upsertRecord(this.recordOf(entry, 'pending'));
    await this.enforceBound();
    await this.store.writeState(this.state);
    this.log.info({ alertId: entry.id, service: entry.service, kind: entry.kind, sink: route.sink, target: routeTarget(stored) }, 'notifier: alert queued');
  }

  private async enforceBound(): Promise<void> {
    while (this.entries.length > this.maxOutbox) {
      // An entry carried by a formed group goes with its head's message, or not at all.
      const carried = new Set(this.entries.flatMap((e) => e.group?.seqs ?? []));
      const victim = this.entries.find((e) => !carried.has(e.seq) && (!this.inFlight.has(e.destination) || this.headOf(e.destination) !== e));
      if (!victim) return;
      this.entries = this.entries.filter((e) => e !== victim);
      await this.store.removeEntry(victim.seq);
      this.state.dropped += 1;
      this.upsertRecord({ ...this.recordOf(victim, 'dropped'), lastError: `outbox full (${this.maxOutbox}): oldest notification dropped` });
      this.log.warn({ alertId: victim.id, service: victim.service, dropped: this.state.dropped, max: this.maxOutbox }, 'notifier: outbox full; dropped the oldest notification');
    }
  }

  private headOf(destination: string): OutboxEntry | undefined {
    return this.entries.find((e) => e.destination === destination);
  }

  private kick(): void {
    if (this.closed) return;
    this.clock.clearTimeout(this.deliveryTimer);
    this.deliveryTimer = undefined;
    const now = this.clock.now();
    let next = Infinity;
    const heads = new Map<string, OutboxEntry>();
    for (const e of this.entries) if (!heads.has(e.destination)) heads.set(e.destination, e);
    for (const [dest, head] of heads) {
      if (this.inFlight.has(dest)) continue;
      // Waits for setTargets, which calls kick() again.
      if ('wait' in this.liveRoute(head)) continue;
      const due = dueAt(head);
      if (due <= now) this.startAttempt(head);
      else next = Math.min(next, due);
    }
    if (next !== Infinity) {
      this.deliveryTimer = this.clock.setTimeout(() => this.kick(), Math.min(MAX_TIMER_MS, Math.max(0, next - now)));
    }
  }

  private startAttempt(entry: OutboxEntry): void {
    const abort = new AbortController();
    const promise = (async () => {
      let result: Attempt;
      try {
        await this.formGroup(entry);
        const live = this.liveRoute(entry);
        result =
          'route' in live
            ? await this.attempt(entry, live.route, abort.signal)
            : { outcome: { type: 'reject', reason: 'error' in live ? live.error : 'unreachable' }, unverified: null, doubt: entry.inDoubtSince ?? null };
      } catch (e) {
        result = { outcome: { type: 'retry', reason: `internal error: ${(e as Error).message}` }, unverified: null, doubt: entry.inDoubtSince ?? null };
      }
      await this.serial(() => this.settle(entry, result)).catch((e: unknown) => {
        this.log.error({ alertId: entry.id, err: this.clean((e as Error).message) }, 'notifier: cannot record delivery outcome');
      });
    })().finally(() => {
      this.inFlight.delete(entry.destination);
      this.kick();
    });
    this.inFlight.set(entry.destination, { promise, abort });
  }

  /**
   * The route to use now. URL userinfo is not stored (it is a credential), so a route that had
   * some is re-read from its Notifier (or from $VAI_NTFY_URL); until the manifests are loaded
   * such a route waits rather than be sent without its credentials.
   */
  private liveRoute(entry: OutboxEntry): { route: Route } | { wait: true } | { error: string } {
    const r = entry.route;
    if (!routeHidesCredentials(r)) return { route: r };
    if (r.notifier === null) {
      const server = defaultNtfyServer(this.env);
      if (r.sink === 'ntfy' && redactUrl(server) === r.server) return { route: { ...r, server } };
      return { error: 'the ntfy server URL with credentials changed since this alert was queued' };
    }
    if (!this.targetsKnown) return { wait: true };
    const fresh = resolveRoute(r.notifier, this.targets, this.env);
    if (fresh.ok && destinationKey(storableRoute(fresh.value.route)) === entry.destination) return { route: fresh.value.route };
    return { error: `Notifier "${r.notifier}" changed or is gone; the credentials in its URL were not stored with this alert` };
  }

  private attempt(entry: OutboxEntry, route: Route, signal: AbortSignal): Promise<Attempt> {
    return attemptDelivery(entry, route, signal, {
      timeoutMs: this.timeoutMs,
      now: () => this.clock.now(),
      findEarlier: (e, r, key, since, sig) => {
        const m = sinkModuleOf(r);
        if (!m.findEarlier) return m.cannotAsk;
        return m.findEarlier(messageOf(e), r, key, since, new Set(this.state.serverIds), { env: this.env, timeoutMs: this.timeoutMs, nowMs: this.clock.now(), signal: sig });
      },
      persist: (e) => this.store.writeEntry(e),
      send: (e, r, key, sig) => this.deliver(e, r, key, sig),
    });
  }

  private deliver(entry: OutboxEntry, route: Route, key: string, signal: AbortSignal): Promise<DeliveryOutcome> {
    return sinkModuleOf(route).send(messageOf(entry), route, {
      env: this.env,
      key,
      timeoutMs: this.timeoutMs,
      nowMs: this.clock.now(),
      signal,
      secretEnvNames: [DEFAULT_TOKEN_ENV, ...this.secretEnvNamesOfAll()],
    });
  }

  private secretEnvNamesOfAll(): string[] {
    const out: string[] = [];
    for (const t of this.targets.values()) {
      const r = resolveRoute(t.name, this.targets, this.env);
      if (r.ok) out.push(...secretEnvNames(r.value.route));
    }
    return out;
  }

  private async settle(entry: OutboxEntry, attempt: Attempt): Promise<void> {
    if (!this.entries.includes(entry)) return;
    const { outcome } = attempt;
    const now = this.clock.now();
    entry.attempts += 1;
    const ctx = { alertId: entry.id, service: entry.service, kind: entry.kind, sink: entry.route.sink, target: routeTarget(entry.route), attempt: entry.attempts };
    if (outcome.type === 'delivered') {
      delete this.state.configErrors[entry.destination];
      if (outcome.messageId) {
        this.state.serverIds.push(outcome.messageId);
        if (this.state.serverIds.length > MAX_SERVER_IDS) this.state.serverIds.splice(0, this.state.serverIds.length - MAX_SERVER_IDS);
      }
      let note = entry.lastError;
      if (attempt.unverified !== null) {
        this.state.unverifiedResends += 1;
        note = `sent again without knowing whether an earlier attempt arrived (${this.clean(attempt.unverified)}); it may have arrived twice`;
        this.log.warn({ ...ctx, err: note, unverifiedResends: this.state.unverifiedResends }, 'notifier: alert sent again unverified');
      }
      await this.finish(entry, { state: 'delivered', lastError: note, deliveredAt: new Date(now).toISOString() });
      this.log.info({ ...ctx, detail: outcome.detail }, 'notifier: alert delivered');
      return;
    }
    entry.inDoubtSince = attempt.doubt;
    const reason = this.clean(outcome.reason);
    if (outcome.type === 'reject') {
      if (outcome.config) {
        this.state.configErrors[entry.destination] = { notifier: entry.route.notifier, sink: entry.route.sink, target: routeTarget(entry.route), message: reason, at: new Date(now).toISOString() };
      }
      await this.finish(entry, { state: 'failed', lastError: reason, deliveredAt: null });
      this.log.error({ ...ctx, code: 'VAI_E_NOTIFY_REJECTED', err: reason }, 'notifier: alert rejected for good; not retried');
      return;
    }
    if (this.closed && reason.startsWith('aborted')) entry.attempts -= 1;
    if (now - entry.createdAt >= this.maxAgeMs) {
      const lastError = `gave up after ${entry.attempts} attempts over ${Math.round((now - entry.createdAt) / 60_000)} min: ${reason}`;
      await this.finish(entry, { state: 'failed', lastError, deliveredAt: null });
      this.log.error({ ...ctx, err: lastError }, 'notifier: alert expired undelivered');
      return;
    }
    const delay = retryDelayMs(Math.max(1, entry.attempts), this.retry, outcome.retryAfterMs);
    entry.lastError = reason;
    entry.nextAttemptAt = now + delay;
    await this.store.writeEntry(entry);
    this.upsertRecord(this.recordOf(entry, 'pending'));
    await this.store.writeState(this.state);
    this.log.warn({ ...ctx, err: reason, retryInMs: delay }, 'notifier: delivery failed; will retry');
  }

  private async finish(entry: OutboxEntry, result: Pick<AlertRecord, 'state' | 'lastError' | 'deliveredAt'>): Promise<void> {
    const carried = new Set(entry.group?.seqs ?? []);
    const done = this.entries.filter((e) => e === entry || carried.has(e.seq));
    this.entries = this.entries.filter((e) => !done.includes(e));
    for (const e of done) this.upsertRecord({ ...this.recordOf(e, result.state), attempts: entry.attempts, lastError: result.lastError, deliveredAt: result.deliveredAt });
    // The record is the truth: once it says delivered or failed, a leftover entry file (a crash
    // before the removal) is discarded on load instead of being sent again.
    await this.store.writeState(this.state);
    for (const e of done) await this.store.removeEntry(e.seq);
  }

  /**
   * At a head's first attempt, the entries queued for its destination within its group_wait join
   * it (grouping.ts): written into the head's entry before anything is sent, so every later
   * attempt, and a restarted vaid, sends that same one message with the head's key.
   */
  private async formGroup(head: OutboxEntry): Promise<void> {
    if (head.group) return;
    const seqs = pickGroup(head, this.entries);
    if (seqs.length === 0) return;
    const members = seqs.map((q) => this.entries.find((e) => e.seq === q)!);
    head.group = { seqs, notification: groupedNotification([head.notification, ...members.map((m) => m.notification)]) };
    await this.store.writeEntry(head);
    this.log.info({ alertId: head.id, grouped: members.map((m) => m.id), target: routeTarget(head.route) }, 'notifier: notifications grouped into one message');
  }

  private baseRecord(alert: Alert, priority: number, sink: string, target: string): AlertRecord {
    return { id: alert.id, at: alert.at, service: alert.service, kind: alert.kind, priority, sink, target, state: 'pending', attempts: 0, lastError: null, deliveredAt: null };
  }

  private recordOf(e: OutboxEntry, state: AlertRecord['state']): AlertRecord {
    return {
      id: e.id,
      at: e.notification.at,
      service: e.service,
      kind: e.kind,
      priority: e.notification.priority,
      sink: e.route.sink,
      target: routeTarget(e.route),
      state,
      attempts: e.attempts,
      lastError: e.lastError,
      deliveredAt: null,
    };
  }

  private upsertRecord(r: AlertRecord): void {
    const i = this.state.records.findIndex((x) => x.id === r.id);
    if (i >= 0) this.state.records[i] = r;
    else this.state.records.push(r);
    if (this.state.records.length > this.maxRecords) this.state.records.splice(0, this.state.records.length - this.maxRecords);
  }

  private refreshPlan(inc: Incident, now: number): { route: Route; dueAt: number } | null {
    const r = resolveRoute(inc.notifyOnFail, this.targets, this.env);
    if (!r.ok) return null;
    const every = sinkModuleOf(r.value.route).refreshSeconds?.(r.value.route) ?? 0;
    if (every <= 0) return null;
    const last = Math.max(this.refreshedAt.get(inc.alert.service) ?? 0, inc.lastNotifiedAt);
    return { route: r.value.route, dueAt: Math.min(last + every * 1000, now + MAX_TIMER_MS) };
  }

  /** Re-sends the firing alerts of open incidents to destinations that expire them otherwise. */
  private scheduleRefresh(): void {
    if (this.closed) return;
    this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    const now = this.clock.now();
    let next = Infinity;
    for (const inc of Object.values(this.state.incidents)) next = Math.min(next, this.refreshPlan(inc, now)?.dueAt ?? Infinity);
    if (next === Infinity) return;
    this.refreshTimer = this.clock.setTimeout(() => this.refreshDue(), Math.max(0, next - now));
  }

  private refreshDue(): void {
    if (this.closed) return;
    const now = this.clock.now();
    for (const [service, inc] of Object.entries(this.state.incidents)) {
      const plan = this.refreshPlan(inc, now);
      if (!plan || plan.dueAt > now) continue;
      this.refreshedAt.set(service, now);
      const kinds = new Set<Alert['kind']>(['recovery-failed', inc.alert.kind]);
      for (const kind of kinds) {
        const n = formatAlert({ ...inc.alert, kind }, this.host);
        const abort = new AbortController();
        void sinkModuleOf(plan.route)
          .send(n, plan.route, { env: this.env, key: '', timeoutMs: this.timeoutMs, nowMs: now, signal: abort.signal, secretEnvNames: [] })
          .then((o) => {
            if (o.type !== 'delivered') this.log.warn({ service, kind, target: routeTarget(plan.route), err: this.clean(o.reason) }, 'notifier: re-sending a firing alert failed; the next interval tries again');
          });
      }
    }
    this.scheduleRefresh();
  }

  private scheduleReminders(): void {
    this.scheduleRefresh();
    if (this.closed) return;
    this.clock.clearTimeout(this.reminderTimer);
    this.reminderTimer = undefined;
    const now = this.clock.now();
    let next = Infinity;
    for (const inc of Object.values(this.state.incidents)) {
      const r = resolveRoute(inc.notifyOnFail, this.targets, this.env);
      if (!r.ok || r.value.reminderSeconds <= 0) continue;
      next = Math.min(next, inc.lastNotifiedAt + r.value.reminderSeconds * 1000);
    }
    if (next === Infinity) return;
    this.reminderTimer = this.clock.setTimeout(() => {
      void this.serial(() => this.sendDueReminders()).catch((e: unknown) => {
        this.log.error({ err: this.clean((e as Error).message) }, 'notifier: reminder failed');
      });
    }, Math.min(MAX_TIMER_MS, Math.max(0, next - now)));
  }

  private async sendDueReminders(): Promise<void> {
    if (this.closed) return;
    const now = this.clock.now();
    for (const [service, inc] of Object.entries(this.state.incidents)) {
      const r = resolveRoute(inc.notifyOnFail, this.targets, this.env);
      if (!r.ok || r.value.reminderSeconds <= 0 || now < inc.lastNotifiedAt + r.value.reminderSeconds * 1000) continue;
      // During a maintenance window the person is not reminded; the window's end tells what holds then.
      if (activeMutes(this.muteSources, service, inc.alert.labels ?? {}, now).length > 0) continue;
      const n = inc.reminders + 1;
      const id = `${service}:reminder:${inc.openedAt}:${n}`;
      this.state.incidents[service] = { ...inc, lastNotifiedAt: now, reminders: n };
      if (this.seen.has(id)) continue;
      const since = new Date(inc.openedAt).toISOString();
      await this.enqueue(
        { ...inc.alert, id, kind: 'reminder', at: new Date(now).toISOString(), message: `failing since ${since}; reminder ${n}: ${inc.alert.message}` },
        r.value.route,
        now,
        undefined,
        r.value.groupWaitSeconds ?? this.groupWaitSeconds,
      );
    }
    await this.store.writeState(this.state);
    this.scheduleReminders();
    this.kick();
  }
}

/** What goes out for an entry: its group's one message once formed, else its own. */
function messageOf(e: OutboxEntry): Notification {
  return e.group?.notification ?? e.notification;
}
