// How far V8 lets vaid's heap grow past what the last full collection kept before it collects
// again. V8's own factor (up to 4x on a large heap) suits short programs that want speed; vaid
// lives for months, and each check replaces a service's status for the next ten seconds, so at
// 10,000 services the garbage of old statuses grew RSS from 380 to 520 MB within 30 s before a
// full collection. 40 % held it at 290 MB for about 3 points of one core more
// (docs/performance.md, "Memory at 10,000 services").
import v8 from 'node:v8';

export const DEFAULT_HEAP_GROWTH_PERCENT = 40;

/** 0 leaves V8's own heap growing policy in place. */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
