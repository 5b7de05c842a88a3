// How far V8 lets vaid's heap grow past what the last full collection kept before it collects
// again. Each check replaces a service's status for the next interval, so old statuses pile up
// as garbage: with V8's own policy, vaid at 10,000 services grew from 380 to 520 MB within
// 30 s before a full collection; --heap-growth 40 held it near 260-290 MB for about 3 points of
// one core. At 1,000 services checked every second the same 40 % made each check cost 0.33 ms
// of CPU instead of 0.21 ms (the small live heap is collected far more often), so V8's policy
// stays the default and large installs opt in (docs/performance.md).
import v8 from 'node:v8';

/** 0 leaves V8's own heap growing policy in place. */
export const DEFAULT_HEAP_GROWTH_PERCENT = 0;

export function applyHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
