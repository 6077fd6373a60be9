/**
 * A reader that goes away (`| head`) through the built binary: the command stops writing, finishes, and exits with
 * its own code — not 1 with "internal error … a bug in agentctl", nor a crash on an unhandled 'error' event.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../support/cli.js';
import { tempDir, writeFile } from '../support/workspace.js';

/** An echo agent whose N samples pass offline, except `failing` ones, which assert what the echo never says. */
function echoWorkspace(samples: number, failing = 0): string {
  const cwd = tempDir();
  writeFile(cwd, '.agentctl/config.yaml', 'team: team-qa\n');
  writeFile(
    cwd,
    'agents/echo/agent.yaml',
    'apiVersion: agentctl/v1\nkind: Agent\nmetadata: { name: echo, version: 1.0.0, owner: team-qa }\nspec:\n  model: { ref: echo }\n  prompt: { ref: prompts/system.md }\n  evals: { dataset: evals/samples.jsonl, gate: { minPassRate: 1 } }\n',
  );
  writeFile(cwd, 'agents/echo/prompts/system.md', 'Repeat the question.\n');
  const lines = Array.from({ length: samples }, (_, i) =>
    JSON.stringify({ id: `s${i}`, input: `question number ${i}`, assert: [{ type: 'contains', value: i < failing ? 'never said' : `number ${i}` }] }),
  );
  writeFile(cwd, 'agents/echo/evals/samples.jsonl', `${lines.join('\n')}\n`);
  return cwd;
}

/**
 * Runs the binary and closes `closed` (its stdout or stderr) as soon as the first bytes arrive, as `head -c 1`
 * would; returns the exit code and what came on the other stream.
 */
function withReaderGone(args: string[], cwd: string, closed: 'stdout' | 'stderr'): Promise<{ code: number | null; other: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...cliEnv(cwd) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const open = closed === 'stdout' ? child.stderr : child.stdout;
  let other = '';
  open.on('data', (d) => {
    other += d;
  });
  child[closed].once('data', () => child[closed].destroy());
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, other })));
}

const countRuns = (cwd: string) => {
  const db = new Database(join(cwd, '.agentctl/registry.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('a reader that goes away', () => {
  it('eval --json | head: the eval finishes, every run is logged, and it exits 0 when its gate holds', { timeout: 60_000 }, async () => {
    // ~400 KB of JSON: far more than a pipe holds, so writes go on after the reader has gone.
    const cwd = echoWorkspace(1_000);
    const { code, other } = await withReaderGone(['eval', 'echo', '--json', '--provider', 'echo'], cwd, 'stdout');
    expect(other).not.toMatch(/internal error|bug in agentctl|EPIPE/);
    expect(code).toBe(0);
    expect(countRuns(cwd)).toBe(1_000);
  });

  it('eval --json | head: a failing gate still exits 1, so `set -o pipefail` still fails the job', { timeout: 60_000 }, async () => {
    const cwd = echoWorkspace(1_000, 1);
    const { code, other } = await withReaderGone(['eval', 'echo', '--json', '--provider', 'echo'], cwd, 'stdout');
    expect(other).not.toMatch(/internal error|bug in agentctl|EPIPE/);
    expect(code).toBe(1);
  });

  it('eval 2>&1 | head: a line per sample to a closed stderr neither crashes it nor changes its exit code', { timeout: 60_000 }, async () => {
    // A line per sample on stderr (plain output, not a terminal): ~40 bytes each, far more than a pipe holds.
    const cwd = echoWorkspace(4_000);
    const { code, other } = await withReaderGone(['eval', 'echo', '--provider', 'echo'], cwd, 'stderr');
    expect(code).toBe(0);
    expect(other).toContain('gate passed');
    expect(countRuns(cwd)).toBe(4_000);
  });
});
