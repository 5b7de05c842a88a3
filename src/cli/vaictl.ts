#!/usr/bin/env node
// The vaictl bin. Every command runs from dist/src/cli/vaictl-bundle.cjs (written by `make build`,
// scripts/bundle-vaictl.ts): one file compiled with a V8 code cache instead of ES modules, tens
// of ms less CPU on every command. Without a bundle, or with an older one than the modules (tsc
// alone rebuilt them), vaictl-main.js runs as modules. Each command has its own cache beside the
// bundle (vaictl-bundle.cjs.NAME.cache), written after the first run of that command that succeeds
// without one (or whose cache V8 refused: another Node), so it holds the functions that command
// really ran; a dist this user cannot write just goes without.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

interface Entry {
  run(commands?: unknown): Promise<void>;
  /** The bundle's command modules by name (vaictl-main.ts's CommandLoaders). */
  commands?: unknown;
}

const argv = process.argv.slice(2);
// --server (vaictl-remote.js) hands its document to the modules' status reader, not the bundle's.
const bundled = !argv.some((a) => a === '--server' || a.startsWith('--server=')) && !process.env.VAICTL_NO_BUNDLE;
/** The cache's name: the command's, when it looks like one (a typo shares one cache, `other`). */
const cacheName = /^[a-z][a-z-]{0,30}$/.test(argv[0] ?? '') ? argv[0]! : 'other';
const entry: Entry = (bundled && loadBundle()) || (await import('./vaictl-main.js'));
await entry.run();

function loadBundle(): Entry | null {
  const file = fileURLToPath(new URL('./vaictl-bundle.cjs', import.meta.url));
  let source: string;
  try {
    if (statSync(file).mtimeMs < statSync(fileURLToPath(new URL('./vaictl-main.js', import.meta.url))).mtimeMs) return null;
    source = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const cacheFile = `${file}.${cacheName}.cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __vaiImport) {${source}\n})`, { filename: file, cachedData });
  const base = pathToFileURL(file);
  const load = (p: string): Promise<unknown> => import(p.startsWith('.') ? new URL(p, base).href : p);
  const mod = { exports: {} as Entry };
  (script.runInThisContext() as (...a: unknown[]) => void)(mod.exports, createRequire(file), mod, file, path.dirname(file), load);
  return {
    async run() {
      await mod.exports.run(mod.exports.commands);
      if ((cachedData === undefined || script.cachedDataRejected) && !process.exitCode) saveCache(cacheFile, script);
    },
  };
}

function saveCache(file: string, script: vm.Script): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData(), { flag: 'wx' });
    renameSync(tmp, file);
  } catch {
    // Read-only install, or another vaictl wrote it first: the next run tries again.
  }
}
