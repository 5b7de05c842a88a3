// The manifest's JSON Schema and its TypeScript types come from this one definition:
// ajv validates with the schema, `Static<>` gives the types, and scripts/write-schemas.ts
// writes schemas/service.schema.json (a test keeps the file and this source in step).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CHECK_TYPES, checkFields, requiredByType, type CheckTypeName } from '../executor/checks/index.js';
import { DNS1123_LABEL } from '../core/service-name.js';

import { API_VERSION, SCHEMA_ID } from './api-version.js';

export { API_VERSION, SCHEMA_ID };

// Kubernetes' DNS-1123 label (core/service-name.ts): a name can never escape a file path or a shell word.
export { DNS1123_LABEL };
export const NameSchema = Type.String({
  pattern: DNS1123_LABEL,
  minLength: 1,
  maxLength: 63,
  description: 'DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters.',
});

const Seconds = (def: number, description: string, min = 0) =>
  Type.Number({ minimum: min, maximum: 86_400 * 7, default: def, description });

// Flapping (src/notify/flapping.ts): restarts that each recovered, counted within a window.
// On a service it wins over its Notifier's; 0 restarts turns it off.
export const FlappingSchema = Type.Object(
  {
    restarts: Type.Integer({ minimum: 0, maximum: 1000, default: 5, description: 'Successful restarts within window_seconds that make a Flapping alert (0: off).' }),
    window_seconds: Seconds(3600, 'Window for restarts; the Flapping alert resolves after a whole window without a restart.', 1),
  },
  { additionalProperties: false, description: 'When a service that keeps recovering is reported as Flapping (default 5 restarts in 1 h).' },
);

// The check's own fields come from the check-type registry (src/executor/checks/): a new type
// is a module there, not an edit here.
export const HealthCheckSchema = Type.Object(
  {
    // A String kind (not a bare Unsafe) so TypeBox's own Value.Check (the simulation) knows it;
    // the published schema is the same `{type: string, enum}`.
    type: Type.Unsafe<CheckTypeName>(
      Type.String({
        enum: CHECK_TYPES.map((m) => m.type),
        description: `${CHECK_TYPES.map((m) => m.summary).join('; ')}.`,
      }),
    ),
    ...checkFields(Type),
    interval_seconds: Seconds(60, 'Seconds between two checks.', 0.05),
    timeout_seconds: Seconds(5, 'A check that takes longer fails with "timed out".', 0.01),
    failure_threshold: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'Consecutive failed checks before vai acts (seed: 1).' }),
    success_threshold: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'Consecutive passed checks before a recovering service counts as healthy.' }),
  },
  {
    additionalProperties: false,
    description: 'How vai tells whether the service is healthy. Runs inside `container` when that is set.',
    allOf: requiredByType(),
  },
);

export const LimitsSchema = Type.Object(
  {
    memory_mb: Type.Optional(Type.Number({ minimum: 1, maximum: 1e7, description: 'Unhealthy (MemoryLimit) when the RSS of the service\'s whole process tree stays above this many MB (MiB).' })),
    cpu_percent: Type.Optional(Type.Number({ minimum: 1, maximum: 100_000, description: 'Unhealthy (CpuLimit) when the process tree uses more than this share of one core (100 = one core) between two checks.' })),
    for_checks: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'Over a limit for this many checks in a row before it counts (monit\'s "for N cycles").' }),
  },
  {
    additionalProperties: false,
    minProperties: 2,
    description: 'Process limits, measured after each passing check on the process vai knows for the service (pid_file, the owner of its check\'s loopback port, or the first match of a process check) and its descendants.',
  },
);

/** For each check field, the check types that use it. */
export { CHECK_FIELD_OWNERS } from '../executor/checks/index.js';

/** Spec fields a rollout may also watch (rollout.fields) besides restart_cmd, stop_cmd and container. */
export const ROLLOUT_FIELDS = ['health_check', 'restart_container', 'stop_timeout_seconds', 'command_timeout_seconds', 'startup_delay_seconds', 'pid_file', 'limits', 'log_path', 'watch_paths'] as const;

export const RolloutPolicySchema = Type.Object(
  {
    on_change: Type.Union([Type.Literal('none'), Type.Literal('restart')], {
      default: 'none',
      description: 'restart: when a new generation changes how the service runs (restart_cmd, stop_cmd, container, and `fields`), vai restarts it with the new spec and verifies it like a recovery; a failed verify restores the previous spec (RolledBack). none: a change takes effect at the next recovery.',
    }),
    fields: Type.Array(Type.String({ enum: [...ROLLOUT_FIELDS] }), { default: [], uniqueItems: true, description: 'More spec fields whose change is rolled out.' }),
  },
  { additionalProperties: false, description: 'How a changed spec reaches a running service (docs/gitops.md).' },
);

export const ServiceSpecSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'false: vai observes and shows the service but never acts on it.' }),
    type: Type.Union([Type.Literal('daemon')], { default: 'daemon', description: 'Kind of service; only long-running daemons for now.' }),
    container: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$', maxLength: 128, description: 'Docker container in which checks and commands run (docker exec). Native manifests name the container itself; the legacy system-config.json adds "-container".' })),
    health_check: HealthCheckSchema,
    restart_cmd: Type.Optional(Type.String({ minLength: 1, maxLength: 65536, description: 'Run with bash -c (inside the container when set) to start the service. A trailing "&" leaves a daemon running.' })),
    restart_container: Type.Boolean({ default: false, description: 'Restart the whole container through the Docker Engine API instead of running restart_cmd.' }),
    stop_cmd: Type.Optional(Type.String({ minLength: 1, maxLength: 65536, description: 'Run before restart_cmd, e.g. to kill a hung process.' })),
    stop_timeout_seconds: Type.Optional(
      Seconds(10, 'After stop_cmd (or a SIGTERM for a hung service without one), how long the service\'s known process (pid_file, else the owner of its check\'s port) has to exit before vai sends SIGCONT and SIGKILL.'),
    ),
    watch_paths: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), {
        maxItems: 32,
        description: 'Paths whose filesystems vai looks at when the service fails (besides log_path and the working directory): a full disk or no free inodes is named as the cause.',
      }),
    ),
    command_timeout_seconds: Seconds(60, 'stop_cmd and restart_cmd are killed (their whole process group) after this long.', 0.1),
    startup_delay_seconds: Seconds(5, 'After restart_cmd returns, how long the service has to pass its check before the attempt counts as failed.'),
    pid_file: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'File holding the main pid: a cheap probe notices a crash between two checks.' })),
    limits: Type.Optional(LimitsSchema),
    log_path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Where command output goes and what `vaictl logs` shows. Default: STATE_DIR/logs/NAME.log.' })),
    log_rotation: Type.Optional(
      Type.Object(
        {
          max_mb: Type.Number({ minimum: 0.01, maximum: 102_400, default: 10, description: 'Rotate the log once it reaches this size (MB).' }),
          keep: Type.Integer({ minimum: 1, maximum: 100, default: 3, description: 'Rotated copies kept (NAME.1 newest … NAME.keep).' }),
          compress: Type.Boolean({ default: false, description: 'gzip the rotated copies (NAME.1.gz …).' }),
        },
        { additionalProperties: false, description: 'Size-based rotation of log_path (or the default log), copy-then-truncate so a daemon holding the file keeps writing. Default: 10 MB, keep 3, no gzip.' },
      ),
    ),
    notify_on_fail: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'Notifier name (a kind: Notifier manifest) or ntfy topic to alert when recovery fails.' })),
    dependencies: Type.Array(NameSchema, { default: [], maxItems: 256, uniqueItems: true, description: 'Services that must be healthy first; they are recovered before this one.' }),
    max_failures: Type.Integer({ minimum: 1, maximum: 1000, default: 3, description: 'Failed recovery attempts allowed within failure_window_seconds before CrashLoopBackOff (seed: 3).' }),
    failure_window_seconds: Seconds(300, 'Window for max_failures (seed: 300).', 1),
    backoff_initial_seconds: Seconds(10, 'First CrashLoopBackOff delay; doubles each time (Kubernetes: 10).', 0.01),
    backoff_max_seconds: Seconds(300, 'Cap of the CrashLoopBackOff delay (Kubernetes: 300). vai never gives up: it keeps retrying at the cap.', 0.01),
    backoff_reset_seconds: Seconds(600, 'A service healthy this long forgets its backoff (Kubernetes: 600).', 0),
    rollout: Type.Optional(RolloutPolicySchema),
    flapping: Type.Optional(FlappingSchema),
  },
  { additionalProperties: false },
);

export const MetadataSchema = Type.Object(
  {
    name: NameSchema,
    labels: Type.Record(Type.String({ maxLength: 317 }), Type.String({ maxLength: 63 }), { default: {} }),
    annotations: Type.Record(Type.String({ maxLength: 317 }), Type.String({ maxLength: 65536 }), { default: {} }),
  },
  { additionalProperties: false },
);

export const ServiceManifestSchema = Type.Object(
  {
    apiVersion: Type.Literal(API_VERSION),
    kind: Type.Literal('Service'),
    metadata: MetadataSchema,
    spec: ServiceSpecSchema,
  },
  { additionalProperties: false },
);

// A notifier is a named alert target; a service's notify_on_fail names one. Secrets never
// live in manifests (they are in git): token_env and header_env name environment variables.
export const NotifierSpecSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('ntfy'), Type.Literal('webhook'), Type.Literal('command'), Type.Literal('alertmanager'), Type.Literal('email')]),
    server: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'ntfy: server URL (default $VAI_NTFY_URL or https://ntfy.sh).' })),
    topic: Type.Optional(Type.String({ pattern: '^[-_A-Za-z0-9]{1,64}$', description: 'ntfy: topic to publish to.' })),
    token_env: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'ntfy: environment variable holding the access token (default VAI_NTFY_TOKEN); alertmanager: one sent as a Bearer token (default none).' })),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'webhook: URL to POST JSON to.' })),
    header_env: Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }), Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$' }), { default: {}, description: 'webhook: header name -> environment variable holding its value.' }),
    command: Type.Optional(Type.String({ minLength: 1, maxLength: 65536, description: 'command: run with bash -c; the notification arrives as VAI_* variables and JSON on stdin.' })),
    urls: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { minItems: 1, maxItems: 8, description: 'alertmanager: base URLs of the Alertmanagers (several for an HA pair); alerts go to each.' })),
    resend_seconds: Type.Optional(Type.Number({ minimum: 1, maximum: 3600, description: 'alertmanager: re-send firing alerts this often (default 60); each expires after 4 intervals without one.' })),
    smtp_host: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'email: SMTP server host name or address.' })),
    smtp_port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'email: SMTP port (default 587, or 465 with tls: implicit).' })),
    tls: Type.Optional(Type.Union([Type.Literal('starttls'), Type.Literal('implicit'), Type.Literal('none')], { description: 'email: starttls (default: STARTTLS required), implicit (TLS from the first byte, port 465) or none (loopback relays only).' })),
    tls_ca_file: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'email: PEM file of the CA that signed the SMTP server certificate (default: the system CAs).' })),
    from: Type.Optional(Type.String({ minLength: 3, maxLength: 320, description: 'email: sender address.' })),
    to: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 320 }), { minItems: 1, maxItems: 50, description: 'email: recipient addresses.' })),
    username_env: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'email: environment variable holding the SMTP user name (default: no authentication).' })),
    password_env: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'email: environment variable holding the SMTP password.' })),
    cooldown_seconds: Seconds(900, 'At most one notification per (service, event kind) within this time.'),
    reminder_seconds: Seconds(0, 'While a service stays failed, remind this often (0: off).'),
    flapping: Type.Optional(FlappingSchema),
    group_wait_seconds: Type.Optional(Type.Number({ minimum: 0, maximum: 600, description: 'Notifications to this Notifier within this time are sent as one message (default 5; 0: each alone).' })),
  },
  {
    additionalProperties: false,
    allOf: [
      { if: { properties: { type: { const: 'webhook' } } }, then: { required: ['url'] } },
      { if: { properties: { type: { const: 'command' } } }, then: { required: ['command'] } },
      { if: { properties: { type: { const: 'alertmanager' } } }, then: { required: ['urls'] } },
      { if: { properties: { type: { const: 'email' } } }, then: { required: ['smtp_host', 'from', 'to'] } },
    ],
  },
);

export const NotifierManifestSchema = Type.Object(
  {
    apiVersion: Type.Literal(API_VERSION),
    kind: Type.Literal('Notifier'),
    metadata: MetadataSchema,
    spec: NotifierSpecSchema,
  },
  { additionalProperties: false },
);

// A maintenance window (docs/maintenance.md): when it is active, the services it
// selects are muted (`silence`) or also left alone (`pause`, like a manual-stop marker that ends by
// itself). Kept in git beside the services it covers.
export const MaintenanceScheduleSchema = Type.Object(
  {
    cron: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Cron expression (5 fields, or 6 with seconds) of each window\'s start, in time_zone; with duration.' })),
    duration: Type.Optional(Type.String({ pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$', maxLength: 32, description: 'How long each cron window lasts: 30m, 2h, 1h30m, 1d.' })),
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the cron expression, e.g. Europe/Berlin (default UTC).' })),
    start: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A one-off window\'s start: an ISO 8601 time with its offset, e.g. 2026-12-24T22:00:00+01:00.' })),
    end: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A one-off window\'s end (ISO 8601 with offset), after start.' })),
  },
  {
    additionalProperties: false,
    // Which pair is given is a rule (maintenance-rules.ts): its message names the missing field.
    description: 'Either cron + duration (+ time_zone), or start + end.',
  },
);

export const MaintenanceSpecSchema = Type.Object(
  {
    schedule: MaintenanceScheduleSchema,
    selector: Type.Object(
      {
        names: Type.Array(NameSchema, { default: [], maxItems: 256, uniqueItems: true, description: 'Services by name.' }),
        labels: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'A label selector as for --selector: host=vps1,tier!=db.' })),
      },
      { additionalProperties: false, minProperties: 1, description: 'The services the window covers: those named, and those the label selector matches.' },
    ),
    mode: Type.Union([Type.Literal('silence'), Type.Literal('pause')], {
      default: 'silence',
      description: 'silence: alerts are muted (and recorded as muted), recovery goes on; pause: vai also takes no recovery action, as with a manual-stop marker that ends by itself.',
    }),
    reason: Type.Optional(Type.String({ maxLength: 1024, description: 'Shown beside the window in vaictl, the page and muted alert records.' })),
  },
  { additionalProperties: false },
);

export const MaintenanceManifestSchema = Type.Object(
  {
    apiVersion: Type.Literal(API_VERSION),
    kind: Type.Literal('Maintenance'),
    metadata: MetadataSchema,
    spec: MaintenanceSpecSchema,
  },
  { additionalProperties: false },
);

// The published schema: one document of either kind, dispatched on `kind` so editors and
// ajv report errors against the right branch.
export const ManifestDocumentSchema: TSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: SCHEMA_ID,
  title: 'vai manifest',
  type: 'object',
  required: ['apiVersion', 'kind'],
  properties: { apiVersion: { const: API_VERSION }, kind: { enum: ['Service', 'Notifier', 'Maintenance'] } },
  allOf: [
    { if: { properties: { kind: { const: 'Service' } } }, then: ServiceManifestSchema },
    { if: { properties: { kind: { const: 'Notifier' } } }, then: NotifierManifestSchema },
    { if: { properties: { kind: { const: 'Maintenance' } } }, then: MaintenanceManifestSchema },
  ],
} as unknown as TSchema;

export type HealthCheck = Static<typeof HealthCheckSchema>;
export type RolloutPolicy = Static<typeof RolloutPolicySchema>;
export type ServiceSpec = Static<typeof ServiceSpecSchema>;
export type Metadata = Static<typeof MetadataSchema>;
export type ServiceManifest = Static<typeof ServiceManifestSchema>;
export type NotifierSpec = Static<typeof NotifierSpecSchema>;
export type NotifierManifest = Static<typeof NotifierManifestSchema>;
export type CheckType = HealthCheck['type'];
export type MaintenanceSpec = Static<typeof MaintenanceSpecSchema>;
export type MaintenanceManifest = Static<typeof MaintenanceManifestSchema>;
