// A vaictl command is a plain object; vaictl.ts dispatches on its name. Commands return an
// exit code and never call process.exit: the edge (vaictl.ts) does, after output is flushed.
import type { Writable } from 'node:stream';
import type { StatusSource } from '../status/reader.js';
import type { Flag } from './flags.js';

export interface CommandContext {
  /** Arguments after the command name. */
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  /** stdout is a terminal (colour, watch redraws); NO_COLOR still wins. */
  isTTY: boolean;
  cwd: string;
  /** Set by the edge for --server/--context: the document is another host's. Else the state dir. */
  status?: StatusSource | undefined;
  /** Every command, for those that list them (completion, help); the edge supplies it, so no command module imports the list that imports it. */
  commands?: () => Promise<readonly Command[]>;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The usage line and what the command does; `vaictl help NAME` and usage errors print it, then the flags, then the epilog (flags.ts helpText). */
  usage: string;
  /** Every flag the command takes: its parsing, its help's "Flags:" section and its completion come from this list. */
  flags: readonly Flag[];
  /** After the flags: exit codes, examples. */
  epilog?: string;
  /** What its positional arguments are, for completion: service names, or these words. */
  operands?: 'services' | readonly string[];
  /**
   * With --server/--context: 'status' = the edge (vaictl-remote.ts) fetches that host's status
   * document and hands it in as ctx.status; 'own' = the command takes the flags itself (it asks
   * the endpoint for more than the document). Unset: the command acts on this host only.
   */
  remote?: 'status' | 'own';
  run(ctx: CommandContext): Promise<number>;
}

/** Exit codes, documented in README "vaictl exit codes". */
export const EXIT = {
  OK: 0,
  /** The command ran and found a problem (invalid manifests, unhealthy service after --once). */
  FAILED: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  /** No status file or vaid not running. */
  NO_DAEMON: 4,
} as const;
