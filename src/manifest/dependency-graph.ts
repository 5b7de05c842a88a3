// The dependency graph between services: unknown names, cycles, and the order in which
// dependencies come before their dependents. Pure functions over name -> dependencies.

export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

export function graphOf(services: Iterable<{ name: string; spec: { dependencies: readonly string[] } }>): DependencyGraph {
  const g = new Map<string, readonly string[]>();
  for (const s of services) g.set(s.name, s.spec.dependencies);
  return g;
}

/** [dependent, missing dependency] pairs, in name order. */
export function unknownDependencies(graph: DependencyGraph): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, deps] of [...graph].sort(([a], [b]) => a.localeCompare(b))) {
    for (const d of deps) if (!graph.has(d)) out.push([name, d]);
  }
  return out;
}

/**
 * One cycle per strongly connected component that has one, each as a path that returns to
 * its start (`['a', 'b', 'a']`), starting from its smallest name. Unknown names are ignored.
 * Iterative Tarjan, so a long chain cannot overflow the stack.
 */
export function findCycles(graph: DependencyGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const edges = (n: string) => (graph.get(n) ?? []).filter((d) => graph.has(d));
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const deps = edges(frame.node);
      if (frame.next < deps.length) {
        const d = deps[frame.next++]!;
        if (!index.has(d)) {
          index.set(d, counter);
          low.set(d, counter++);
          stack.push(d);
          onStack.add(d);
          work.push({ node: d, next: 0 });
        } else if (onStack.has(d)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(d)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const comp: string[] = [];
        for (;;) {
          const n = stack.pop()!;
          onStack.delete(n);
          comp.push(n);
          if (n === frame.node) break;
        }
        if (comp.length > 1) components.push(comp);
      }
    }
  }
  return components.map((comp) => cycleWithin(graph, new Set(comp))).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A shortest cycle through the smallest name of a strongly connected component (BFS). */
function cycleWithin(graph: DependencyGraph, comp: Set<string>): string[] {
  const start = [...comp].sort()[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    for (const d of [...(graph.get(n) ?? [])].sort()) {
      if (!comp.has(d)) continue;
      if (d === start) {
        const path = [n];
        while (path[0] !== start) path.unshift(prev.get(path[0]!)!);
        return [...path, start];
      }
      if (!prev.has(d) && d !== start) {
        prev.set(d, n);
        queue.push(d);
      }
    }
  }
  return [start, start];
}

/**
 * Names ordered so every service comes after its dependencies; ties by name. Services in a
 * cycle (which a valid desired state never has) come last, by name.
 */
export function dependencyOrder(graph: DependencyGraph): string[] {
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [name, deps] of graph) {
    const known = deps.filter((d) => graph.has(d));
    remaining.set(name, known.length);
    for (const d of known) dependents.set(d, [...(dependents.get(d) ?? []), name]);
  }
  const ready = [...remaining].filter(([, n]) => n === 0).map(([k]) => k).sort();
  const out: string[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    out.push(n);
    for (const m of dependents.get(n) ?? []) {
      const left = remaining.get(m)! - 1;
      remaining.set(m, left);
      if (left === 0) {
        ready.push(m);
        ready.sort();
      }
    }
  }
  const placed = new Set(out);
  return [...out, ...[...graph.keys()].filter((k) => !placed.has(k)).sort()];
}

/** Each name's direct dependents (in graph order); names nobody depends on are absent. */
export function directDependents(graph: DependencyGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, deps] of graph) {
    for (const d of deps) {
      const list = out.get(d) ?? [];
      list.push(name);
      out.set(d, list);
    }
  }
  return out;
}

/** Services that depend on `name`, directly or through others, in name order. */
export function dependentsOf(graph: DependencyGraph, name: string): string[] {
  const found = new Set<string>();
  const queue = [name];
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const [k, deps] of graph) {
      if (deps.includes(n) && !found.has(k) && k !== name) {
        found.add(k);
        queue.push(k);
      }
    }
  }
  return [...found].sort();
}
