// Contexts: the hosts of a fleet, named, in ~/.config/vai/config.yaml (VAI_CONFIG names another
// file), as kubectl keeps clusters in ~/.kube/config. Each context is a vaid endpoint (its
// --listen URL) and the file holding its read token; `current-context` is the one read commands
// use when no --context, --server or --state-dir says otherwise.
//
//   current-context: vps1
//   contexts:
//     - name: vps1
//       server: http://vps1:9753
//       token-file: ~/.config/vai/vps1.token
//       write-token-file: ~/.config/vai/vps1.write-token   # restart/stop/start over the endpoint
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VaiError } from '../errors.js';

export interface Context {
  name: string;
  server: string;
  'token-file'?: string;
  'write-token-file'?: string;
}

export interface VaiConfig {
  file: string;
  current: string | null;
  contexts: Context[];
}

const KEYS = new Set(['name', 'server', 'token-file', 'write-token-file']);

export function configFile(env: NodeJS.ProcessEnv): string {
  if (env.VAI_CONFIG) return path.resolve(env.VAI_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'vai', 'config.yaml');
}

/** The config; an absent file is an empty config. Problems name the file, line, column and field. */
export async function readConfig(env: NodeJS.ProcessEnv): Promise<VaiConfig> {
  const file = configFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { file, current: null, contexts: [] };
    throw new VaiError('VAI_E_CONFIG', `cannot read ${file}: ${(e as Error).message}`);
  }
  const { LineCounter, parseDocument, isMap, isSeq, isScalar } = await import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (node: { range?: [number, number, number?] | null } | null | undefined): string => {
    const p = lines.linePos(node?.range?.[0] ?? 0);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const p = lines.linePos(e.pos[0]);
    throw new VaiError('VAI_E_CONFIG', `${file}:${p.line}:${p.col}: ${e.message.split('\n')[0]}`);
  }
  const bad = (node: unknown, field: string, what: string): VaiError => new VaiError('VAI_E_CONFIG', `${at(node as never)}: ${field}: ${what}`);
  const root = doc.contents;
  if (root === null) return { file, current: null, contexts: [] };
  if (!isMap(root)) throw bad(root, '(document)', 'expected a mapping with contexts and current-context');
  let current: string | null = null;
  const contexts: Context[] = [];
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === 'current-context') {
      if (!isScalar(pair.value) || (pair.value.value !== null && typeof pair.value.value !== 'string')) throw bad(pair.value, 'current-context', 'expected a context name');
      current = (pair.value.value as string | null) ?? null;
    } else if (key === 'contexts') {
      if (pair.value === null) continue;
      if (!isSeq(pair.value)) throw bad(pair.value, 'contexts', 'expected a list of {name, server, token-file}');
      pair.value.items.forEach((item, i) => {
        if (!isMap(item)) throw bad(item, `contexts[${i}]`, 'expected a mapping with name and server');
        const c: Record<string, string> = {};
        for (const f of item.items) {
          const k = isScalar(f.key) ? String(f.key.value) : '';
          if (!KEYS.has(k)) throw bad(f.key, `contexts[${i}].${k}`, `unknown field; use ${[...KEYS].join(', ')}`);
          if (!isScalar(f.value) || typeof f.value.value !== 'string' || f.value.value === '') throw bad(f.value ?? item, `contexts[${i}].${k}`, 'expected a non-empty string');
          c[k] = f.value.value;
        }
        for (const need of ['name', 'server']) if (!c[need]) throw bad(item, `contexts[${i}].${need}`, 'missing');
        if (!/^https?:\/\//.test(c.server!)) throw bad(item, `contexts[${i}].server`, `"${c.server}" is not an http:// or https:// URL (vaid's --listen endpoint)`);
        if (contexts.some((x) => x.name === c.name)) throw bad(item, `contexts[${i}].name`, `"${c.name}" is defined twice`);
        contexts.push(c as unknown as Context);
      });
    } else {
      throw bad(pair.key, key || '(key)', 'unknown field; use current-context and contexts');
    }
  }
  return { file, current, contexts };
}

export function findContext(config: VaiConfig, name: string): Context {
  const c = config.contexts.find((x) => x.name === name);
  if (!c) {
    const known = config.contexts.map((x) => x.name);
    throw new VaiError('VAI_E_USAGE', `no context "${name}" in ${config.file}${known.length ? ` (contexts: ${known.join(', ')})` : '; add one: vaictl config set-context NAME --server URL'}`);
  }
  return c;
}

/** A token file's contents, `~/` expanded; undefined when the context names none. */
export function contextToken(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (!file) return undefined;
  const p = file.startsWith('~/') ? path.join(env.HOME || os.homedir(), file.slice(2)) : file;
  try {
    return readFileSync(p, 'utf8').trim();
  } catch (e) {
    throw new VaiError('VAI_E_CONFIG', `cannot read the token file ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Writes the config atomically (temp + rename), mode 0600: it names token files. */
export async function writeConfig(config: VaiConfig): Promise<void> {
  const { stringify } = await import('yaml');
  const body = stringify({ ...(config.current ? { 'current-context': config.current } : {}), contexts: config.contexts }, { lineWidth: 0 });
  mkdirSync(path.dirname(config.file), { recursive: true, mode: 0o700 });
  const tmp = `${config.file}.${process.pid}.tmp`;
  writeFileSync(tmp, `# vai contexts (vaictl config). Hosts of the fleet: name, server, token-file.\n${body}`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, config.file);
}
