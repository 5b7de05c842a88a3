// vaictl validate [DIR|FILE...]: the checks vaid applies, as `file:line:col: message [CODE]`
// lines; usable as a git pre-commit hook and in the GitOps repo's CI.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { PATH_OPTIONS, resolvePaths } from '../paths.js';
import { describeError, parseLabelSelector, validateTree, type ManifestError } from '../../manifest/index.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatError(e: ManifestError, cwd: string): string {
  const rel = path.relative(cwd, e.file);
  const shown = rel === '' ? '.' : rel.startsWith('..') ? e.file : rel;
  return `${shown}:${e.line}:${e.column}: ${describeError(e)} [${e.code}]`;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check manifests as vaid would; print file:line:col: message per problem',
  usage: `Usage: vaictl validate [DIR|FILE...] [flags]

Checks manifests (native YAML/JSON and the legacy system-config.json) the way vaid loads them:
syntax, schema, spec rules, duplicate names, unknown dependencies and dependency cycles.
Without arguments it checks the manifests dir (--manifests, VAI_MANIFESTS, default ./manifests).
Give the whole directory to check rules across files.

Flags:
  -l, --selector SEL    check only the services this host would run, e.g. -l host=vps1
      --permissions     also refuse files and dirs writable by group/others, as vaid does
  -q, --quiet           print nothing when valid
  --manifests DIR

Exit codes: 0 valid, 1 problems found, 2 usage.

Examples:
  vaictl validate
  vaictl validate manifests/ hosts/vps1/
  vaictl validate -l host=vps1 --permissions /etc/vai/manifests`,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.argv,
      options: {
        ...PATH_OPTIONS,
        selector: { type: 'string', short: 'l' },
        permissions: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
      },
      allowPositionals: true,
      strict: true,
    });
    const targets = positionals.length > 0 ? positionals.map((p) => path.resolve(ctx.cwd, p)) : [resolvePaths(values, ctx.env, ctx.cwd).manifests];
    const selector = values.selector === undefined ? undefined : parseLabelSelector(values.selector);
    const report = await validateTree(targets, { checkPermissions: values.permissions ?? false, ...(selector ? { selector } : {}) });
    if (report.errors.length > 0) {
      const lines = report.errors.map((e) => formatError(e, ctx.cwd)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      ctx.stdout.write(`${lines.join('\n')}\n`);
      ctx.stderr.write(`${plural(report.errors.length, 'problem')} in ${plural(report.files, 'file')}\n`);
      return EXIT.FAILED;
    }
    if (!values.quiet) {
      ctx.stdout.write(`${plural(report.services, 'service')}, ${plural(report.notifiers, 'notifier')} in ${plural(report.files, 'file')}: valid\n`);
    }
    return EXIT.OK;
  },
};
