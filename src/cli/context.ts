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
  return {
    cwd: globals.cwd ?? process.cwd(),
    flags: { team: globals.team, user: globals.user },
    env,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && !ci,
    stdout: process.stdout,
    stderr: process.stderr,
  };
}
