// vaictl completion bash|zsh: completion scripts for commands, flags and service names. Names
// come from `vaictl get -o name` at completion time, so they follow the live status (and
// honour VAI_STATE_DIR or a --state-dir already typed on the line).
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { parse, usageError } from '../command-support.js';

const NAME_COMMANDS = ['get', 'describe', 'events', 'history', 'logs', 'stop', 'start', 'restart', 'heartbeat', 'plan', 'wait', 'silence'];
const COMMON_FLAGS = ['--manifests', '--state-dir', '--marker-dir'];
const FLAGS: Record<string, string[]> = {
  get: ['-o', '--output', '-l', '--selector', '-w', '--watch', '--no-headers', '--field-selector', '--sort-by', '-A', '--all-contexts', '--context', '--request-timeout'],
  events: ['-o', '--output', '--types', '--context'],
  history: ['-o', '--output', '--since'],
  report: ['-o', '--output', '--since'],
  logs: ['-n', '--tail', '-f', '--follow', '--since', '--grep'],
  stop: ['--now'],
  silence: ['--for', '--reason', '-l', '--selector', '-o', '--output'],
  wait: ['--for', '--timeout'],
  diff: ['--ref'],
  suspend: ['--reason'],
  rollout: ['--to-revision', '-o'],
  plan: ['-o', '--output'],
  describe: ['-o', '--output', '--context'],
  heartbeat: ['--fail', '--message'],
};
const OUTPUTS = 'table wide json yaml name';

export function bashScript(commands: readonly string[]): string {
  const flagCases = Object.entries(FLAGS)
    .map(([c, f]) => `    ${c}) flags="${[...f, ...COMMON_FLAGS].join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for vaictl. Load with: source <(vaictl completion bash)
_vaictl_state_dir_args() {
  local i
  for ((i = 1; i < \${#COMP_WORDS[@]} - 1; i++)); do
    case "\${COMP_WORDS[i]}" in
      --state-dir|--manifests|--marker-dir) printf '%s %s ' "\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}" ;;
    esac
  done
}
_vaictl() {
  local cur prev cmd flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ \${COMP_CWORD} -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${commands.join(' ')} help version" -- "$cur"))
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$prev" in
    -o|--output) COMPREPLY=($(compgen -W "${OUTPUTS}" -- "$cur")); return ;;
    --state-dir|--manifests|--marker-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    -n|--tail|-l|--selector|--types) return ;;
  esac
  case "$cmd" in
${flagCases}
    *) flags="${COMMON_FLAGS.join(' ')}" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return
  fi
  case "$cmd" in
    ${NAME_COMMANDS.join('|')})
      local names
      names=$(vaictl get -o name $(_vaictl_state_dir_args) 2>/dev/null | sed 's#^service/##')
      COMPREPLY=($(compgen -W "$names" -- "$cur")) ;;
    help) COMPREPLY=($(compgen -W "${commands.join(' ')}" -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")) ;;
  esac
}
complete -F _vaictl vaictl
`;
}

export function zshScript(commands: readonly string[]): string {
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
  async run(ctx) {
    const { positionals } = parse(ctx, {});
    const shell = positionals[0];
    // The list comes from the edge (vaictl-main.ts): index.js imports this module.
    if (!ctx.commands) throw new Error('completion needs the command list from the CLI edge');
    const names = (await ctx.commands()).map((c) => c.name);
    if (shell === 'bash') ctx.stdout.write(bashScript(names));
    else if (shell === 'zsh') ctx.stdout.write(zshScript(names));
    else throw usageError(shell === undefined ? 'name a shell: bash or zsh' : `no completion for "${shell}"; use bash or zsh`);
    return EXIT.OK;
  },
};
