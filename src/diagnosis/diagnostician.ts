// The reconciler's side of diagnosis: what the probes saw of a service's process between two
// checks (stopped, gone), and the evidence gathered when a check fails. Each reconcile asks
// observe() once; on the healthy path with no sighting it is one map lookup. Evidence is
// gathered only for a failed check that is not a fast verification poll (a failed attempt's
// last check is one), each gatherer bounded in bytes and time.
import { lstatSync } from 'node:fs';
import path from 'node:path';
import type { CheckResult, ContainerEvent, Executor, PidProbe, ServiceTarget, WatchedProcess } from '../executor/types.js';
import type { DesiredService } from '../manifest/types.js';
import type { ServiceStatus } from '../status/schema.js';
import { hostLogPath } from '../executor/local-executor.js';
import { parsePid } from '../executor/pid-probe.js';
import { probeWatched } from '../executor/listener-process.js';
import { commandLine, processOf, readSmall } from '../executor/stop-escalation.js';
import type { Diagnosis, ProcessSighting } from './observation.js';
import { listenerSighting } from './port.js';
import { diskSightings } from './disk.js';
import { oomEvidence } from './oom.js';
import { tailLines } from '../core/log-tail.js';
import { redactFreeText } from '../core/redact.js';

/** A container killed by SIGKILL exits 128 + 9: the kernel's OOM killer's signal too. */
const SIGKILL_EXIT = 137;
/** How long an exit 137 waits for the engine's OOM record (it follows the exit by milliseconds). */
const OOM_RECORD_WAIT_MS = 1500;

interface Sighting {
  state: 'stopped' | 'dead';
  sinceMs: number;
  /** The listener watched (services without pid_file); null: the pid_file names it. */
  watched: WatchedProcess | null;
  /** restarts.count when seen: a restart makes the old process's fate expected. */
  restarts: number;
}

export interface DiagnosticianOptions {
  executor: Executor;
  /** Reconcile this service now (a container event said it died, was OOM-killed, changed health). */
  wake?: (name: string) => void;
  log?: { info(obj: object, msg?: string): void; debug(obj: object, msg?: string): void };
}

export class Diagnostician {
  private readonly sightings = new Map<string, Sighting>();

  /** Container name -> the services that run in it. */
  private containers = new Map<string, string[]>();
  /** What the engine's event stream said of each service's container since it was last healthy. */
  private readonly exits = new Map<string, NonNullable<Diagnosis['exit']>>();
  private events: { close(): void } | null = null;
  /** Observers waiting for a container's 'oom' event (see containerExit below). */
  private readonly oomWaiters = new Map<string, Set<() => void>>();

  constructor(private readonly opts: DiagnosticianOptions) {}

  /** The services now desired: container services are followed through the engine's events. */
  setServices(services: Iterable<DesiredService>): void {
    const m = new Map<string, string[]>();
    const names = new Set<string>();
    for (const svc of services) {
      names.add(svc.name);
      if (svc.spec.container) m.set(svc.spec.container, [...(m.get(svc.spec.container) ?? []), svc.name]);
    }
    // Services gone from the manifests leave nothing behind.
    for (const n of [...this.sightings.keys(), ...this.exits.keys()]) {
      if (names.has(n)) continue;
      this.sightings.delete(n);
      this.exits.delete(n);
    }
    this.containers = m;
    const watch = this.opts.executor.watchContainerEvents;
    if (m.size === 0 || this.events || !watch || !this.opts.wake || !this.enabled) return;
    this.events = watch.call(this.opts.executor, (c) => this.containers.has(c), (e) => this.containerEvent(e));
  }

  close(): void {
    this.events?.close();
    this.events = null;
  }

  private containerEvent(e: ContainerEvent): void {
    for (const name of this.containers.get(e.container) ?? []) {
      const prior = this.exits.get(name);
      const at = new Date(e.at).toISOString();
      if (e.action === 'oom') {
        this.exits.set(name, { code: prior?.code ?? null, oomKilled: true, at });
        for (const w of this.oomWaiters.get(name) ?? []) w();
      } else if (e.action === 'die') this.exits.set(name, { code: e.exitCode, oomKilled: prior?.oomKilled === true, at });
      else if (e.action === 'health_status' && e.detail !== 'unhealthy') continue;
      this.opts.log?.info({ service: name, container: e.container, event: e.action, exitCode: e.exitCode, detail: e.detail }, `${name}: container ${e.container} ${e.action}${e.exitCode !== null ? ` (exit ${e.exitCode})` : ''}${e.detail ? ` ${e.detail}` : ''}; checking now`);
      this.opts.wake!(name);
    }
  }

  /** The real executor can be diagnosed; the simulation's cannot (it has no host processes). */
  get enabled(): boolean {
    return typeof this.opts.executor.findListeners === 'function';
  }

  /** A pid probe's result for a service (pid_file, or the watched listener when `watched`). */
  saw(name: string, probe: PidProbe, now: number, status: ServiceStatus | undefined, watched: WatchedProcess | null = null): void {
    if (probe !== 'stopped' && probe !== 'dead') return;
    const s = this.sightings.get(name);
    if (s && s.state === probe) return;
    this.sightings.set(name, { state: probe, sinceMs: now, watched, restarts: status?.restarts.count ?? 0 });
  }


  async observe(target: ServiceTarget, obs: CheckResult, previous: ServiceStatus | null, watched: WatchedProcess | null, now: number): Promise<Diagnosis | undefined> {
    if (!this.enabled || !previous) return undefined;
    if (obs.health === 'healthy') this.exits.delete(target.name);
    const out: Diagnosis = {};
    const host = !target.spec.container;
    const sighting = this.sightings.get(target.name);
    if (sighting && sighting.restarts !== previous.restarts.count) this.sightings.delete(target.name);
    const staleRecorded = previous.conditions.some((c) => c.type === 'PidFile' && c.status === 'False');
    const failing = obs.health === 'unhealthy' && !polling(previous, now);
    if (host && (this.sightings.has(target.name) || staleRecorded || failing)) out.process = this.process(target, watched, now, previous.restarts.count);
    if (!failing) return out.process === undefined ? undefined : out;
    if (host) {
      const l = await listenerSighting(target);
      if (l !== undefined) out.listener = l;
      const logPath = hostLogPath(target);
      out.disks = diskSightings([
        { path: path.dirname(logPath), what: 'log_path' },
        { path: target.workingDir, what: 'working directory' },
        ...(target.spec.watch_paths ?? []).map((p) => ({ path: path.resolve(target.workingDir, p), what: 'watch_paths' })),
      ]);
      // The kernel log is read only for a known process that is gone: a crash, not a slow answer.
      const pid = out.process?.state === 'dead' ? out.process.pid : undefined;
      const oom = oomEvidence(pid === undefined ? [] : [pid]);
      if (oom.length) out.oom = oom;
      const tail = tailLines(logPath, { dropMarkers: true });
      if (tail.length) out.logTail = tail;
    } else {
      const exit = await this.containerExit(target);
      if (exit) out.exit = exit;
    }
    return out;
  }

  /**
   * A container's last exit, from the event stream and the engine's record together. The
   * engine handles containerd's OOM and exit events apart, so the 'die' event (and an inspect
   * right after it) can come before the OOM is known: an exit 137 (SIGKILL) with no OOM record
   * yet waits a bounded moment for one before the cause is decided.
   */
  private async containerExit(target: ServiceTarget): Promise<Diagnosis['exit'] | undefined> {
    const name = target.name;
    const read = async () => {
      const seen = this.exits.get(name);
      if (seen?.oomKilled) return seen;
      const engine = await this.opts.executor.containerExit?.(target);
      if (!seen) return engine;
      return engine?.oomKilled ? { ...seen, oomKilled: true } : seen;
    };
    const first = await read();
    if (!first || first.oomKilled || first.code !== SIGKILL_EXIT) return first;
    await this.oomEvent(name, OOM_RECORD_WAIT_MS);
    return (await read()) ?? first;
  }

  private oomEvent(name: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.oomWaiters.get(name) ?? new Set<() => void>();
      this.oomWaiters.set(name, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.oomWaiters.delete(name);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  /** The known process now: a sighting when stopped or gone, null when it runs. */
  private process(target: ServiceTarget, watched: WatchedProcess | null, now: number, restarts: number): ProcessSighting | null {
    const prior = this.sightings.get(target.name);
    const pidFile = target.spec.pid_file;
    let pid: number | null = null;
    let via: string;
    let state: 'alive' | 'stopped' | 'dead' | 'unknown';
    let command = '?';
    let writtenAtMs: number | undefined;
    if (pidFile !== undefined) {
      const file = path.resolve(target.workingDir, pidFile);
      via = `pid_file ${pidFile}`;
      const text = readSmall(file, 64);
      pid = text === null ? null : parsePid(text);
      if (pid === null) return null;
      writtenAtMs = mtimeMs(file);
      const p = processOf(pid, via);
      state = p ? probeWatched(p) : 'dead';
      if (p) command = p.command;
    } else {
      const w = prior?.watched ?? watched;
      if (!w) return null;
      pid = w.pid;
      via = w.what;
      state = probeWatched(w);
      if (state !== 'dead') command = commandLine(w.pid);
    }
    if (state === 'alive' || state === 'unknown') {
      this.sightings.delete(target.name);
      return null;
    }
    const sinceMs = prior && prior.state === state ? prior.sinceMs : now;
    this.sightings.set(target.name, { state, sinceMs, watched: prior?.watched ?? (pidFile === undefined ? watched : null), restarts });
    return { pid, command: redactFreeText(command), via, fromPidFile: pidFile !== undefined, state, sinceMs, ...(writtenAtMs !== undefined ? { writtenAtMs } : {}) };
  }
}

function mtimeMs(file: string): number | undefined {
  try {
    return lstatSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** A fast verification poll before its deadline: expected to fail while the service starts. */
function polling(s: ServiceStatus, now: number): boolean {
  const r = s.recovery;
  if (!r) return false;
  return r.deadline === null || now < Date.parse(r.deadline);
}
