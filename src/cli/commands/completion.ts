/**
 * `completion bash|zsh|fish` prints a script; the script asks `agentctl __complete -- <words…>` for the
 * candidates. Commands and options come from the commander tree at runtime (never a list kept by hand);
 * values (agents, versions, stage refs, remotes, runs) from the workspace, read-only. `__complete` loads
 * no Ink and never fails: outside a workspace, or on any error, it prints what it has and exits 0.
 */
import type { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { printText } from '../present/output.js';
import { workspaceValues } from './completion-values.js';

const BASH = `# agentctl completion for bash: source <(agentctl completion bash)
_agentctl_complete() {
  local IFS=$'\\n'
  COMPREPLY=($(agentctl __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _agentctl_complete agentctl
`;

const ZSH = `#compdef agentctl
# agentctl completion for zsh: source <(agentctl completion zsh)  (after compinit)
_agentctl() {
  local -a candidates
  candidates=("\${(@f)$(agentctl __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ -n "\${candidates[*]}" ]]; then
    compadd -Q -- "\${candidates[@]}"
  else
    _files
  fi
}
if (( \${+functions[compdef]} )); then compdef _agentctl agentctl; fi
`;

const FISH = `# agentctl completion for fish: agentctl completion fish | source
function __agentctl_complete
    set -l words (commandline -opc) (commandline -ct)
    agentctl __complete -- $words[2..-1] 2>/dev/null
end
complete -c agentctl -f -a '(__agentctl_complete)'
`;

export const COMPLETION_SCRIPTS = { bash: BASH, zsh: ZSH, fish: FISH } as const;

export async function completionCommand(ctx: CliContext, shell: string): Promise<number> {
  const script = COMPLETION_SCRIPTS[shell as keyof typeof COMPLETION_SCRIPTS];
  if (!script) throw new UsageError(`no completion for the shell "${shell}"`, { fix: 'agentctl completion bash (or zsh, or fish)' });
  printText(ctx, script);
  return 0;
}

/** What a positional argument, or an option's value, completes to. */
type ValueKind = 'agent' | 'ref' | 'run' | 'remote' | 'shell' | 'none';

/** Options whose values come from the workspace (commander knows their choices otherwise). */
const OPTION_VALUES: Record<string, ValueKind> = { '--remote': 'remote', '--from-run': 'run', '--agent': 'agent', '--name': 'agent' };

/** Positional arguments by name; the few whose meaning depends on the command are keyed `command:arg`. */
const ARGUMENT_VALUES: Record<string, ValueKind> = {
  agent: 'agent',
  ref: 'ref',
  from: 'ref',
  to: 'ref',
  runId: 'run',
  remote: 'remote',
  shell: 'shell',
  'remote rm:name': 'remote',
  'remote ls:name': 'remote',
  'remote ls:agent': 'agent',
};

/**
 * The candidates for the last of `words` (the words after `agentctl`, the last one being completed,
 * possibly empty), one a line. Prints nothing when it has nothing to offer.
 */
export function completeCommand(program: Command, words: string[], cwd = process.cwd()): number {
  try {
    const candidates = complete(program, words, cwd);
    if (candidates.length) process.stdout.write(`${candidates.join('\n')}\n`);
  } catch {
    // Completion never breaks the shell: no candidates.
  }
  return 0;
}

export function complete(program: Command, words: readonly string[], cwd: string): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  let command = program;
  const path: string[] = [];
  let positional = 0;
  let pendingOption: Option | undefined;
  let dir = cwd;
  for (let i = 0; i < before.length; i++) {
    const word = before[i] as string;
    if (pendingOption) {
      if (pendingOption.long === '--cwd') dir = word;
      pendingOption = undefined;
      continue;
    }
    if (word.startsWith('-')) {
      const option = findOption(command, word.split('=')[0] as string);
      if (option && (option.required || option.optional) && !word.includes('=')) pendingOption = option;
      continue;
    }
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub && positional === 0) {
      command = sub;
      path.push(sub.name());
      continue;
    }
    positional++;
  }
  const matching = (values: Iterable<string>) => [...new Set(values)].filter((v) => v.startsWith(current));
  if (pendingOption) {
    if (pendingOption.argChoices) return matching(pendingOption.argChoices);
    return matching(values(OPTION_VALUES[pendingOption.long ?? ''] ?? 'none', dir));
  }
  if (current.startsWith('-')) return matching(optionsOf(command));
  const subcommands = command.commands.filter((c) => !c.name().startsWith('__') && c.name() !== 'help');
  if (subcommands.length && positional === 0) return matching(subcommands.map((c) => c.name()));
  const args = command.registeredArguments;
  const arg = args[Math.min(positional, args.length - 1)];
  if (!arg || (positional >= args.length && !arg.variadic)) return [];
  const kind = ARGUMENT_VALUES[`${path.join(' ')}:${arg.name()}`] ?? ARGUMENT_VALUES[arg.name()] ?? 'none';
  return matching(values(kind, dir));
}

function values(kind: ValueKind, cwd: string): string[] {
  if (kind === 'none') return [];
  if (kind === 'shell') return Object.keys(COMPLETION_SCRIPTS);
  const found = workspaceValues(cwd);
  if (!found) return [];
  switch (kind) {
    case 'agent':
      return found.agents;
    case 'ref':
      return [...found.agents, ...found.versions, ...found.stageRefs];
    case 'run':
      return ['last', ...found.runs];
    case 'remote':
      return found.remotes;
  }
}

function findOption(command: Command, flag: string): Option | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const option = c.options.find((o) => o.long === flag || o.short === flag);
    if (option) return option;
  }
  return undefined;
}

/** The command's visible long options (the global ones are hidden copies on every command). */
function optionsOf(command: Command): string[] {
  const own = command.options.filter((o) => !o.hidden && o.long).map((o) => o.long as string);
  return [...own, '--help', '--cwd', '--team', '--user'];
}
