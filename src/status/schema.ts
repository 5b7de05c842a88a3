// The status document written to STATE_DIR/status.json by vaid and read by vaictl.
// Single definition: schema (schemas/status.schema.json, written by scripts/write-schemas.ts)
// and types both come from here. Times are ISO-8601 strings in UTC.
import { Type, type Static } from '@sinclair/typebox';

import { STATUS_API_VERSION, SUMMARY_FORMAT_VERSION, SUMMARY_KIND } from './format-version.js';
import { PHASES } from './phases.js';

/** A maintenance window or an ad-hoc silence that covers a service (notify/mute.ts). */
function MuteSchema() {
  return Type.Object(
    {
      kind: Type.Union([Type.Literal('window'), Type.Literal('silence')]),
      /** The Maintenance manifest's name, or the silence's id. */
      name: Type.String(),
      mode: Type.Union([Type.Literal('silence'), Type.Literal('pause')]),
      until: Time,
      reason: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  );
}

export { STATUS_API_VERSION, STATUS_FORMAT_VERSION } from './format-version.js';

const Time = Type.String({ description: 'ISO-8601 UTC time' });
const NullableTime = Type.Union([Time, Type.Null()]);

export { PHASES } from './phases.js';
export const PhaseSchema = Type.Union(PHASES.map((p) => Type.Literal(p)));

export const CONDITION_TYPES = ['Healthy', 'DependenciesReady', 'Recovering', 'BackOff', 'ManuallyStopped', 'PidFile'] as const;

export const ConditionSchema = Type.Object(
  {
    type: Type.String(),
    status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
    reason: Type.String({ pattern: '^[A-Z][A-Za-z0-9]*$' }),
    message: Type.String(),
    lastTransitionTime: Time,
    observedGeneration: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const EventSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('Normal'), Type.Literal('Warning')]),
    reason: Type.String({ pattern: '^[A-Z][A-Za-z0-9]*$' }),
    message: Type.String(),
    count: Type.Integer({ minimum: 1 }),
    firstTime: Time,
    lastTime: Time,
  },
  { additionalProperties: false },
);

export const LastCheckSchema = Type.Object(
  {
    at: Time,
    health: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy'), Type.Literal('unknown')]),
    reason: Type.String(),
    latencyMs: Type.Number({ minimum: 0 }),
    message: Type.String(),
    /** spec.limits: the service's process tree at this check (absent without limits, or when vai cannot find the process). */
    usage: Type.Optional(
      Type.Object(
        {
          rootPid: Type.Integer({ minimum: 1 }),
          processes: Type.Integer({ minimum: 1 }),
          rssBytes: Type.Number({ minimum: 0 }),
          cpuSeconds: Type.Number({ minimum: 0 }),
          cpuPercent: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * The recovery state machine, kept in status so a vaid restarted mid-recovery resumes it:
 * `Restarting` = commands were started at startedAt (if vaid died now, the command outcome is
 * unknown: verify, do not restart again); `Verifying` = commands returned, poll until deadline.
 */
export const RecoverySchema = Type.Object(
  {
    state: Type.Union([Type.Literal('Restarting'), Type.Literal('Verifying')]),
    attempt: Type.Integer({ minimum: 1 }),
    reason: Type.String({ description: 'Why it restarted: the failing check message and how many checks failed.' }),
    startedAt: Time,
    deadline: NullableTime,
  },
  { additionalProperties: false },
);

/** Why the last check, attempt or crash failed (src/diagnosis/cause.ts: the closed set of reasons). */
export const LastFailureSchema = Type.Object(
  {
    at: Time,
    /** check: the service failed (a crash, a hang); attempt: a recovery attempt failed. */
    kind: Type.Union([Type.Literal('check'), Type.Literal('attempt')]),
    attempt: Type.Optional(Type.Integer({ minimum: 1 })),
    reason: Type.String({ pattern: '^[A-Z][A-Za-z0-9]*$' }),
    message: Type.String({ maxLength: 400 }),
    evidence: Type.Array(Type.String({ maxLength: 300 }), { maxItems: 12 }),
    /** The failing command's last output lines (restart_cmd/stop_cmd), redacted. */
    commandTail: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 12 })),
    /** The last lines of log_path when it failed, redacted. */
    logTail: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 12 })),
  },
  { additionalProperties: false },
);

const RolloutRefSchema = Type.Object(
  { revision: Type.String({ description: 'git commit, or `generation-N` outside git' }), hash: Type.String({ description: 'hash of the fields that define how the service runs' }) },
  { additionalProperties: false },
);

/** Rollout of spec changes (spec.rollout.on_change: restart; src/reconcile/rollout.ts). */
export const RolloutStatusSchema = Type.Object(
  {
    state: Type.Union((['Stable', 'Pending', 'RollingOut', 'RollingBack', 'RolledBack', 'Pinned'] as const).map((x) => Type.Literal(x))),
    /** The spec last verified running. */
    running: RolloutRefSchema,
    /** The spec being started now (RollingOut: the new one or an undo's; RollingBack: `running`). */
    target: Type.Union([Type.Object({ ...RolloutRefSchema.properties, undo: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), Type.Null()]),
    /** The last rollout that failed verification; held back until a commit changes the service again. */
    failed: Type.Union([Type.Object({ ...RolloutRefSchema.properties, reason: Type.String(), message: Type.String({ maxLength: 400 }), at: Time }, { additionalProperties: false }), Type.Null()]),
    /** vaictl rollout undo: runs `revision`'s spec while the desired spec hashes to `against`. */
    pinned: Type.Union([Type.Object({ ...RolloutRefSchema.properties, against: Type.String() }, { additionalProperties: false }), Type.Null()]),
    history: Type.Array(
      Type.Object({ ...RolloutRefSchema.properties, at: Time, result: Type.Union((['Applied', 'RolledOut', 'Failed', 'RolledBack', 'Pinned'] as const).map((x) => Type.Literal(x))), message: Type.Optional(Type.String({ maxLength: 400 })) }, { additionalProperties: false }),
      { maxItems: 20 },
    ),
  },
  { additionalProperties: false },
);

export const ServiceStatusSchema = Type.Object(
  {
    name: Type.String(),
    generation: Type.Integer({ minimum: 0 }),
    // Optional: a status written before it existed still reloads. A restarted vaid compares it
    // with the spec it loads, so an unchanged spec keeps its generation (generations only grow).
    specHash: Type.Optional(Type.String({ description: 'Hash of the spec and labels this generation stands for.' })),
    observedGeneration: Type.Integer({ minimum: 0 }),
    desired: Type.Union([Type.Literal('Running'), Type.Literal('Stopped'), Type.Literal('Disabled')]),
    phase: PhaseSchema,
    phaseSince: Time,
    createdAt: Time,
    labels: Type.Record(Type.String(), Type.String()),
    source: Type.Object({ file: Type.String(), line: Type.Integer(), column: Type.Integer() }, { additionalProperties: false }),
    conditions: Type.Array(ConditionSchema),
    restarts: Type.Object(
      {
        count: Type.Integer({ minimum: 0 }),
        lastAt: NullableTime,
        lastReason: Type.Union([Type.String(), Type.Null()]),
        /** vai's first start of a service that was down when vai first saw it: counted here, not in count (Kubernetes counts restarts, not the first start). */
        starts: Type.Optional(Type.Integer({ minimum: 0 })),
        /** When vai first started it (the start counted in `starts`). */
        firstStartAt: Type.Optional(NullableTime),
      },
      { additionalProperties: false },
    ),
    lastCheck: Type.Union([LastCheckSchema, Type.Null()]),
    nextCheckAt: NullableTime,
    consecutiveFailures: Type.Integer({ minimum: 0 }),
    consecutiveSuccesses: Type.Integer({ minimum: 0 }),
    counters: Type.Object(
      {
        checks: Type.Integer({ minimum: 0 }),
        failedChecks: Type.Integer({ minimum: 0 }),
        recoveriesAttempted: Type.Integer({ minimum: 0 }),
        recoveriesSucceeded: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    backoff: Type.Object(
      {
        /** Times of failed recovery attempts still inside failure_window_seconds. */
        failures: Type.Array(Time),
        /** Current CrashLoopBackOff delay in seconds (0 when not backing off). */
        delaySeconds: Type.Number({ minimum: 0 }),
        nextAttemptAt: NullableTime,
        healthySince: NullableTime,
      },
      { additionalProperties: false },
    ),
    recovery: Type.Union([RecoverySchema, Type.Null()]),
    /** Incident bookkeeping for alerts: sequence of the current incident and what was sent. */
    incident: Type.Object(
      {
        seq: Type.Integer({ minimum: 0 }),
        open: Type.Boolean(),
        notifiedFailure: Type.Boolean(),
        notifiedCrashLoop: Type.Boolean(),
        openedAt: NullableTime,
        /** Recovery attempts started in this incident (absent in files written before it existed). */
        attempts: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    events: Type.Array(EventSchema, { maxItems: 50 }),
    // Optional: files written before causes existed still validate (an addition, same format version).
    lastFailure: Type.Optional(Type.Union([LastFailureSchema, Type.Null()])),
    /** Failures recorded per cause reason since the status was created (vai_service_failures_total). */
    /** Restarts that recovered, within the flapping window, and the open Flapping incident (src/notify/flapping.ts). */
    flapping: Type.Optional(
      Type.Object(
        {
          restarts: Type.Array(Type.Object({ at: Time, cause: Type.String({ maxLength: 400 }) }, { additionalProperties: false }), { maxItems: 200 }),
          openSince: NullableTime,
        },
        { additionalProperties: false },
      ),
    ),
    failureCounts: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Z][A-Za-z0-9]*$' }), Type.Integer({ minimum: 0 }))),
    /** Absent unless spec.rollout.on_change is restart (an addition, same format version). */
    rollout: Type.Optional(RolloutStatusSchema),
    /** Maintenance windows and silences active for the service when it was last planned (absent: none). */
    maintenance: Type.Optional(Type.Array(MuteSchema(), { maxItems: 32 })),
    /** The passing check's warning a notice was sent for (a certificate within warn_days), until it no longer holds. */
    notice: Type.Optional(Type.Union([Type.Object({ key: Type.String(), at: Time }, { additionalProperties: false }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const ManifestErrorSchema = Type.Object(
  {
    code: Type.String(),
    file: Type.String(),
    line: Type.Integer(),
    column: Type.Integer(),
    path: Type.String(),
    message: Type.String(),
    services: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

const RevisionSchema = Type.Union([
  Type.Object({ commit: Type.Union([Type.String(), Type.Null()]), dirty: Type.Boolean() }, { additionalProperties: false }),
  Type.Null(),
]);

export const AlertRecordSchema = Type.Object(
  {
    id: Type.String(),
    at: Time,
    service: Type.String(),
    kind: Type.String(),
    priority: Type.Integer({ minimum: 1, maximum: 5 }),
    sink: Type.String(),
    target: Type.String({ description: 'Topic or URL without credentials.' }),
    state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('suppressed'), Type.Literal('dropped'), Type.Literal('muted')]),
    /** state muted: the maintenance window (`window/NAME`) or silence (`silence/ID`) that muted it. */
    mutedBy: Type.Optional(Type.String()),
    attempts: Type.Integer({ minimum: 0 }),
    lastError: Type.Union([Type.String(), Type.Null()]),
    deliveredAt: NullableTime,
  },
  { additionalProperties: false },
);

export const StatusDocumentSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apiVersion: Type.Literal(STATUS_API_VERSION),
    kind: Type.Literal('Status'),
    formatVersion: Type.Integer({ minimum: 1 }),
    vaid: Type.Object(
      {
        pid: Type.Integer(),
        version: Type.String(),
        startedAt: Time,
        hostname: Type.String(),
        /** `once`: written by `vaictl reconcile --once` (cron mode), whose process ends after the pass. Absent = the daemon. */
        mode: Type.Optional(Type.Union([Type.Literal('daemon'), Type.Literal('once')])),
      },
      { additionalProperties: false },
    ),
    writtenAt: Time,
    manifests: Type.Object(
      {
        dir: Type.String(),
        generation: Type.Integer({ minimum: 0 }),
        revision: RevisionSchema,
        attemptedRevision: RevisionSchema,
        appliedAt: NullableTime,
        errors: Type.Array(ManifestErrorSchema),
        // Optional (an addition): what `vaictl plan` must apply to plan as this vaid does.
        selector: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: "The --selector vaid runs with (null: every service)." })),
      },
      { additionalProperties: false },
    ),
    /** Pull mode (vaid --git-url): what was fetched, applied and refused. Absent in directory mode. */
    source: Type.Optional(
      Type.Object(
        {
          url: Type.String(),
          ref: Type.String(),
          path: Type.String(),
          verify: Type.Boolean(),
          suspended: Type.Boolean(),
          lastFetchAt: NullableTime,
          lastFetchError: Type.Union([Type.String(), Type.Null()]),
          fetchFailingSince: NullableTime,
          fetchedRevision: Type.Union([Type.String(), Type.Null()]),
          appliedRevision: Type.Union([Type.String(), Type.Null()]),
          appliedAt: NullableTime,
          attemptedRevision: Type.Union([Type.String(), Type.Null()]),
          attemptErrors: Type.Array(Type.String(), { maxItems: 50 }),
        },
        { additionalProperties: false },
      ),
    ),
    services: Type.Record(Type.String(), ServiceStatusSchema),
    alerts: Type.Object(
      {
        outboxSize: Type.Integer({ minimum: 0 }),
        dropped: Type.Integer({ minimum: 0 }),
        recent: Type.Array(AlertRecordSchema, { maxItems: 200 }),
        // Optional so that a status file written before this field existed (same format
        // version: an addition, not a change) still validates when vaid reloads it.
        unverifiedResends: Type.Optional(
          Type.Integer({ minimum: 0, description: 'Notifications sent again although vaid could not check whether an earlier attempt arrived: each may have arrived twice.' }),
        ),
        configErrors: Type.Optional(
          Type.Array(
            Type.Object(
              { notifier: Type.Union([Type.String(), Type.Null()]), sink: Type.String(), target: Type.String(), message: Type.String(), at: Type.String() },
              { additionalProperties: false },
            ),
            { maxItems: 100, description: 'Notifiers whose last delivery showed them misconfigured (a redirect, a bad URL): their alerts are lost until fixed.' },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Phase = (typeof PHASES)[number];
export type Condition = Static<typeof ConditionSchema>;
export type StatusEvent = Static<typeof EventSchema>;
export type LastCheck = Static<typeof LastCheckSchema>;
export type Recovery = Static<typeof RecoverySchema>;
export type RolloutStatus = Static<typeof RolloutStatusSchema>;
export type LastFailure = Static<typeof LastFailureSchema>;
export type ServiceStatus = Static<typeof ServiceStatusSchema>;
export type StatusDocument = Static<typeof StatusDocumentSchema>;
export type AlertRecord = Static<typeof AlertRecordSchema>;

/**
 * status.summary.json (src/status/summary.ts): what `vaictl get` shows of each service, beside
 * status.json. Its fields are ServiceStatusSchema's own, so the summary cannot drift from it;
 * `of` names the status.json it was made from (inode, size, mtime).
 */
export const SummaryServiceSchema = Type.Object(
  {
    name: ServiceStatusSchema.properties.name,
    desired: ServiceStatusSchema.properties.desired,
    phase: ServiceStatusSchema.properties.phase,
    createdAt: ServiceStatusSchema.properties.createdAt,
    labels: ServiceStatusSchema.properties.labels,
    restarts: Type.Object({ count: ServiceStatusSchema.properties.restarts.properties.count, lastAt: ServiceStatusSchema.properties.restarts.properties.lastAt }, { additionalProperties: false }),
    lastCheck: Type.Union([Type.Object({ at: LastCheckSchema.properties.at, health: LastCheckSchema.properties.health }, { additionalProperties: false }), Type.Null()]),
    maintenance: ServiceStatusSchema.properties.maintenance,
  },
  { additionalProperties: false },
);

export const StatusSummarySchema = Type.Object(
  {
    apiVersion: Type.Literal(STATUS_API_VERSION),
    kind: Type.Literal(SUMMARY_KIND),
    formatVersion: Type.Literal(SUMMARY_FORMAT_VERSION),
    of: Type.Object({ ino: Type.Number(), size: Type.Number(), mtimeMs: Type.Number() }, { additionalProperties: false }),
    vaid: Type.Object({ pid: StatusDocumentSchema.properties.vaid.properties.pid, mode: StatusDocumentSchema.properties.vaid.properties.mode }, { additionalProperties: false }),
    writtenAt: Time,
    /** `errors`: the last load's manifest errors as file:line:col lines (at most 3), absent when none: vaictl get warns. */
    manifests: Type.Object(
      { dir: Type.String(), errors: Type.Optional(Type.Object({ count: Type.Integer({ minimum: 0 }), first: Type.Array(Type.String()) }, { additionalProperties: false })) },
      { additionalProperties: false },
    ),
    services: Type.Record(Type.String(), SummaryServiceSchema),
  },
  { additionalProperties: false },
);

export type SummaryService = Static<typeof SummaryServiceSchema>;
export type StatusSummary = Static<typeof StatusSummarySchema>;
