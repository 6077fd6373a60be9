/** Runs the real built binary, as a user would, and returns stdout, stderr and the exit code apart. */
import { join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../../src/core/util/package-root.js';

export const BIN = join(packageRoot(), 'bin', 'agentctl.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function agentctl(args: string[], options: { cwd: string; env?: Record<string, string>; input?: string }): Promise<CliResult> {
  const result = await execa('node', [BIN, ...args], {
    cwd: options.cwd,
    reject: false,
    input: options.input ?? '',
    env: cliEnv(options.cwd, options.env),
    extendEnv: true,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The environment every spawned binary gets: an isolated user config and cache, no colour, and CI so that nothing ever prompts. */
export function cliEnv(cwd: string, extra: Record<string, string> = {}): Record<string, string> {
  return { XDG_CONFIG_HOME: join(cwd, '.no-user-config'), XDG_CACHE_HOME: join(cwd, '.no-user-cache'), NO_COLOR: '1', CI: 'true', AGENTCTL_TEAM: '', ...extra };
}
