// Where a vai recovery's time goes, from vaid's own log (pino JSON at info level): fault ->
// restart decided (detection, check, plan, status write-ahead), stop_cmd, restart_cmd, and
// restart_cmd returned -> the service answers the outside poller.
import { readFileSync } from 'node:fs';

export interface RecoverySteps {
  decideMs: number;
  stopMs: number;
  restartMs: number;
  answerMs: number;
}

interface Line {
  time?: string | number;
  service?: string;
  msg?: string;
}

export function recoverySteps(logFile: string, name: string, faultWallMs: number, answeredAfterMs: number): RecoverySteps | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  const at = new Map<string, number>();
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('{')) continue;
    let l: Line;
    try {
      l = JSON.parse(raw) as Line;
    } catch {
      continue;
    }
    if (l.service !== name || !l.msg || l.time === undefined) continue;
    const t = typeof l.time === 'number' ? l.time : Date.parse(l.time);
    if (!(t >= faultWallMs)) continue;
    const key = l.msg.startsWith(`${name}: restarting`)
      ? 'restarting'
      : l.msg.startsWith(`${name}: stop_cmd `)
        ? 'stopped'
        : l.msg.startsWith(`${name}: restart_cmd `)
          ? 'restarted'
          : undefined;
    if (key && !at.has(key)) at.set(key, t);
  }
  const restarting = at.get('restarting');
  const restarted = at.get('restarted');
  if (restarting === undefined || restarted === undefined) return undefined;
  const stopped = at.get('stopped') ?? restarting;
  return {
    decideMs: restarting - faultWallMs,
    stopMs: stopped - restarting,
    restartMs: restarted - stopped,
    answerMs: faultWallMs + answeredAfterMs - restarted,
  };
}
