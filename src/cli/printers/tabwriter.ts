// Aligns tab-separated cells the way Go's text/tabwriter does for kubectl describe: a column is
// aligned across a block of consecutive lines that all have a cell in it, so "Name:\tminio"
// lines line up with each other but a table further down keeps its own widths.

const PADDING = 2;

export function alignTabs(text: string): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  alignColumn(lines, 0, 0, lines.length);
  return lines.map((cells) => cells.join('').trimEnd()).join('\n');
}

// Pads column `col` in lines [from, to) block by block, then recurses into each block's next column.
function alignColumn(lines: string[][], col: number, from: number, to: number): void {
  let i = from;
  while (i < to) {
    if (lines[i]!.length <= col + 1) {
      i++;
      continue;
    }
    const start = i;
    while (i < to && lines[i]!.length > col + 1) i++;
    let width = 0;
    for (let j = start; j < i; j++) width = Math.max(width, lines[j]![col]!.length);
    for (let j = start; j < i; j++) lines[j]![col] = lines[j]![col]!.padEnd(width + PADDING);
    alignColumn(lines, col + 1, start, i);
  }
}
