// Rules a single, schema-valid service must follow that a JSON Schema cannot say well.
// Each rule returns errors; none throws.
import type { ServiceManifest } from './schema.js';
import type { ManifestError } from './types.js';
import { errorAt, type Candidate } from './candidate.js';
import { CHECK_FIELD_OWNERS, checkType, limitSource } from '../executor/checks/index.js';

type Rule = (m: ServiceManifest, c: Candidate) => ManifestError[];

const rule = (c: Candidate, path: (string | number)[], at: 'key' | 'value', message: string) =>
  errorAt(c, path, at, 'VAI_E_SPEC_RULE', message);

const restartContainerNeedsContainer: Rule = (m, c) =>
  m.spec.restart_container && m.spec.container === undefined
    ? [rule(c, ['spec', 'restart_container'], 'key', 'true needs spec.container (the container to restart)')]
    : [];

const noSelfDependency: Rule = (m, c) =>
  m.spec.dependencies.flatMap((d, i) =>
    d === m.metadata.name ? [errorAt(c, ['spec', 'dependencies', i], 'value', 'VAI_E_DEP_CYCLE', `service "${d}" cannot depend on itself`)] : [],
  );

// The check type's own rules (src/executor/checks/), and the fields of other types that were set
// on it: `min_free_mb` on an http check is a mistake, not something to ignore. The seed's own
// fields are left alone: its system-config.json carries host on http checks, and it ignored them.
const SEED_CHECK_FIELDS = new Set(['endpoint', 'host', 'port', 'process_name', 'command']);
const checkTypeRules: Rule = (m, c) => {
  const hc = m.spec.health_check;
  const t = checkType(hc.type);
  const foreign = Object.keys(hc).flatMap((field) => {
    const owners = CHECK_FIELD_OWNERS.get(field) ?? [];
    if (owners.length === 0 || owners.includes(hc.type) || SEED_CHECK_FIELDS.has(field)) return [];
    const who = owners.map((o) => `${/^(?:[aeiou]|http)/.test(o) ? 'an' : 'a'} ${o}`).join(' or ');
    return [rule(c, ['spec', 'health_check', field], 'key', `only ${who} check uses ${field} (this check is ${hc.type})`)];
  });
  const own = (t.rules?.(hc, m.spec) ?? []).map((e) => rule(c, e.fromSpec ? ['spec', ...e.path] : ['spec', 'health_check', ...e.path], e.at, e.message));
  const container =
    m.spec.container !== undefined && 'unsupported' in t.container ? [rule(c, ['spec', 'container'], 'key', `a ${hc.type} check cannot run inside a container: ${t.container.unsupported}`)] : [];
  return [...foreign, ...own, ...container];
};

// A container's processes live in another pid namespace: its pid_file's pid is not the host's.
const limitsOnHost: Rule = (m, c) =>
  m.spec.limits !== undefined && m.spec.container !== undefined
    ? [rule(c, ['spec', 'limits'], 'key', 'limits measure host processes; for a container use its own limits (docker run --memory, --cpus)')]
    : [];

const backoffInOrder: Rule = (m, c) =>
  m.spec.backoff_initial_seconds > m.spec.backoff_max_seconds
    ? [rule(c, ['spec', 'backoff_initial_seconds'], 'value', `must not exceed backoff_max_seconds (${m.spec.backoff_initial_seconds} > ${m.spec.backoff_max_seconds})`)]
    : [];

// No restart_cmd is allowed: an alert-only service (a heartbeat, the host's memory) is watched and
// alerted on, never acted on (docs/manifests.md, Alert-only services).
const RULES: Rule[] = [restartContainerNeedsContainer, noSelfDependency, checkTypeRules, limitsOnHost, backoffInOrder];

export function checkServiceRules(m: ServiceManifest, c: Candidate): ManifestError[] {
  return RULES.flatMap((r) => r(m, c));
}

// Warnings: the spec loads and runs, but does less than it says. `vaictl validate` prints them
// (exit 0) and describe shows the same words (cli/printers/check-words.ts, limitsWords).
// A container service's limits are already an error (limitsOnHost).
const limitsMeasurable: Rule = (m, c) =>
  m.spec.limits !== undefined && m.spec.container === undefined && limitSource({ spec: m.spec }) === null
    ? [errorAt(c, ['spec', 'limits'], 'key', 'VAI_W_LIMITS_UNMEASURED', `${LIMITS_UNMEASURED}: the limits are never applied`)]
    : [];

/** The words describe uses too. */
export const LIMITS_UNMEASURED = "vai cannot find this service's process (set pid_file, or check a loopback port or a process)";

const WARNINGS: Rule[] = [limitsMeasurable];

export function checkServiceWarnings(m: ServiceManifest, c: Candidate): ManifestError[] {
  return WARNINGS.flatMap((r) => r(m, c));
}
