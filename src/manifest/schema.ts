// The manifest's JSON Schema and its TypeScript types come from this one definition:
// ajv validates with the schema, `Static<>` gives the types, and scripts/write-schemas.ts
// writes schemas/service.schema.json (a test keeps the file and this source in step).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DNS1123_LABEL } from '../core/service-name.js';

export const API_VERSION = 'vai/v1';
export const SCHEMA_ID = 'https://vai.dev/schemas/service.schema.json';

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

export const HealthCheckSchema = Type.Object(
  {
    type: Type.Union(
      [Type.Literal('http'), Type.Literal('tcp'), Type.Literal('process'), Type.Literal('custom'), Type.Literal('docker')],
      { description: 'http: GET endpoint; tcp: connect host:port; process: a command line matches process_name (pgrep -f); custom: bash -c command exits 0; docker: the container is running (and healthy when it has a HEALTHCHECK).' },
    ),
    endpoint: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'http: the URL to GET, e.g. http://127.0.0.1:9000/minio/health/live' })),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 253, default: '127.0.0.1', description: 'tcp: host to connect to.' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'tcp: port to connect to.' })),
    process_name: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'process: pattern matched against full command lines, as pgrep -f does.' })),
    command: Type.Optional(Type.String({ minLength: 1, maxLength: 65536, description: 'custom: run with bash -c; exit 0 is healthy.' })),
    interval_seconds: Seconds(60, 'Seconds between two checks.', 0.05),
    timeout_seconds: Seconds(5, 'A check that takes longer fails with "timed out".', 0.01),
    expected_status: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1, maxItems: 64, description: 'http: statuses counted healthy (default: 2xx and 3xx, as curl -f).' })),
    body_contains: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'http: the body must contain this text.' })),
    max_latency_ms: Type.Optional(Type.Number({ minimum: 1, maximum: 600_000, description: 'http: a slower answer counts as unhealthy.' })),
    keep_alive: Type.Optional(
      Type.Boolean({
        description:
          'http: reuse one connection from check to check (cheaper). A reused connection cannot show a listener that stopped accepting, so a fresh one is still opened every keep_alive_seconds and after any failed check.',
      }),
    ),
    keep_alive_seconds: Type.Optional(
      Type.Number({ minimum: 1, maximum: 3600, description: 'http with keep_alive: the longest one connection is reused before a check opens a fresh one (default 30).' }),
    ),
    failure_threshold: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'Consecutive failed checks before vai acts (seed: 1).' }),
    success_threshold: Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'Consecutive passed checks before a recovering service counts as healthy.' }),
  },
  {
    additionalProperties: false,
    description: 'How vai tells whether the service is healthy. Runs inside `container` when that is set.',
    allOf: [
      { if: { properties: { type: { const: 'http' } } }, then: { required: ['endpoint'] } },
      { if: { properties: { type: { const: 'tcp' } } }, then: { required: ['port'] } },
      { if: { properties: { type: { const: 'process' } } }, then: { required: ['process_name'] } },
      { if: { properties: { type: { const: 'custom' } } }, then: { required: ['command'] } },
    ],
  },
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
    command_timeout_seconds: Seconds(60, 'stop_cmd and restart_cmd are killed (their whole process group) after this long.', 0.1),
    startup_delay_seconds: Seconds(5, 'After restart_cmd returns, how long the service has to pass its check before the attempt counts as failed.'),
    pid_file: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'File holding the main pid: a cheap probe notices a crash between two checks.' })),
    log_path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Where command output goes and what `vaictl logs` shows. Default: STATE_DIR/logs/NAME.log.' })),
    notify_on_fail: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'Notifier name (a kind: Notifier manifest) or ntfy topic to alert when recovery fails.' })),
    dependencies: Type.Array(NameSchema, { default: [], maxItems: 256, uniqueItems: true, description: 'Services that must be healthy first; they are recovered before this one.' }),
    max_failures: Type.Integer({ minimum: 1, maximum: 1000, default: 3, description: 'Failed recovery attempts allowed within failure_window_seconds before CrashLoopBackOff (seed: 3).' }),
    failure_window_seconds: Seconds(300, 'Window for max_failures (seed: 300).', 1),
    backoff_initial_seconds: Seconds(10, 'First CrashLoopBackOff delay; doubles each time (Kubernetes: 10).', 0.01),
    backoff_max_seconds: Seconds(300, 'Cap of the CrashLoopBackOff delay (Kubernetes: 300). vai never gives up: it keeps retrying at the cap.', 0.01),
    backoff_reset_seconds: Seconds(600, 'A service healthy this long forgets its backoff (Kubernetes: 600).', 0),
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
    type: Type.Union([Type.Literal('ntfy'), Type.Literal('webhook'), Type.Literal('command')]),
    server: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'ntfy: server URL (default $VAI_NTFY_URL or https://ntfy.sh).' })),
    topic: Type.Optional(Type.String({ pattern: '^[-_A-Za-z0-9]{1,64}$', description: 'ntfy: topic to publish to.' })),
    token_env: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'ntfy: environment variable holding the access token (default VAI_NTFY_TOKEN).' })),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'webhook: URL to POST JSON to.' })),
    header_env: Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }), Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$' }), { default: {}, description: 'webhook: header name -> environment variable holding its value.' }),
    command: Type.Optional(Type.String({ minLength: 1, maxLength: 65536, description: 'command: run with bash -c; the notification arrives as VAI_* variables and JSON on stdin.' })),
    cooldown_seconds: Seconds(900, 'At most one notification per (service, event kind) within this time.'),
    reminder_seconds: Seconds(0, 'While a service stays failed, remind this often (0: off).'),
  },
  {
    additionalProperties: false,
    allOf: [
      { if: { properties: { type: { const: 'webhook' } } }, then: { required: ['url'] } },
      { if: { properties: { type: { const: 'command' } } }, then: { required: ['command'] } },
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

// The published schema: one document of either kind, dispatched on `kind` so editors and
// ajv report errors against the right branch.
export const ManifestDocumentSchema: TSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: SCHEMA_ID,
  title: 'vai manifest',
  type: 'object',
  required: ['apiVersion', 'kind'],
  properties: { apiVersion: { const: API_VERSION }, kind: { enum: ['Service', 'Notifier'] } },
  allOf: [
    { if: { properties: { kind: { const: 'Service' } } }, then: ServiceManifestSchema },
    { if: { properties: { kind: { const: 'Notifier' } } }, then: NotifierManifestSchema },
  ],
} as unknown as TSchema;

export type HealthCheck = Static<typeof HealthCheckSchema>;
export type ServiceSpec = Static<typeof ServiceSpecSchema>;
export type Metadata = Static<typeof MetadataSchema>;
export type ServiceManifest = Static<typeof ServiceManifestSchema>;
export type NotifierSpec = Static<typeof NotifierSpecSchema>;
export type NotifierManifest = Static<typeof NotifierManifestSchema>;
export type CheckType = HealthCheck['type'];
