#!/usr/bin/env node
// The vaictl bin. Every command runs from dist/src/cli/vaictl-bundle.cjs (written by `make build`,
// scripts/bundle-vaictl.ts): one file compiled with a V8 code cache instead of ES modules, tens
// of ms less CPU on every command. Without a bundle, or with an older one than the modules (tsc
// alone rebuilt them), vaictl-main.js runs as modules. Each command has its own cache beside the
// bundle (vaictl-bundle.cjs.NAME.cache), written after the first run of that command that succeeds
// without one (or whose cache V8 refused: another Node), so it holds the functions that command
// really ran; a dist this user cannot write just goes without. The validators the bundle requires
// get caches of their own the same way (cacheValidators).
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import Module, { createRequire } from 'node:module';
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
  let bytes: Buffer;
  try {
    if (statSync(file).mtimeMs < statSync(fileURLToPath(new URL('./vaictl-main.js', import.meta.url))).mtimeMs) return null;
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  const compiled: Compiled[] = [];
  const script = compile(`(function (exports, require, module, __filename, __dirname, __vaiImport) {${bytes.toString('utf8')}\n})`, file, compiled, bytes);
  const base = pathToFileURL(file);
  const load = (p: string): Promise<unknown> => import(p.startsWith('.') ? new URL(p, base).href : p);
  cacheValidators(path.dirname(path.dirname(file)), compiled);
  const mod = { exports: {} as Entry };
  (script.runInThisContext() as (...a: unknown[]) => void)(mod.exports, createRequire(file), mod, file, path.dirname(file), load);
  return {
    async run() {
      await mod.exports.run(mod.exports.commands);
      if (!process.exitCode) for (const c of compiled) if (c.write) saveCache(c.cacheFile, c.hash, c.script);
    },
  };
}

interface Compiled {
  script: vm.Script;
  cacheFile: string;
  hash: Buffer;
  /** No usable cache was there: write one after the command. */
  write: boolean;
}

/**
 * `code` compiled with this command's cache of it, if the cache was made from this very text: a
 * cache file starts with the SHA-256 of the source it belongs to, since V8 itself checks only the
 * source's length, and a rebuilt file of the same length must not run the old one's code.
 */
function compile(code: string, file: string, compiled: Compiled[], bytes?: Buffer): vm.Script {
  const cacheFile = `${file}.${cacheName}.cache`;
  // The file's bytes when at hand (the 1 MiB bundle: half the time of its string). Not a guard
  // against an attacker (who could write dist could write the cache too): against staleness.
  const hash = createHash('sha256')
    .update(bytes ?? code)
    .digest();
  let cachedData: Buffer | undefined;
  try {
    const got = readFileSync(cacheFile);
    cachedData = got.subarray(0, 32).equals(hash) ? got.subarray(32) : undefined;
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(code, { filename: file, cachedData });
  compiled.push({ script, cacheFile, hash, write: cachedData === undefined || script.cachedDataRejected === true });
  return script;
}

/**
 * The validators compiled at build time (dist/src/**\/*.cjs, ~250 KiB each, loaded with require by
 * the status reader and the manifest loader) compiled with a code cache too: their one large
 * function took 15-30 ms to compile on every command that reads status.json (docs/performance.md,
 * session 8). Other files load as Node loads them.
 */
function cacheValidators(src: string, compiled: Compiled[]): void {
  const M = Module as unknown as { prototype: { _compile(this: Module, content: string, filename: string): unknown }; wrap(code: string): string };
  const original = M.prototype._compile;
  M.prototype._compile = function (content, filename) {
    if (!filename.endsWith('.cjs') || !filename.startsWith(src + path.sep)) return original.call(this, content, filename);
    const fn = compile(M.wrap(content), filename, compiled).runInThisContext() as (...a: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, createRequire(filename), this, filename, path.dirname(filename));
  };
}

function saveCache(file: string, hash: Buffer, script: vm.Script): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([hash, script.createCachedData()]), { flag: 'wx' });
    renameSync(tmp, file);
  } catch {
    // Read-only install, or another vaictl wrote it first: the next run tries again.
  }
}
