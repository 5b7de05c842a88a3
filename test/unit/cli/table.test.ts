import { test } from 'node:test';
import assert from 'node:assert/strict';
import { painter } from '../../../src/cli/printers/color.js';
import { renderTable, type Column } from '../../../src/cli/printers/table.js';
import { alignTabs } from '../../../src/cli/printers/tabwriter.js';

interface R {
  n: string;
  p: string;
  x: string;
}
const columns: Column<R>[] = [
  { name: 'name', priority: 0, cell: (r) => r.n },
  { name: 'phase', priority: 0, cell: (r) => r.p, colour: (r) => (r.p === 'Healthy' ? 'green' : 'red') },
  { name: 'extra', priority: 1, cell: (r) => r.x },
];
const rows: R[] = [
  { n: 'minio', p: 'Healthy', x: 'a' },
  { n: 'postgres-long-name', p: 'CrashLoopBackOff', x: 'b\nc' },
];

test('columns are padded to the widest cell plus three spaces; wide-only columns need -o wide', () => {
  const plain = renderTable(columns, rows, { wide: false, paint: painter(false) });
  assert.equal(
    plain,
    'NAME                 PHASE\n' + 'minio                Healthy\n' + 'postgres-long-name   CrashLoopBackOff\n',
  );
  const wide = renderTable(columns, rows, { wide: true, paint: painter(false) });
  assert.match(wide.split('\n')[0]!, /^NAME +PHASE +EXTRA$/);
  assert.equal(wide.split('\n')[2], 'postgres-long-name   CrashLoopBackOff   b c', 'a newline in a cell would break the row');
});

test('colour wraps the text only, so padding and alignment stay the same', () => {
  const coloured = renderTable(columns, rows, { wide: false, paint: painter(true) });
  const stripped = coloured.replace(/\u001b\[\d+m/g, '');
  assert.equal(stripped, renderTable(columns, rows, { wide: false, paint: painter(false) }));
  assert.ok(coloured.includes('\u001b[32mHealthy\u001b[39m'));
});

test('no header with noHeaders', () => {
  assert.equal(renderTable(columns, rows.slice(0, 1), { wide: false, noHeaders: true, paint: painter(false) }), 'minio   Healthy\n');
});

test('tab alignment works per block of consecutive lines, as Go tabwriter does for kubectl describe', () => {
  const text = ['Name:\tminio', 'Labels:\tapp=minio', '\ttier=storage', 'Counters:', '  Checks:\t10', '  Recoveries:\t2'].join('\n');
  assert.equal(
    alignTabs(text),
    ['Name:    minio', 'Labels:  app=minio', '         tier=storage', 'Counters:', '  Checks:      10', '  Recoveries:  2'].join('\n'),
  );
});
