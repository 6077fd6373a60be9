/** What every command receives: where it runs, global flags, and how to talk to the user. */
import type { ConfigFlags } from '../core/workspace/config.js';

export interface CliContext {
  cwd: string;
  flags: ConfigFlags;
  env: NodeJS.ProcessEnv;
  /** Interactive: stdin and stdout are terminals and this is not CI. Prompts and Ink only then. */
  interactive: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface GlobalOptions {
  cwd?: string;
  team?: string;
  user?: string;
}

export function createContext(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): CliContext {
  const ci = Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
  let interactive: boolean | undefined;
  return {
    cwd: globals.cwd ?? process.cwd(),
    flags: { team: globals.team, user: globals.user },
    env,
    // Asked on first use: reading process.stdin builds its stream (a socket for a pipe, a file stream opened
    // on the thread pool for a file), which commands that never prompt (list --json) should not pay for.
    get interactive() {
      interactive ??= Boolean(process.stdin.isTTY && process.stdout.isTTY) && !ci;
      return interactive;
    },
    stdout: process.stdout,
    stderr: process.stderr,
  };
}
