// Dependencies before dependents (the seed's "order by dependency graph"), for the one-shot
// pass. The manifest part rejects cycles; should one slip through, its members come last in
// name order rather than being dropped.
import type { DesiredService } from '../manifest/types.js';

export function topologicalOrder(services: ReadonlyMap<string, DesiredService>): string[] {
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [name, svc] of services) {
    const deps = svc.spec.dependencies.filter((d) => services.has(d));
    indegree.set(name, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), name]);
  }
  const ready = [...indegree].filter(([, n]) => n === 0).map(([name]) => name).sort();
  const out: string[] = [];
  while (ready.length) {
    const name = ready.shift()!;
    out.push(name);
    for (const dep of dependents.get(name) ?? []) {
      const n = indegree.get(dep)! - 1;
      indegree.set(dep, n);
      if (n === 0) ready.push(dep);
    }
  }
  if (out.length < services.size) out.push(...[...services.keys()].filter((n) => !out.includes(n)).sort());
  return out;
}
