// vaictl completion bash|zsh: completion scripts for commands, flags and service names, all
// derived from the commands' data (their flags, what their operands are): a new command or flag
// completes with no edit here. Names come from `vaictl get -o name` at completion time, so they
// follow the live status (and honour VAI_STATE_DIR or a --state-dir already typed on the line).
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { parse, usageError } from '../command-support.js';
import { PATH_FLAGS, type Flag } from '../flags.js';

/** How a flag is typed on the line: -o and --output. */
function spellings(f: Flag): string[] {
  return f.short ? [`-${f.short}`, `--${f.name}`] : [`--${f.name}`];
}

/** What completes after a string flag: its directories, files or words; nothing for a free value (no names: it is the flag's). */
function valueReply(f: Flag): string {
  if (f.complete === 'dir') return 'COMPREPLY=($(compgen -d -- "$cur")); ';
  if (f.complete === 'file') return 'COMPREPLY=($(compgen -f -- "$cur")); ';
  if (f.complete) return `COMPREPLY=($(compgen -W "${f.complete.join(' ')}" -- "$cur")); `;
  return '';
}

/** One command's branch: its flags, the values after its string flags, its operands. */
function commandCase(c: Command): string {
  const lines = [`    ${c.name})`, `      flags="${c.flags.flatMap(spellings).join(' ')}"`];
  // Flags whose values complete alike share one pattern: -l|--selector|--since) return ;;
  const byReply = new Map<string, string[]>();
  for (const f of c.flags.filter((f) => f.type === 'string')) byReply.set(valueReply(f), [...(byReply.get(valueReply(f)) ?? []), ...spellings(f)]);
  const values = [...byReply].map(([reply, words]) => `        ${words.join('|')}) ${reply}return ;;`);
  if (values.length) lines.push('      case "$prev" in', ...values, '      esac');
  if (c.operands === 'services') lines.push('      services=1');
  else if (c.operands) lines.push(`      words="${c.operands.join(' ')}"`);
  lines.push('      ;;');
  return lines.join('\n');
}

export function bashScript(commands: readonly Command[]): string {
  const names = commands.map((c) => c.name).join(' ');
  const pathFlags = PATH_FLAGS.map((f) => `--${f.name}`).join('|');
  return `# bash completion for vaictl. Load with: source <(vaictl completion bash)
_vaictl_state_dir_args() {
  local i
  for ((i = 1; i < \${#COMP_WORDS[@]} - 1; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${pathFlags}) printf '%s %s ' "\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}" ;;
    esac
  done
}
_vaictl() {
  local cur prev cmd flags="" words="" services=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ \${COMP_CWORD} -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${names} help version" -- "$cur"))
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$cmd" in
${commands.map(commandCase).join('\n')}
    help) words="${names}" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -n "$services" ]]; then
    local list
    list=$(vaictl get -o name $(_vaictl_state_dir_args) 2>/dev/null | sed 's#^service/##')
    COMPREPLY=($(compgen -W "$list" -- "$cur"))
  elif [[ -n "$words" ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -F _vaictl vaictl
`;
}

export function zshScript(commands: readonly Command[]): string {
  // zsh runs the bash function through bashcompinit: one script to keep right, not two.
  return `#compdef vaictl
# zsh completion for vaictl. Load with: source <(vaictl completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(commands).replace(/^# bash completion.*\n/, '')}`;
}

export const completionCommand: Command = {
  name: 'completion',
  summary: 'Print a shell completion script (bash or zsh)',
  usage: `Usage: vaictl completion bash|zsh

Completes commands, flags, -o formats and service names (from "vaictl get -o name").

  source <(vaictl completion bash)      # in ~/.bashrc
  source <(vaictl completion zsh)       # in ~/.zshrc`,
  flags: [],
  operands: ['bash', 'zsh'],
  async run(ctx) {
    const { positionals } = parse(ctx, []);
    const shell = positionals[0];
    // The list comes from the edge (vaictl-main.ts): index.js imports this module.
    if (!ctx.commands) throw new Error('completion needs the command list from the CLI edge');
    const commands = await ctx.commands();
    if (shell === 'bash') ctx.stdout.write(bashScript(commands));
    else if (shell === 'zsh') ctx.stdout.write(zshScript(commands));
    else throw usageError(shell === undefined ? 'name a shell: bash or zsh' : `no completion for "${shell}"; use bash or zsh`);
    return EXIT.OK;
  },
};
