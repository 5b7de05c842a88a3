// Rules a schema-valid Maintenance manifest must follow that a JSON Schema cannot say well: a
// schedule is either cron + duration or start + end, the cron expression and the time zone are
// real, a one-off window has an explicit offset and ends after it starts, the label selector parses.
import { Cron } from 'croner';
import type { MaintenanceManifest } from './schema.js';
import type { ManifestError } from './types.js';
import { errorAt, type Candidate } from './candidate.js';
import { parseLabelSelector } from './label-selector.js';
import { parseWindowDuration } from './maintenance-window.js';

const WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function checkMaintenanceRules(m: MaintenanceManifest, c: Candidate): ManifestError[] {
  const out: ManifestError[] = [];
  const err = (p: (string | number)[], at: 'key' | 'value', msg: string) => out.push(errorAt(c, p, at, 'VAI_E_SPEC_RULE', msg));
  const s = m.spec.schedule;
  const isCron = s.cron !== undefined || s.duration !== undefined || s.time_zone !== undefined;
  const isFixed = s.start !== undefined || s.end !== undefined;
  if (isCron && isFixed) err(['spec', 'schedule'], 'key', 'give either cron + duration (+ time_zone) or start + end, not both');
  else if (!isCron && !isFixed) err(['spec', 'schedule'], 'key', 'missing a schedule: cron + duration (+ time_zone), or start + end');
  else if (isCron) {
    if (s.cron === undefined) err(['spec', 'schedule'], 'key', 'missing required field "cron" (duration and time_zone go with a cron expression)');
    if (s.duration === undefined) err(['spec', 'schedule'], 'key', 'missing required field "duration" (how long each window lasts, e.g. 2h)');
    else if ((parseWindowDuration(s.duration) ?? 0) <= 0) err(['spec', 'schedule', 'duration'], 'value', `must be a duration longer than 0 such as 30m, 2h or 1h30m, got ${JSON.stringify(s.duration)}`);
    if (s.time_zone !== undefined && !validZone(s.time_zone)) err(['spec', 'schedule', 'time_zone'], 'value', `unknown time zone ${JSON.stringify(s.time_zone)}: use an IANA name such as Europe/Berlin or UTC`);
    else if (s.cron !== undefined && /^\S*[0-7]L$|^\S*[0-7]L,/.test(s.cron.trim().split(/\s+/).at(-1) ?? '')) {
      // Quartz's 5L (last Friday): croner reads it as every Friday, silently.
      err(['spec', 'schedule', 'cron'], 'value', `day of week ${JSON.stringify(s.cron.trim().split(/\s+/).at(-1))}: write the last Sunday of the month as SUN#L (or 0#L), the last Friday as FRI#L`);
    } else if (s.cron !== undefined) {
      try {
        new Cron(s.cron, { timezone: s.time_zone ?? 'UTC', paused: true });
      } catch (e) {
        err(['spec', 'schedule', 'cron'], 'value', `not a cron expression (minute hour day-of-month month day-of-week): ${(e as Error).message}`);
      }
    }
  } else {
    for (const f of ['start', 'end'] as const) {
      const v = s[f];
      if (v === undefined) err(['spec', 'schedule'], 'key', `missing required field "${f}" (a one-off window has start and end)`);
      else if (!WITH_OFFSET.test(v) || Number.isNaN(Date.parse(v))) err(['spec', 'schedule', f], 'value', `must be an ISO 8601 time with its offset, such as 2026-12-24T22:00:00+01:00, got ${JSON.stringify(v)}`);
    }
    if (s.start !== undefined && s.end !== undefined && Date.parse(s.end) <= Date.parse(s.start)) err(['spec', 'schedule', 'end'], 'value', `must be after start (${s.start})`);
  }
  const labels = m.spec.selector.labels;
  if (m.spec.selector.names.length === 0 && labels === undefined) err(['spec', 'selector'], 'key', 'selects nothing: give names, labels or both');
  if (labels !== undefined) {
    try {
      parseLabelSelector(labels);
    } catch (e) {
      err(['spec', 'selector', 'labels'], 'value', (e as Error).message);
    }
  }
  return out;
}
