// Read-only view of the outbox for vaictl: what status.json would show under `alerts`, taken
// straight from the notifier's files (fresher than status.json, which is written coalesced).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { NotifierSnapshot } from './types.js';
import type { NotifierState } from './outbox-store.js';
import { readFileNoFollow } from '../core/atomic-file.js';

/** undefined when the outbox has no state file (no vaid has run with this state dir). */
export async function readAlertRecords(outboxDir: string): Promise<NotifierSnapshot | undefined> {
  const text = await readFileNoFollow(path.join(outboxDir, 'state.json'));
  if (text === undefined) return undefined;
  const state = JSON.parse(text) as Partial<NotifierState>;
  let outboxSize = 0;
  try {
    outboxSize = (await fs.readdir(path.join(outboxDir, 'pending'))).filter((n) => /^\d{12}\.json$/.test(n)).length;
  } catch {
    outboxSize = 0;
  }
  return { outboxSize, dropped: state.dropped ?? 0, recent: Array.isArray(state.records) ? state.records : [], unverifiedResends: state.unverifiedResends ?? 0 };
}
