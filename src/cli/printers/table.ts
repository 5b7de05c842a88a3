// Tables as kubectl prints them: columns are data ({name, priority}); priority-1 columns only
// appear with -o wide; headers upper-case; cells padded to the widest value plus three spaces.
import { noPaint, type Colour, type Paint } from './color.js';

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

// The loops below are written out, without per-cell arrays or closures: `vaictl get` renders
// 1,000 rows once per process, all of it cold code, and the functional version cost ~40 ms.

/** Cell text for each row, before padding; shared by the renderer and watch's fixed widths. */
export function cells<R>(columns: readonly Column<R>[], rows: readonly R[]): string[][] {
  const out: string[][] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const texts: string[] = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) texts[c] = oneLine(columns[c]!.cell(row));
    out[r] = texts;
  }
  return out;
}

export function columnWidths(header: readonly string[], body: readonly string[][]): number[] {
  const widths = header.map((h) => h.length);
  for (const texts of body) {
    for (let i = 0; i < widths.length; i++) if (texts[i]!.length > widths[i]!) widths[i] = texts[i]!.length;
  }
  return widths;
}

export function renderRow<R>(columns: readonly Column<R>[], row: R | undefined, texts: readonly string[], widths: readonly number[], paint: Paint): string {
  const last = texts.length - 1;
  const colours = row !== undefined && paint !== noPaint;
  let out = '';
  for (let i = 0; i <= last; i++) {
    const t = texts[i]!;
    const colour = colours ? columns[i]!.colour?.(row) : undefined;
    out += colour ? paint(t, colour) : t;
    if (i < last) out += spaces(widths[i]! + GAP - t.length);
  }
  return out.trimEnd();
}

export function renderTable<R>(columns: readonly Column<R>[], rows: readonly R[], opts: TableOptions): string {
  const cols = visibleColumns(columns, opts.wide);
  const header = cols.map((c) => c.name.toUpperCase());
  const body = cells(cols, rows);
  const widths = columnWidths(opts.noHeaders ? header.map(() => '') : header, body).map((w, i) => Math.max(w, opts.minWidths?.[cols[i]!.name] ?? 0));
  let out = opts.noHeaders ? '' : `${renderRow(cols, undefined, header, widths, opts.paint)}\n`;
  for (let r = 0; r < rows.length; r++) out += `${renderRow(cols, rows[r], body[r]!, widths, opts.paint)}\n`;
  return out;
}

const PAD = ' '.repeat(256);

function spaces(n: number): string {
  return n <= PAD.length ? PAD.slice(0, Math.max(0, n)) : ' '.repeat(n);
}

const BREAKS = /[\t\r\n]/;

/** A table cell is one line: newlines and tabs would break the layout and `awk` pipelines. */
export function oneLine(text: string): string {
  return BREAKS.test(text) ? text.replace(/[\t\r\n]+/g, ' ') : text;
}
