// Rules a single, schema-valid service must follow that a JSON Schema cannot say well.
// Each rule returns errors; none throws.
import type { ServiceManifest } from './schema.js';
import type { ManifestError } from './types.js';
import { errorAt, type Candidate } from './candidate.js';

type Rule = (m: ServiceManifest, c: Candidate) => ManifestError[];

const rule = (c: Candidate, path: (string | number)[], at: 'key' | 'value', message: string) =>
  errorAt(c, path, at, 'VAI_E_SPEC_RULE', message);

const restartIsSet: Rule = (m, c) =>
  m.spec.restart_cmd === undefined && !m.spec.restart_container
    ? [rule(c, ['spec'], 'key', 'set restart_cmd (the command that starts the service) or restart_container: true; vai needs a way to recover it')]
    : [];

const restartContainerNeedsContainer: Rule = (m, c) =>
  m.spec.restart_container && m.spec.container === undefined
    ? [rule(c, ['spec', 'restart_container'], 'key', 'true needs spec.container (the container to restart)')]
    : [];

const dockerCheckNeedsContainer: Rule = (m, c) =>
  m.spec.health_check.type === 'docker' && m.spec.container === undefined
    ? [rule(c, ['spec', 'health_check', 'type'], 'value', 'a docker check needs spec.container (the container to inspect)')]
    : [];

const noSelfDependency: Rule = (m, c) =>
  m.spec.dependencies.flatMap((d, i) =>
    d === m.metadata.name ? [errorAt(c, ['spec', 'dependencies', i], 'value', 'VAI_E_DEP_CYCLE', `service "${d}" cannot depend on itself`)] : [],
  );

const httpEndpointIsUrl: Rule = (m, c) => {
  const ep = m.spec.health_check.endpoint;
  if (m.spec.health_check.type !== 'http' || ep === undefined) return [];
  let ok = false;
  try {
    const u = new URL(ep);
    ok = u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    ok = false;
  }
  return ok ? [] : [rule(c, ['spec', 'health_check', 'endpoint'], 'value', `must be an http:// or https:// URL, got ${JSON.stringify(ep)}`)];
};

// A kept-alive connection is vaid's own socket: a check inside a container runs a new client
// (curl, wget) per check, so there is no connection to keep.
const keepAliveIsHostHttp: Rule = (m, c) => {
  const hc = m.spec.health_check;
  if (hc.keep_alive === undefined && hc.keep_alive_seconds === undefined) return [];
  const field = hc.keep_alive !== undefined ? 'keep_alive' : 'keep_alive_seconds';
  if (hc.type !== 'http') return [rule(c, ['spec', 'health_check', field], 'key', `only an http check can keep its connection alive (this check is ${hc.type})`)];
  if (m.spec.container !== undefined) return [rule(c, ['spec', 'health_check', field], 'key', 'a check inside a container opens a new connection each time (docker exec); remove it or check from the host')];
  return [];
};

const backoffInOrder: Rule = (m, c) =>
  m.spec.backoff_initial_seconds > m.spec.backoff_max_seconds
    ? [rule(c, ['spec', 'backoff_initial_seconds'], 'value', `must not exceed backoff_max_seconds (${m.spec.backoff_initial_seconds} > ${m.spec.backoff_max_seconds})`)]
    : [];

const RULES: Rule[] = [restartIsSet, restartContainerNeedsContainer, dockerCheckNeedsContainer, noSelfDependency, httpEndpointIsUrl, keepAliveIsHostHttp, backoffInOrder];

export function checkServiceRules(m: ServiceManifest, c: Candidate): ManifestError[] {
  return RULES.flatMap((r) => r(m, c));
}
