// vaictl validate [DIR|FILE...]: the checks vaid applies, as `file:line:col: message [CODE]`
// lines; usable as a git pre-commit hook and in the GitOps repo's CI.
import path from 'node:path';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { resolvePaths } from '../paths.js';
import { parseCache } from '../manifest-parse-cache.js';
// Not manifest/index.js: it also exports the watcher, which loads chokidar.
import { describeError } from '../../manifest/candidate.js';
import { parseLabelSelector } from '../../manifest/label-selector.js';
import type { ManifestError } from '../../manifest/types.js';
import { validateTree } from '../../manifest/validate-paths.js';
import { MANIFESTS, parseFlags, SELECTOR, withPathFlags, type Flag } from '../flags.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatError(e: ManifestError, cwd: string): string {
  const rel = path.relative(cwd, e.file);
  const shown = rel === '' ? '.' : rel.startsWith('..') ? e.file : rel;
  const warning = e.code.startsWith('VAI_W_') ? 'warning: ' : '';
  return `${shown}:${e.line}:${e.column}: ${warning}${describeError(e)} [${e.code}]`;
}

function sorted(list: ManifestError[], cwd: string): string[] {
  return list.map((e) => formatError(e, cwd)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

const FLAGS = [
  { ...SELECTOR, help: 'check only the services this host would run, e.g. -l host=vps1' },
  { name: 'permissions', type: 'boolean', help: 'also refuse files and dirs writable by group/others, as vaid does' },
  { name: 'quiet', short: 'q', type: 'boolean', help: 'print nothing when valid' },
  MANIFESTS,
] as const satisfies readonly Flag[];

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check manifests as vaid would; print file:line:col: message per problem',
  usage: `Usage: vaictl validate [DIR|FILE...] [flags]

Checks manifests (native YAML/JSON and the legacy system-config.json) the way vaid loads them:
syntax, schema, spec rules, duplicate names, unknown dependencies and dependency cycles.
Without arguments it checks the manifests dir (--manifests, VAI_MANIFESTS, default ./manifests).
Give the whole directory to check rules across files.`,
  flags: FLAGS,
  epilog: `Warnings (file:line:col: warning: ... [VAI_W_...]) name specs that load but do less than they
say, such as limits on a service whose process vai cannot find; they do not fail validation.

Exit codes: 0 valid (warnings or not), 1 problems found, 2 usage.

Examples:
  vaictl validate
  vaictl validate manifests/ hosts/vps1/
  vaictl validate -l host=vps1 --permissions /etc/vai/manifests`,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, withPathFlags(FLAGS));
    const targets = positionals.length > 0 ? positionals.map((p) => path.resolve(ctx.cwd, p)) : [resolvePaths(values, ctx.env, ctx.cwd).manifests];
    const selector = values.selector === undefined ? undefined : parseLabelSelector(values.selector);
    const cache = parseCache(ctx.env);
    const report = await validateTree(targets, { checkPermissions: values.permissions ?? false, ...(selector ? { selector } : {}), parse: cache.parse });
    cache.save();
    // Warnings (a spec that loads but does less than it says) are printed, even with -q, and do not fail.
    const warnings = report.warnings.length > 0 ? `, ${plural(report.warnings.length, 'warning')}` : '';
    if (report.errors.length > 0) {
      ctx.stdout.write(`${sorted([...report.errors, ...report.warnings], ctx.cwd).join('\n')}\n`);
      ctx.stderr.write(`${plural(report.errors.length, 'problem')}${warnings} in ${plural(report.files, 'file')}\n`);
      return EXIT.FAILED;
    }
    if (report.warnings.length > 0) ctx.stdout.write(`${sorted(report.warnings, ctx.cwd).join('\n')}\n`);
    if (!values.quiet) {
      ctx.stdout.write(`${plural(report.services, 'service')}, ${plural(report.notifiers, 'notifier')} in ${plural(report.files, 'file')}: valid${warnings}\n`);
    }
    return EXIT.OK;
  },
};
