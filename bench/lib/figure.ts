// One measured figure of a bench run, as printed in the table and written to JSON.
import { summarize, type Summary } from './stats.js';

/** 'baseline': the floor under both supervisors (the service's own start, Node's own client cost). */
export type Subject = 'vai' | 'monit' | 'baseline';

export interface Target {
  /** Which statistic the target applies to. */
  stat: 'median' | 'p95' | 'p99' | 'max' | 'value';
  op: '<=' | '<';
  value: number;
  text: string;
}

export interface Figure {
  scenario: string;
  subject: Subject;
  metric: string;
  unit: string;
  summary: Summary;
  samples: number[];
  /** Figures with the same key are compared vai/monit. */
  compareKey?: string;
  target?: Target;
  met?: boolean;
  notes?: string[];
}

export function figure(
  scenario: string,
  subject: Subject,
  metric: string,
  unit: string,
  samples: number[],
  extra: { compareKey?: string; target?: Target; notes?: string[] } = {},
): Figure {
  const summary = summarize(samples);
  const f: Figure = { scenario, subject, metric, unit, summary, samples, ...extra };
  if (extra.target && summary.n > 0) {
    const t = extra.target;
    const v = t.stat === 'value' ? summary.median : summary[t.stat];
    f.met = t.op === '<=' ? v <= t.value : v < t.value;
  }
  return f;
}

export const target = (stat: Target['stat'], op: Target['op'], value: number, text: string): Target => ({ stat, op, value, text });
