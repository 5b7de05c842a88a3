// The contract of one check type. Each type is one module of this folder that says everything
// vai needs of it: the fields it adds to `health_check` (a TypeBox fragment the manifest schema
// is built from), how it runs on the host and inside a container (or why it cannot), how it
// reads to a person (get -o wide, describe, alerts) and whether it connects to a loopback port
// whose listener vai can watch. Adding a type is a new module listed in ./index.ts.
// A module annotates its constant (`CheckType<'http', typeof HTTP_FIELDS>`) rather than letting
// TypeScript infer it: the manifest's types are built from the fields, and inference would loop.
import type { JavaScriptTypeBuilder, TProperties } from '@sinclair/typebox';
import type { HealthCheck, ServiceSpec } from '../../manifest/schema.js';
import type { CheckResult, ServiceTarget } from '../types.js';
import type { KeptConnections } from '../http-keep-alive.js';
import type { WrappedOutcome } from '../docker-exec.js';
import type { EngineClient } from '../engine-client.js';

/** TypeBox's `Type`, handed in by manifest/schema.ts. */
export type TypeBuilder = JavaScriptTypeBuilder;

export interface HostCheckContext {
  target: ServiceTarget;
  hc: HealthCheck;
  /** The command log of the service (custom checks hand it to the command as VAI_LOG_PATH). */
  logPath: string;
  /** Connections of http checks with keep_alive, one per service. */
  keptConnections: KeptConnections;
  /** Where `vaictl heartbeat` and POST /hooks/heartbeat/NAME leave beats (STATE_DIR/heartbeats). */
  heartbeatsDir: string | undefined;
  /** Wall clock, epoch ms: file ages, certificate days and heartbeats are wall-time facts. */
  now(): number;
  signal?: AbortSignal | undefined;
}

export interface ContainerCheckContext {
  target: ServiceTarget;
  hc: HealthCheck;
  container: string;
  engine: EngineClient;
  /** Runs one of vai's POSIX sh probes in the container, values in env, bounded by timeoutMs. */
  probe(script: string, env: Record<string, string>, timeoutMs: number): Promise<WrappedOutcome>;
  signal?: AbortSignal | undefined;
}

/** A manifest problem a check type finds in its own fields; the loader adds file, line and column. */
export interface CheckRuleError {
  /** Field under spec.health_check, or a path from spec (['container']) when `fromSpec`. */
  path: (string | number)[];
  fromSpec?: boolean;
  at: 'key' | 'value';
  message: string;
}

export interface LoopbackTarget {
  host: string;
  port: number;
}

export interface CheckType<T extends string = string, F extends TProperties = TProperties> {
  type: T;
  /** One clause for the schema's description of `type`, e.g. `http: GET endpoint`. */
  summary: string;
  /**
   * Optional fields this type adds to health_check, built with the TypeBox builder the manifest
   * schema passes in (so vaictl's describe loads no schema library). A name shared by two types
   * (host, port) must come from one shared definition.
   */
  fields(Type: TypeBuilder): F;
  required: readonly string[];
  /** The check is about spec.container itself (docker): describe does not add "inside container X". */
  aboutContainer?: boolean;
  host(ctx: HostCheckContext): Promise<CheckResult> | CheckResult;
  /** How it runs inside spec.container, or the reason a container makes no sense for it (a manifest error). */
  container: ((ctx: ContainerCheckContext) => Promise<CheckResult>) | { unsupported: string };
  /** Short target for `get -o wide`: "http http://127.0.0.1:9000/health". Never a secret. */
  target(hc: HealthCheck, spec: ServiceSpec): string;
  /** The check in words for describe, without where it runs or how often. */
  sentence(hc: HealthCheck, spec: ServiceSpec): string;
  /** The check as an alert's "Health check" line. */
  alertText(hc: HealthCheck, spec: ServiceSpec): string;
  /** Where the check connects, when it is a port whose listener could be watched; else why not. */
  loopbackTarget?(hc: HealthCheck): LoopbackTarget | string;
  /** Rules on its own fields that a JSON Schema cannot say well. */
  rules?(hc: HealthCheck, spec: ServiceSpec): CheckRuleError[];
  /** Things describe shows under the check as warnings (insecure_skip_verify). */
  warnings?(hc: HealthCheck, spec: ServiceSpec): string[];
}
