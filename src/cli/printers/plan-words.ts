// `vaictl plan` in words: what the planner decided for a service (actions, new phase, when it
// looks again) as one action and one reason a person can read, e.g.
//   api    recover redis first, then restart api if it still fails    dependency redis is in ...
import type { PlanResult } from '../../reconcile/planner.js';
import type { ServiceStatus } from '../../status/schema.js';
import { until } from './age.js';

export interface PlanWords {
  action: string;
  why: string;
}

export function planWords(name: string, before: ServiceStatus | null, result: PlanResult, now: number): PlanWords {
  const after = result.status;
  const notify = result.actions.flatMap((a) => (a.type === 'notify' ? [`notify (${a.alert.kind})`] : []));
  const withNotify = (w: PlanWords): PlanWords => (notify.length ? { ...w, action: `${w.action}; ${notify.join(', ')}` } : w);
  const restart = result.actions.find((a) => a.type === 'restart');
  if (restart) {
    return withNotify({ action: restart.stopFirst ? 'run stop_cmd, then restart_cmd' : 'run restart_cmd', why: `attempt ${restart.attempt}: ${restart.reason}` });
  }
  const enqueue = result.actions.find((a) => a.type === 'enqueue');
  if (enqueue) {
    return withNotify({
      action: `recover ${enqueue.names.join(', ')} first, then restart ${name} if it still fails`,
      why: condition(after, 'DependenciesReady') ?? enqueue.reason,
    });
  }
  if (!after && result.requeue?.kind === 'recheck') return { action: 'check again', why: 'a dependency turned healthy after this check began: it may be why it failed' };
  if (!after) return { action: 'forget', why: 'no longer in the manifests' };
  switch (after.phase) {
    case 'Healthy':
      return withNotify({ action: 'nothing', why: after.lastCheck ? `healthy: ${after.lastCheck.message}` : 'healthy' });
    case 'Stopped':
      return { action: 'nothing', why: 'manual-stop marker present: observed, never acted on' };
    case 'Disabled':
      return { action: 'nothing', why: 'enabled: false: observed, never acted on' };
    case 'CrashLoopBackOff':
      return withNotify({
        action: `wait, then restart ${until(after.backoff.nextAttemptAt, now)}`,
        why: `crash loop: ${plural(after.backoff.failures.length, 'failed recovery', 'failed recoveries')} in the window, backing off ${after.backoff.delaySeconds}s`,
      });
    case 'Recovering':
      return withNotify({
        action: 'verify the restart',
        why: after.recovery?.deadline
          ? `attempt ${after.recovery.attempt}: its check must pass by the deadline (${until(after.recovery.deadline, now)})`
          : 'restart commands are running',
      });
    case 'Unknown':
      return {
        action: 'nothing',
        why: before?.lastCheck ? `cannot observe (${before.lastCheck.message}): vai does not act on what it cannot see` : 'not observed yet',
      };
    default:
      return withNotify({ action: notify.length ? 'nothing' : 'wait', why: condition(after, 'Recovering') ?? after.phase });
  }
}

function condition(s: ServiceStatus | null, type: string): string | undefined {
  const c = s?.conditions.find((x) => x.type === type);
  return c?.message || undefined;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
