// Tables as kubectl prints them: columns are data ({name, priority}); priority-1 columns only
// appear with -o wide; headers upper-case; cells padded to the widest value plus three spaces.
import type { Colour, Paint } from './color.js';

export interface Column<R> {
  name: string;
  /** 0: always shown; 1: only with -o wide. */
  priority: 0 | 1;
  cell(row: R): string;
  colour?(row: R): Colour | undefined;
}

export interface TableOptions {
  wide: boolean;
  noHeaders?: boolean;
  paint: Paint;
  /** Minimum widths by column name, so rows printed later (get -w) fit under the header. */
  minWidths?: Readonly<Record<string, number>>;
}

const GAP = 3;

export function visibleColumns<R>(columns: readonly Column<R>[], wide: boolean): Column<R>[] {
  return columns.filter((c) => c.priority === 0 || wide);
}

/** Cell text for each row, before padding; shared by the renderer and watch's fixed widths. */
export function cells<R>(columns: readonly Column<R>[], rows: readonly R[]): string[][] {
  return rows.map((r) => columns.map((c) => oneLine(c.cell(r))));
}

export function columnWidths(header: readonly string[], body: readonly string[][]): number[] {
  return header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
}

export function renderRow<R>(columns: readonly Column<R>[], row: R | undefined, texts: readonly string[], widths: readonly number[], paint: Paint): string {
  const last = texts.length - 1;
  const out = texts.map((t, i) => {
    const padded = i === last ? t : t.padEnd(widths[i]! + GAP);
    const colour = row === undefined ? undefined : columns[i]!.colour?.(row);
    if (!colour) return padded;
    return paint(t, colour) + padded.slice(t.length);
  });
  return out.join('').trimEnd();
}

export function renderTable<R>(columns: readonly Column<R>[], rows: readonly R[], opts: TableOptions): string {
  const cols = visibleColumns(columns, opts.wide);
  const header = cols.map((c) => c.name.toUpperCase());
  const body = cells(cols, rows);
  const widths = columnWidths(opts.noHeaders ? header.map(() => '') : header, body).map((w, i) => Math.max(w, opts.minWidths?.[cols[i]!.name] ?? 0));
  const lines: string[] = [];
  if (!opts.noHeaders) lines.push(renderRow(cols, undefined, header, widths, opts.paint));
  rows.forEach((r, i) => lines.push(renderRow(cols, r, body[i]!, widths, opts.paint)));
  return lines.map((l) => `${l}\n`).join('');
}

/** A table cell is one line: newlines and tabs would break the layout and `awk` pipelines. */
export function oneLine(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ');
}
