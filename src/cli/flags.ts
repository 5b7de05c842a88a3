// A vaictl command's flags as data: parsing (parseArgs options), the "Flags:" section of its
// help and its shell completion are all derived from one list, so a flag cannot be accepted,
// documented or completed in one place only. Loaded by every command (get included): it imports
// node:util only.
import { parseArgs } from 'node:util';

export interface Flag {
  /** The long name, without the dashes. */
  readonly name: string;
  /** One letter: -o for --output. */
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  /** The value's placeholder in help (FORMAT, D, SEL); string flags only. */
  readonly value?: string;
  /** Help text; a newline starts a continuation line, aligned under the first. */
  readonly help: string;
  /** May be given more than once; the values come as a list. */
  readonly multiple?: boolean;
  /** What completion offers for the value: directories, files or these words. Nothing by default. */
  readonly complete?: 'dir' | 'file' | readonly string[];
}

type FlagValue<F extends Flag> = F['type'] extends 'boolean' ? boolean : F['multiple'] extends true ? string[] : string;

/** The values parseArgs returns for these flags, keyed by long name. */
export type FlagValues<F extends readonly Flag[]> = { [K in F[number] as K['name']]?: FlagValue<K> };

export const MANIFESTS = { name: 'manifests', type: 'string', value: 'DIR', help: 'the manifests dir (or VAI_MANIFESTS; default ./manifests)', complete: 'dir' } as const satisfies Flag;
export const STATE_DIR = { name: 'state-dir', type: 'string', value: 'DIR', help: "vaid's state dir (or VAI_STATE_DIR; default ./.vai)", complete: 'dir' } as const satisfies Flag;
export const MARKER_DIR = { name: 'marker-dir', type: 'string', value: 'DIR', help: 'the manual-stop markers (or VAI_MARKER_DIR; default STATE_DIR/manual-stop)', complete: 'dir' } as const satisfies Flag;
/** The state-dir layout's flags (status/state-dir/layout.ts): every command that reads paths accepts them all. */
export const PATH_FLAGS = [MANIFESTS, STATE_DIR, MARKER_DIR] as const;

/** Read another host's status (the edge, vaictl-remote.ts, takes these out of argv for get, describe and events). */
export const CONTEXT = { name: 'context', type: 'string', value: 'NAME', help: "read another host's status (vaictl config get-contexts)" } as const satisfies Flag;
export const SERVER = { name: 'server', type: 'string', value: 'URL', help: "read the status of the vaid at URL (its read token in VAI_WEB_TOKEN_FILE or VAI_WEB_TOKEN)" } as const satisfies Flag;
/** stop, start and restart act on the other host, with its write token. */
export const CONTEXT_ACT = { ...CONTEXT, help: 'act on that host of ~/.config/vai/config.yaml, with its write-token-file' } as const satisfies Flag;
export const SERVER_ACT = { ...SERVER, help: 'act on the vaid at URL (its write token in VAI_WEB_WRITE_TOKEN_FILE)' } as const satisfies Flag;

export const SELECTOR = { name: 'selector', short: 'l', type: 'string', value: 'SEL', help: 'only services whose labels match, e.g. -l tier=db,env!=dev' } as const satisfies Flag;

/** -o, --output with this command's help and formats (what completion offers). */
export function outputFlag(help: string, formats: readonly string[]) {
  return { name: 'output', short: 'o', type: 'string', value: 'FORMAT', help, complete: formats } as const satisfies Flag;
}

/**
 * Parses argv against exactly these flags (strict: an unknown flag is a usage error, which the
 * edge prints with the command's help). Positionals are allowed; the command checks their count.
 */
export function parseFlags<F extends readonly Flag[]>(argv: readonly string[], flags: F): { values: FlagValues<F>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const f of flags) options[f.name] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) };
  const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  return { values: values as FlagValues<F>, positionals };
}

/** The command's flags and every path flag it does not declare itself (a command's own, e.g. with its own help, wins). */
export function withPathFlags<F extends readonly Flag[]>(flags: F): readonly [...F, ...typeof PATH_FLAGS] {
  const own = new Set(flags.map((f) => f.name));
  return [...flags, ...PATH_FLAGS.filter((f) => !own.has(f.name))] as unknown as readonly [...F, ...typeof PATH_FLAGS];
}

/** A flag's left column: "-o, --output FORMAT", or "    --since D" beside flags with a short form. */
function left(f: Flag, shorts: boolean): string {
  const long = `--${f.name}${f.type === 'string' && f.value ? ` ${f.value}` : ''}`;
  if (f.short) return `-${f.short}, ${long}`;
  return shorts ? `    ${long}` : long;
}

/** Wider left columns than this run past the help column instead of pushing it right for all. */
const MAX_COLUMN = 24;

/** The "Flags:" lines, aligned as kubectl's: two spaces, the flag, the help in one column. */
export function renderFlags(flags: readonly Flag[]): string {
  const shorts = flags.some((f) => f.short);
  const lefts = flags.map((f) => `  ${left(f, shorts)}`);
  const column = Math.max(0, ...lefts.filter((l) => l.length <= MAX_COLUMN).map((l) => l.length)) + 3;
  return flags
    .map((f, i) => {
      const l = lefts[i]!;
      const [first, ...rest] = f.help.split('\n');
      const head = l.length < column - 1 ? `${l.padEnd(column)}${first}` : `${l}  ${first}`;
      return [head, ...rest.map((r) => `${' '.repeat(column)}${r}`)].join('\n');
    })
    .join('\n');
}

/** What `vaictl help NAME` and a usage error print: the usage, the flags, then the rest. */
export function helpText(c: { usage: string; flags: readonly Flag[]; epilog?: string | undefined }): string {
  const parts = [c.usage];
  if (c.flags.length) parts.push(`Flags:\n${renderFlags(c.flags)}`);
  if (c.epilog) parts.push(c.epilog);
  return parts.join('\n\n');
}
