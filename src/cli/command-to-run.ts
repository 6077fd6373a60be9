/** Which command argv runs, so that program.ts can build only that one (see buildProgram). */
import type { Command } from 'commander';

/** Root options that take a value: skipped to find the command's name. */
export const ROOT_VALUE_OPTIONS = new Set(['-C', '--cwd', '--team', '--user']);
/** Commands that read the whole tree (help, completion) or print it: always built with all of it. */
const NEEDS_TREE = new Set(['help', '__complete', 'completion']);

/** The command `argv` runs, when it is safe to build only that one; undefined means build everything. */
export function commandToRun(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (ROOT_VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (/^(?:--(?:cwd|team|user)=|-C.)/.test(arg)) continue;
    // --help, --version, --, an unknown option: commander's answer may need every command.
    if (arg.startsWith('-')) return undefined;
    return NEEDS_TREE.has(arg) ? undefined : arg;
  }
  return undefined;
}

/**
 * Until the tree is built, `program.command(…)` builds only the command named `only`; every other call
 * returns a stand-in that accepts every builder call (options, subcommands, actions) and keeps nothing.
 */
export function buildOnly(program: Command, only: string): void {
  const skipped: Command = new Proxy({} as Command, { get: () => () => skipped });
  const build = program.command.bind(program) as (nameAndArgs: string, opts?: object) => Command;
  (program as { command: unknown }).command = (nameAndArgs: string, opts?: object) =>
    nameAndArgs.split(' ', 1)[0] === only ? build(nameAndArgs, opts) : skipped;
}
