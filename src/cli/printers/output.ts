// `-o` picks one printer: table (default), wide, json, yaml or name. json and yaml print the
// status objects themselves (schemas/status.schema.json), a List when more than one was asked
// for, as kubectl does; name prints service/NAME, one per line, for scripts and completion.
import type { ServiceStatus } from '../../status/schema.js';
import { VaiError } from '../../errors.js';
import type { Paint } from './color.js';
import { renderTable, type Column } from './table.js';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml', 'name'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutput(value: string | undefined): OutputFormat {
  const v = value ?? 'table';
  if ((OUTPUT_FORMATS as readonly string[]).includes(v)) return v as OutputFormat;
  throw new VaiError('VAI_E_USAGE', `unknown output format "${v}"; use one of ${OUTPUT_FORMATS.join(', ')}`);
}

export function asList<T>(items: T[], single: boolean): T | { apiVersion: 'vai/v1'; kind: 'List'; items: T[] } {
  return single && items.length === 1 ? items[0]! : { apiVersion: 'vai/v1', kind: 'List', items };
}

export async function serialize(value: unknown, format: 'json' | 'yaml'): Promise<string> {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  const { stringify } = await import('yaml');
  return stringify(value, { lineWidth: 0 });
}

export interface PrintOptions<R> {
  format: OutputFormat;
  columns: readonly Column<R>[];
  paint: Paint;
  noHeaders: boolean;
  /** One name was asked for: json/yaml print the object, not a List. */
  single: boolean;
  minWidths?: Readonly<Record<string, number>> | undefined;
}

export async function printRows<R extends { status: ServiceStatus }>(rows: R[], opts: PrintOptions<R>): Promise<string> {
  switch (opts.format) {
    case 'json':
    case 'yaml':
      return serialize(asList(rows.map((r) => r.status), opts.single), opts.format);
    case 'name':
      return rows.map((r) => `service/${r.status.name}\n`).join('');
    case 'table':
    case 'wide':
      return renderTable(opts.columns, rows, { wide: opts.format === 'wide', noHeaders: opts.noHeaders, paint: opts.paint, minWidths: opts.minWidths });
  }
}
