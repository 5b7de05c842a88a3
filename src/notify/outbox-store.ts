// The notifier's durable state in the outbox dir:
//   state.json            ids already accepted, cooldowns, open incidents, dropped count, recent records
//   pending/<seq>.json    one undelivered notification each; the seq orders deliveries
// An entry is written before state.json names its id, so a crash between the two writes
// leaves an entry whose id and cooldown are rebuilt from it on load: nothing is lost or doubled.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AlertRecord } from '../status/schema.js';
import type { Alert, AlertKind, NotifierConfigError } from './types.js';
import type { Notification } from './notification.js';
import type { Route } from './route.js';
import type { Told } from './truth.js';
import { ensurePrivateDir, readFileNoFollow, removeStaleTempsIn as removeStaleTemps, syncDirAsync as syncDir, writePrivateFileAtomic as writeFileAtomic } from '../core/atomic-file.js';

export const STATE_FORMAT_VERSION = 1;

export interface OutboxEntry {
  seq: number;
  id: string;
  service: string;
  kind: AlertKind;
  /** destinationKey(route): deliveries to one destination keep their order. */
  destination: string;
  /** Names of environment variables, never their values; URL userinfo removed. */
  route: Route;
  notification: Notification;
  createdAt: number;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number;
  /**
   * Start (epoch ms) of the earliest attempt that may have reached the destination without vaid
   * learning so: written before the request goes out, cleared when an answer shows it did not
   * arrive. While set, the next attempt first asks the server (ntfy) whether it has the message.
   * Absent in entries written before vaid knew of it: those are treated as never sent.
   */
  inDoubtSince?: number | null;
  /**
   * The incident a failure notice opened (or refreshed), as state.json will hold it: a crash
   * before state.json is written must not lose it, or the resolve notice would be suppressed.
   */
  incident?: Incident;
  /** createdAt + its Notifier's group_wait: its first attempt waits until then for others to join (grouping.ts). Absent: sent alone. */
  groupUntil?: number;
  /** Formed at its first attempt: the entries it carries (sent, finished and removed with it) and the one message they make. */
  group?: { seqs: number[]; notification: Notification };
}

/** An open incident: a failure notice went out and no resolve notice yet. Drives reminders. */
export interface Incident {
  openedAt: number;
  lastNotifiedAt: number;
  reminders: number;
  notifyOnFail: string;
  /** The failure alert, so a reminder can repeat what it said. */
  alert: Alert;
}

export interface NotifierState {
  formatVersion: number;
  nextSeq: number;
  dropped: number;
  /** Accepted alert ids, oldest first (bounded). */
  seen: string[];
  /** `${service}:${kind}` -> epoch ms of the last notification accepted for it. */
  cooldowns: Record<string, number>;
  incidents: Record<string, Incident>;
  /** service -> the last notice accepted for a person (see truth.ts): a cooldown folds only its repeats. Cleared by closeIncident. */
  told: Record<string, Told>;
  /** Most recent alert records, oldest first (bounded). */
  records: AlertRecord[];
  /**
   * ntfy message ids of notifications this outbox knows it delivered, newest last (bounded): a
   * poll against a server that echoes no sequence id must not take one of them for another.
   */
  serverIds: string[];
  /** Notifications sent again although vaid could not check whether an earlier attempt arrived. */
  unverifiedResends: number;
  /** destination -> why its Notifier is misconfigured (a redirect, a bad URL); cleared by a delivery there. */
  configErrors: Record<string, NotifierConfigError>;
  /** service -> the latest alert muted by a maintenance window or silence, told when the last mute ends (mute.ts). */
  held?: Record<string, HeldAlert>;
}

export interface HeldAlert {
  alert: Alert;
  /** Epoch ms when the mutes that held it end (looked at again then: a new window may hold it on). */
  until: number;
  /** `window/NAME` or `silence/ID`. */
  by: string;
}

export type { NotifierConfigError };

export interface LoadProblem {
  file: string;
  message: string;
}

export function emptyState(): NotifierState {
  return { formatVersion: STATE_FORMAT_VERSION, nextSeq: 1, dropped: 0, seen: [], cooldowns: {}, incidents: {}, told: {}, records: [], serverIds: [], unverifiedResends: 0, configErrors: {} };
}

export class OutboxStore {
  readonly stateFile: string;
  readonly pendingDir: string;

  constructor(readonly dir: string) {
    this.stateFile = path.join(dir, 'state.json');
    this.pendingDir = path.join(dir, 'pending');
  }

  entryFile(seq: number): string {
    return path.join(this.pendingDir, `${String(seq).padStart(12, '0')}.json`);
  }

  /** Reads everything back; unreadable files are moved aside (`*.corrupt`) and reported, never fatal. */
  async load(): Promise<{ state: NotifierState; entries: OutboxEntry[]; problems: LoadProblem[] }> {
    await ensurePrivateDir(this.dir);
    await ensurePrivateDir(this.pendingDir);
    await removeStaleTemps(this.dir);
    await removeStaleTemps(this.pendingDir);
    const problems: LoadProblem[] = [];
    let state = emptyState();
    let text: string | undefined;
    try {
      text = await readFileNoFollow(this.stateFile);
    } catch (e) {
      problems.push({ file: this.stateFile, message: (e as Error).message });
      await this.moveAside(this.stateFile);
    }
    if (text !== undefined) {
      try {
        state = { ...emptyState(), ...(JSON.parse(text) as Partial<NotifierState>) };
        if (state.formatVersion !== STATE_FORMAT_VERSION) throw new Error(`format version ${state.formatVersion} is not ${STATE_FORMAT_VERSION}`);
      } catch (e) {
        problems.push({ file: this.stateFile, message: (e as Error).message });
        await this.moveAside(this.stateFile);
        state = emptyState();
      }
    }
    const entries: OutboxEntry[] = [];
    for (const name of (await fs.readdir(this.pendingDir)).sort()) {
      if (!/^\d{12}\.json$/.test(name)) continue;
      const file = path.join(this.pendingDir, name);
      try {
        const e = JSON.parse((await readFileNoFollow(file)) ?? '') as OutboxEntry;
        if (typeof e.seq !== 'number' || typeof e.id !== 'string' || typeof e.destination !== 'string') throw new Error('not an outbox entry');
        entries.push(e);
      } catch (e) {
        problems.push({ file, message: (e as Error).message });
        await this.moveAside(file);
      }
    }
    entries.sort((a, b) => a.seq - b.seq);
    return { state, entries, problems };
  }

  async writeEntry(entry: OutboxEntry): Promise<void> {
    await writeFileAtomic(this.entryFile(entry.seq), `${JSON.stringify(entry)}\n`);
  }

  async removeEntry(seq: number): Promise<void> {
    await fs.rm(this.entryFile(seq), { force: true });
    await syncDir(this.pendingDir);
  }

  async writeState(state: NotifierState): Promise<void> {
    await writeFileAtomic(this.stateFile, `${JSON.stringify(state)}\n`);
  }

  private async moveAside(file: string): Promise<void> {
    await fs.rename(file, `${file}.corrupt`).catch(() => undefined);
  }
}
