// kubectl's prefix writer: each nesting level indents two spaces; cells are tab-separated and
// aligned at the end by alignTabs, so callers only say what goes where.
import { alignTabs } from './tabwriter.js';

export class PrefixWriter {
  private readonly lines: string[] = [];

  /** One line at nesting `level`; `cells` are joined with tabs for alignment. */
  line(level: number, ...cells: string[]): void {
    this.lines.push('  '.repeat(level) + cells.map(flatten).join('\t'));
  }

  /** "Key:" followed by a value, or by several values on continuation lines (labels, lists). */
  field(level: number, key: string, value: string | readonly string[]): void {
    const values = typeof value === 'string' ? [value] : value.length > 0 ? value : ['<none>'];
    values.forEach((v, i) => this.line(level, i === 0 ? `${key}:` : '', v));
  }

  toString(): string {
    return `${alignTabs(this.lines.join('\n'))}\n`;
  }
}

function flatten(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ');
}
