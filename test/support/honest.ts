/** Shared by the "honest runs" e2e tests: a workspace on the fake gateway, the binary under forced GC, raw registry reads. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa, type ResultPromise } from 'execa';
import { agentctl, BIN, cliEnv } from './cli.js';

export { cliEnv };

import { tempDir, writeFile } from './workspace.js';

export const FORCE_GC = join(import.meta.dirname, 'force-gc.mjs');

/**
 * A `basic` workspace (agent triage, tool triage-lookup) pointed at `gatewayUrl`, offline (cassette) unless
 * a command asks for `--provider openai`. `gatewayYaml` is added under `gateway:`; `edit` rewrites agent.yaml.
 */
export async function basicWorkspace(gatewayUrl: string, options: { gatewayYaml?: string; edit?: (agentYaml: string) => string } = {}): Promise<string> {
  const cwd = tempDir();
  const init = await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa', '--gateway', gatewayUrl], { cwd });
  if (init.exitCode !== 0) throw new Error(`init failed: ${init.stderr}`);
  const config = readFileSync(join(cwd, '.agentctl/config.yaml'), 'utf8')
    .replace('provider: openai', 'provider: cassette')
    .replace('  apiKeyEnv: AGENTCTL_GATEWAY_KEY\n', `  apiKeyEnv: AGENTCTL_GATEWAY_KEY\n${options.gatewayYaml ?? ''}`);
  writeFile(cwd, '.agentctl/config.yaml', config);
  if (options.edit) writeFile(cwd, 'agents/triage/agent.yaml', options.edit(readFileSync(join(cwd, 'agents/triage/agent.yaml'), 'utf8')));
  return cwd;
}

/** Replaces the `budget:` line of agent.yaml. */
export const withBudget = (budget: string) => (yaml: string) => yaml.replace(/ {2}budget: .*\n/, `  budget: ${budget}\n`);

/** Replaces the `fallback:` block of agent.yaml (empty: no fallback, so a failed model call fails the run). */
export const withFallback = (block: string) => (yaml: string) => yaml.replace(/ {2}fallback:\n(?: {4}.*\n)+/, block);

export function writeSamples(cwd: string, samples: string): void {
  writeFile(cwd, 'agents/triage/evals/samples.yaml', `samples:\n${samples}`);
}

/** The binary with GC forced every 20 ms (a timer held only weakly would be lost at once). */
export function spawnUnderGc(cwd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): ResultPromise<{ reject: false }> {
  return execa('node', ['--expose-gc', '--import', FORCE_GC, BIN, ...args], {
    cwd,
    reject: false,
    timeout: timeoutMs,
    env: cliEnv(cwd, env),
  }) as unknown as ResultPromise<{ reject: false }>;
}

/** Reads the registry with a plain SQLite client, as another tool would. */
export function query<T>(cwd: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(cwd, '.agentctl/registry.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Every byte of the registry on disk (the database, its WAL and shared memory), as text to search. */
export function registryBytes(cwd: string): string {
  const base = join(cwd, '.agentctl/registry.db');
  return ['', '-wal', '-shm'].map((suffix) => (existsSync(base + suffix) ? readFileSync(base + suffix).toString('latin1') : '')).join('\n');
}

/** Resolves once `pattern` has appeared on the child's stderr. */
export async function stderrShows(child: ResultPromise, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  let seen = '';
  child.stderr?.on('data', (d) => {
    seen += d;
  });
  const until = Date.now() + timeoutMs;
  while (!pattern.test(seen)) {
    if (Date.now() > until) throw new Error(`stderr never showed ${pattern}: ${seen.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves once `sql` (a count, as column n) reaches `atLeast`: progress seen in the store, not on stderr. */
export async function storeShows(cwd: string, sql: string, atLeast: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const [row] = query<{ n: number }>(cwd, sql);
      if ((row?.n ?? 0) >= atLeast) return;
    } catch {
      // the database or its tables are not there yet
    }
    if (Date.now() > until) throw new Error(`the store never showed ${atLeast} for ${sql}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
