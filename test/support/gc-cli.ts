/**
 * The built binary under `node --expose-gc --import force-gc.mjs`, so anything held only weakly (an
 * AbortSignal.timeout inside AbortSignal.any on Node 20, nodejs/node#57736) is collected at once; with
 * the child at hand, so a test can signal it mid-command and time its end.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { packageRoot } from '../../src/core/util/package-root.js';
import { BIN, type CliResult, cliEnv } from './cli.js';

export const FORCE_GC = pathToFileURL(join(packageRoot(), 'test', 'support', 'force-gc.mjs')).href;

export interface GcRun {
  child: ResultPromise;
  /** performance.now() at the spawn. */
  startedAt: number;
  /** The result, and performance.now() when the process ended. */
  done: Promise<CliResult & { endedAt: number }>;
}

export function spawnUnderGc(args: string[], options: { cwd: string; env?: Record<string, string> }): GcRun {
  const startedAt = performance.now();
  const child = execa('node', ['--expose-gc', '--import', FORCE_GC, BIN, ...args], {
    cwd: options.cwd,
    reject: false,
    input: '',
    env: cliEnv(options.cwd, options.env),
    extendEnv: true,
  });
  const done = child.then((r) => ({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), endedAt: performance.now() }));
  return { child, startedAt, done };
}
