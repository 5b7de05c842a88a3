// Renders docs/errors.md from the error registry in src/errors.ts, so the page cannot drift:
// `npx tsx scripts/errors-doc.ts --write` rewrites it; test/unit/errors.test.ts compares.
import { writeFileSync } from 'node:fs';
import { ERRORS } from '../src/errors.js';

export function renderErrorsDoc(): string {
  const rows = Object.entries(ERRORS).map(([code, e]) => `| \`${code}\` | ${e.summary} | ${e.fix} |`);
  return [
    '# Error codes',
    '',
    'Every problem vai reports carries one of these codes (in `vaictl` output as `[CODE]`, in',
    'vaid\'s log as `code`, in status as `manifests.errors[].code`). Generated from `src/errors.ts`.',
    '',
    '| code | meaning | what to do |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv.includes('--write')) writeFileSync('docs/errors.md', renderErrorsDoc());
