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
    // An isolated user config and cache, no colour, and CI so that nothing ever prompts.
    env: {
      XDG_CONFIG_HOME: join(options.cwd, '.no-user-config'),
      XDG_CACHE_HOME: join(options.cwd, '.no-user-cache'),
      NO_COLOR: '1',
      CI: 'true',
      AGENTCTL_TEAM: '',
      ...options.env,
    },
    extendEnv: true,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
