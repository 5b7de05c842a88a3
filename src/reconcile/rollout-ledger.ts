// What each rollout hash of a service ran with (its run fields: restart_cmd, stop_cmd,
// container, rollout.fields) and the revision it came from, so a rollback or an undo can start
// the previous spec, also after vaid restarted. One file per service, STATE_DIR/rollout/NAME.json,
// 0600 in a 0700 dir: a restart_cmd may carry what other users should not read (status.json and
// the page never hold these fields). The last LEDGER_MAX hashes are kept.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { readSafe } from '../core/safe-open.js';
import { writeFileAtomic } from '../core/atomic-file.js';

const LEDGER_MAX = 20;
const LEDGER_MAX_BYTES = 4 * 1024 * 1024;

export interface LedgerEntry {
  hash: string;
  revision: string;
  fields: Record<string, unknown>;
}

export interface RolloutLedger {
  fields(name: string, hash: string): Record<string, unknown> | undefined;
  /** Records the fields of a hash (the newest revision that had it). */
  record(name: string, entry: LedgerEntry): void;
}

export class MemoryLedger implements RolloutLedger {
  protected readonly entries = new Map<string, LedgerEntry[]>();

  fields(name: string, hash: string): Record<string, unknown> | undefined {
    return this.load(name).find((e) => e.hash === hash)?.fields;
  }

  record(name: string, entry: LedgerEntry): void {
    const list = this.load(name);
    const old = list.find((e) => e.hash === entry.hash);
    if (old && old.revision === entry.revision) return;
    const next = [...list.filter((e) => e.hash !== entry.hash), entry].slice(-LEDGER_MAX);
    this.entries.set(name, next);
    this.save(name, next);
  }

  protected load(name: string): LedgerEntry[] {
    return this.entries.get(name) ?? [];
  }

  protected save(_name: string, _list: LedgerEntry[]): void {}
}

export class FileLedger extends MemoryLedger {
  constructor(private readonly dir: string) {
    super();
  }

  protected override load(name: string): LedgerEntry[] {
    let list = this.entries.get(name);
    if (list) return list;
    list = [];
    try {
      const buf = readSafe(path.join(this.dir, `${name}.json`), LEDGER_MAX_BYTES);
      const v = buf ? (JSON.parse(buf.toString('utf8')) as { entries?: unknown }) : null;
      if (v && Array.isArray(v.entries)) list = v.entries.filter((e): e is LedgerEntry => !!e && typeof e.hash === 'string' && typeof e.revision === 'string' && !!e.fields && typeof e.fields === 'object');
    } catch {
      // Unreadable: no rollback target until the next change is recorded.
    }
    this.entries.set(name, list);
    return list;
  }

  protected override save(name: string, list: LedgerEntry[]): void {
    try {
      // Made on the first record: STATE_DIR/rollout exists only when some service rolls out.
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileAtomic(path.join(this.dir, `${name}.json`), `${JSON.stringify({ entries: list })}\n`, 0o600);
    } catch {
      // Kept in memory; the next record tries again.
    }
  }
}
