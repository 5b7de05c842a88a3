// crash and hang MTTR: a real HTTP service is killed (SIGKILL), frozen (SIGSTOP) or made to hang
// for real (SIGUSR1: it stops accepting while its process stays runnable), and an outside poller
// at 10 ms times how long until a new instance answers. Faults land at a random phase of the 1 s
// check interval, after the supervisor has seen the service healthy again. vai's pid probe sees
// a SIGSTOPped process frozen (state T) and checks it at once; nothing but the check's timeout
// can see a true hang, so the hang target is judged on the true hang.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, target, type Figure } from '../lib/figure.js';
import { ensureMonit, startMonit } from '../lib/monit.js';
import { pollUntilNewPid } from '../lib/poller.js';
import { freePort } from '../lib/ports.js';
import { isAlive } from '../lib/proc-stat.js';
import { httpServiceDef, launchService, readPid } from '../lib/services.js';
import type { Supervisor } from '../lib/supervisor.js';
import { monitSupervisor, vaiSupervisor } from '../lib/supervisors.js';
import { recoverySteps, type RecoverySteps } from '../lib/recovery-steps.js';
import { startVaid, writeManifests, type Vaid } from '../lib/vaid.js';

/** crash: SIGKILL; hang: SIGSTOP (issue 8's hang); stall: SIGUSR1, a true hang (no state T). */
export type Fault = 'crash' | 'hang' | 'stall';

const SIGNAL: Record<Fault, NodeJS.Signals> = { crash: 'SIGKILL', hang: 'SIGSTOP', stall: 'SIGUSR1' };

export interface RecoveryCase {
  subject: 'vai' | 'monit';
  fault: Fault;
  usePidFile: boolean;
  samples: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function targetFor(c: RecoveryCase) {
  if (c.subject !== 'vai') return undefined;
  if (c.fault === 'stall') return target('median', '<=', 1500, 'median <= 1.5 s');
  if (c.fault === 'hang') return undefined;
  return c.usePidFile ? target('median', '<=', 150, 'median <= 0.15 s') : target('median', '<=', 450, 'median <= 0.45 s');
}

export async function runRecovery(c: RecoveryCase, log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-'));
  const label = c.fault === 'crash' ? `crash MTTR (${c.usePidFile ? 'pid_file' : 'no pid_file'})` : c.fault === 'hang' ? 'hang MTTR (SIGSTOP)' : 'hang MTTR (true hang)';
  const port = await freePort();
  const def = httpServiceDef('svc', port, dir, c.usePidFile);
  let sup: Supervisor | undefined;
  const notes: string[] = [];
  const samples: number[] = [];
  const steps: RecoverySteps[] = [];
  let vaid: Vaid | undefined;
  try {
    let pid = await launchService(def);
    const startedAt = Date.now();
    if (c.subject === 'vai') {
      writeManifests(path.join(dir, 'manifests'), [def]);
      vaid = await startVaid({ manifestsDir: path.join(dir, 'manifests'), stateDir: path.join(dir, 'state'), logLevel: 'info' });
      sup = vaiSupervisor(vaid);
    } else {
      const m = ensureMonit(log);
      if ('error' in m) throw new Error(m.error);
      sup = monitSupervisor(await startMonit(m.bin, path.join(dir, 'monit'), [def], def.startupDelaySeconds));
    }
    await sup.settled(def.name, startedAt);
    let upSince = performance.now();
    for (let i = 0; i < c.samples; i++) {
      // A hang is only caught by connection checks, which monit pauses for the start timeout
      // after each start; faults land past that grace for both supervisors.
      const minUptime = c.fault === 'crash' ? 300 : def.startupDelaySeconds * 1000 + 500;
      const wait = Math.max(0, minUptime - (performance.now() - upSince)) + Math.random() * def.intervalSeconds * 1000;
      await sleep(wait);
      const faultWall = Date.now();
      const t0 = performance.now();
      process.kill(pid, SIGNAL[c.fault]);
      const r = await pollUntilNewPid(port, pid, t0, { deadlineMs: 60_000 });
      samples.push(r.ms);
      upSince = performance.now();
      if (c.fault !== 'crash' && isAlive(pid)) {
        notes.push(`hung pid ${pid} still alive after recovery (stop_cmd did not kill it)`);
        process.kill(pid, 'SIGKILL');
      }
      pid = r.newPid;
      await sup.settled(def.name, faultWall);
      const st = vaid ? recoverySteps(vaid.logFile, def.name, faultWall, r.ms) : undefined;
      if (st) steps.push(st);
    }
  } catch (e) {
    notes.push(`stopped after ${samples.length}/${c.samples} samples: ${(e as Error).message.split('\n')[0]}`);
    log(`${c.subject} ${label}: ${(e as Error).message}`);
  } finally {
    await sup?.stop();
    const last = def.pidFile ? readPid(def.pidFile) : undefined;
    if (last) {
      try {
        process.kill(last, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (notes.length === 0) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir} for inspection`);
  }
  const t = targetFor(c);
  const step = (metric: string, pick: (s: RecoverySteps) => number) =>
    figure(label, c.subject, metric, 'ms', steps.map(pick), { notes: ["from vaid's info log; fault and answer times from the bench"] });
  const breakdown = steps.length
    ? [
        step('  step: fault -> restart decided', (s) => s.decideMs),
        step('  step: stop_cmd', (s) => s.stopMs),
        step('  step: restart_cmd', (s) => s.restartMs),
        step('  step: restart_cmd done -> answers', (s) => s.answerMs),
      ]
    : [];
  return [
    figure(label, c.subject, 'time to answer again', 'ms', samples, {
      compareKey: c.fault,
      ...(t ? { target: t } : {}),
      ...(notes.length ? { notes } : {}),
    }),
    ...breakdown,
  ];
}
