// `vaictl validate`: the same checks vaid applies, over directories and files given on the
// command line, without a previous state (nothing is kept: every problem is reported).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestError } from './types.js';
import { matchesSelector, type LabelSelector } from './label-selector.js';
import { scanTree } from './scan-tree.js';
import { loadFile, loadFiles, type FileCache } from './load-desired-state.js';
import type { FileResult } from './load-file.js';
import { assembleState } from './assemble-state.js';
import type { ParseSource } from './source-document.js';

export interface ValidateOptions {
  /** Also refuse files and dirs writable by group/others, as vaid does (off: CI checkouts often are). */
  checkPermissions?: boolean;
  selector?: LabelSelector;
  /** How file text is parsed (vaictl's parse cache); default: parseSource. */
  parse?: ParseSource;
}

export interface ValidationReport {
  errors: ManifestError[];
  /** Specs that load but do less than they say (VAI_W_ codes); not counted as problems. */
  warnings: ManifestError[];
  files: number;
  services: number;
  notifiers: number;
}

export async function validateTree(paths: string[], opts: ValidateOptions = {}): Promise<ValidationReport> {
  const results = new Map<string, FileResult>();
  const scanErrors: ManifestError[] = [];
  const refused: string[] = [];
  const cache: FileCache = new Map();
  let root = process.cwd();
  for (const p of paths) {
    const abs = path.resolve(p);
    const st = await stat(abs).catch(() => undefined);
    if (st?.isFile()) {
      results.set(abs, await loadFile(abs, cache, undefined, opts.parse));
      continue;
    }
    if (paths.length === 1) root = abs;
    const scan = await scanTree(abs, { checkPermissions: opts.checkPermissions ?? false });
    scanErrors.push(...scan.errors);
    refused.push(...scan.failed);
    for (const [f, r] of await loadFiles(scan.files, scan.stats, cache, opts.parse)) results.set(f, r);
  }
  const state = assembleState({ root, results, scanErrors, refused, selector: opts.selector });
  return {
    errors: state.errors,
    warnings: [...results.values()].flatMap((r) => r.warnings ?? []),
    files: results.size,
    services: [...results.values()].reduce((n, r) => n + r.definitions.filter((d) => d.kind === 'Service' && (!opts.selector || matchesSelector(d.labels, opts.selector))).length, 0),
    notifiers: [...results.values()].reduce((n, r) => n + r.definitions.filter((d) => d.kind === 'Notifier').length, 0),
  };
}

export async function validatePaths(paths: string[], opts: ValidateOptions = {}): Promise<ManifestError[]> {
  return (await validateTree(paths, opts)).errors;
}
