// How many times vai ran a service's restart_cmd: its restarts plus its first start when vai
// found it down (status counts those apart, as Kubernetes counts restarts, not the first start).
import type { ServiceStatus } from '../../src/status/schema.js';

export function startsAndRestarts(s: Pick<ServiceStatus, 'restarts'> | null | undefined): number {
  return s ? s.restarts.count + (s.restarts.starts ?? 0) : 0;
}
