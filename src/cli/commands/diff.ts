// vaictl diff [DIR | --ref REF]: what a working tree or a commit would change against what vaid
// applies now, service by service and field by field, like `kubectl diff` and `flux diff`.
// Exit 0 no changes, 1 changes (for CI), 2 the target has manifest errors (vaid would refuse it).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import fjp from 'fast-json-patch';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { parse, usageError } from '../command-support.js';
import { readStatus } from '../status-source.js';
import { describeError, loadDesiredState, type DesiredService, type DesiredState } from '../../manifest/index.js';
import { gitManifestsDir } from '../../source/index.js';
import { extractCommit, gitEnv } from '../../source/git.js';
import type { StatusDocument } from '../../status/schema.js';
import { MANIFESTS, STATE_DIR, type Flag } from '../flags.js';
import { rolloutEnabled, runHash } from '../../reconcile/rollout.js';

export interface ServiceDiff {
  name: string;
  change: 'added' | 'removed' | 'changed';
  fields: { path: string; from: unknown; to: unknown }[];
  /**
   * A change to how the service runs (restart_cmd, stop_cmd, container, rollout.fields): 'now'
   * when the new spec rolls it out (rollout.on_change: restart), 'next-recovery' when it waits.
   */
  restart?: 'now' | 'next-recovery';
}

function shown(s: DesiredService): Record<string, unknown> {
  return { labels: s.labels, spec: s.spec };
}

function at(obj: unknown, pointer: string): unknown {
  let v: unknown = obj;
  for (const part of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

export function diffStates(from: DesiredState, to: DesiredState): ServiceDiff[] {
  const out: ServiceDiff[] = [];
  const names = [...new Set([...from.services.keys(), ...to.services.keys()])].sort();
  for (const name of names) {
    const a = from.services.get(name);
    const b = to.services.get(name);
    if (!a) out.push({ name, change: 'added', fields: [] });
    else if (!b) out.push({ name, change: 'removed', fields: [] });
    else {
      const before = shown(a);
      const after = shown(b);
      const ops = fjp.compare(before, after);
      if (ops.length === 0) continue;
      const fields = ops.map((op) => ({ path: op.path.slice(1).replace(/\//g, '.'), from: at(before, op.path), to: op.op === 'remove' ? undefined : at(after, op.path) }));
      const restart = runHash(a.spec) === runHash(b.spec) ? undefined : rolloutEnabled(b.spec) ? 'now' : 'next-recovery';
      out.push({ name, change: 'changed', fields, ...(restart ? { restart } : {}) });
    }
  }
  return out;
}

function value(v: unknown): string {
  return v === undefined ? '<none>' : JSON.stringify(v);
}

function statusOf(paths: Parameters<typeof readStatus>[0]): StatusDocument | null {
  try {
    return readStatus(paths, Date.now()).doc;
  } catch {
    return null;
  }
}

function gitOut(args: string[]): string {
  return execFileSync('git', args, { env: gitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).trim();
}

const FLAGS = [
  { name: 'ref', type: 'string', value: 'REF', help: 'a commit, branch or tag instead of DIR' },
  { ...MANIFESTS, help: 'the applied manifests in directory mode (or VAI_MANIFESTS)' },
  STATE_DIR,
] as const satisfies readonly Flag[];

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Show what a directory or a git ref would change against the applied manifests',
  usage: `Usage: vaictl diff [DIR | --ref REF] [flags]

Compares the services a directory (or a commit, branch or tag) defines with those vaid applies
now: services added, removed, and changed field by field, and whether a changed service would
restart under its rollout policy. In pull mode (--git-url) the applied
tree is vaid's current commit and --ref resolves in vaid's clone (what it has fetched);
otherwise the applied tree is the manifest directory and --ref resolves in its git repository.`,
  flags: FLAGS,
  epilog: `Exit codes: 0 no changes, 1 changes, 2 usage or manifest errors in the target.`,
  async run(ctx) {
    const { values, positionals, paths, manifestsExplicit } = parse(ctx, FLAGS);
    if (positionals.length > 1) throw usageError('name at most one directory');
    if (positionals.length && values.ref) throw usageError('give a directory or --ref, not both');
    if (!positionals.length && !values.ref) throw usageError('name a directory or a --ref to compare with');
    const doc = statusOf(paths);
    const pull = doc?.source;
    const appliedDir = pull ? gitManifestsDir(paths.stateDir, pull.path) : manifestsExplicit || !doc ? paths.manifests : doc.manifests.dir;
    let targetDir = positionals[0] ? path.resolve(ctx.cwd, positionals[0]) : '';
    let tmp: string | undefined;
    try {
      if (values.ref) {
        let gitDir: string;
        let prefix: string;
        if (pull) {
          gitDir = path.join(paths.stateDir, 'source', 'repo.git');
          prefix = pull.path;
        } else {
          gitDir = path.resolve(appliedDir, gitOut(['-C', appliedDir, 'rev-parse', '--git-dir']));
          prefix = gitOut(['-C', appliedDir, 'rev-parse', '--show-prefix']);
        }
        let commit: string;
        try {
          commit = gitOut(['--git-dir', gitDir, 'rev-parse', '--verify', `${values.ref}^{commit}`]);
        } catch {
          throw usageError(`--ref ${values.ref}: not known in ${gitDir}${pull ? ' (vaid has fetched only its own ref; name a commit it fetched or compare a DIR)' : ''}`);
        }
        tmp = mkdtempSync(path.join(os.tmpdir(), 'vaictl-diff-'));
        await extractCommit({ gitDir }, commit, tmp);
        targetDir = path.join(tmp, prefix);
      }
      const [applied, target] = await Promise.all([
        loadDesiredState({ dir: appliedDir, allowUnsafePermissions: true }),
        loadDesiredState({ dir: targetDir, allowUnsafePermissions: true, revisionOf: async () => null }),
      ]);
      if (target.errors.length) {
        for (const e of target.errors) ctx.stderr.write(`${tmp ? e.file.replace(`${tmp}${path.sep}`, '') : e.file}:${e.line}:${e.column}: ${describeError(e)}\n`);
        ctx.stderr.write(`Error: the target has ${target.errors.length} manifest error(s); vaid would not apply it\n`);
        return EXIT.USAGE;
      }
      const diffs = diffStates(applied, target);
      if (!diffs.length) {
        ctx.stdout.write('No changes.\n');
        return EXIT.OK;
      }
      for (const d of diffs) {
        ctx.stdout.write(`service/${d.name} ${d.change}\n`);
        for (const f of d.fields) ctx.stdout.write(`  ${f.path}: ${value(f.from)} -> ${value(f.to)}\n`);
        if (d.restart === 'now') ctx.stdout.write('  => restarts with the new spec, verified and rolled back on failure (rollout.on_change: restart)\n');
        else if (d.restart === 'next-recovery') ctx.stdout.write('  => keeps running as it is; the new spec takes effect at its next recovery (rollout.on_change: none)\n');
      }
      return EXIT.FAILED;
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  },
};
