/**
 * The real binary run with ./builtin-cache-probe.cjs preloaded: which of Node's built-in modules it compiled from
 * source (not from Node's embedded code cache), and each V8 flag it set, when, and what had been compiled from
 * source by then.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { BIN, type CliResult, cliEnv } from './cli.js';

export interface BuiltinCacheProbe {
  flags: { flag: string; at: number; fromSourceBefore: string[] }[];
  fromSource: string[];
  withCache: string[];
}

const PRELOAD = fileURLToPath(new URL('./builtin-cache-probe.cjs', import.meta.url));

let probes = 0;

export async function agentctlProbed(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult & { probe: BuiltinCacheProbe }> {
  const file = join(options.cwd, `builtin-cache-probe-${process.pid}-${probes++}.json`);
  const result = await execa('node', ['--expose-internals', '--no-warnings', '--require', PRELOAD, BIN, ...args], {
    cwd: options.cwd,
    reject: false,
    input: '',
    env: cliEnv(options.cwd, { ...options.env, BUILTIN_CACHE_PROBE: file }),
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    probe: JSON.parse(readFileSync(file, 'utf8')) as BuiltinCacheProbe,
  };
}
