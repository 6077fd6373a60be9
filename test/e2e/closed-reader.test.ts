/**
 * A reader that goes away (`| head`) through the built binary: the command stops writing, finishes, and exits with
 * its own code — not 1 with "internal error … a bug in agentctl", nor a crash on an unhandled 'error' event.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
 * Runs `pipeline` in bash with pipefail, agentctl's output into `head -c 1`: a real pipe (64 KiB), which the
 * ~500 KB these commands write overflow, so their writes go on after head has exited. The status is agentctl's.
 */
function piped(pipeline: string, cwd: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('bash', ['-c', `set -o pipefail; ${pipeline}`], {
    cwd,
    env: { ...process.env, ...cliEnv(cwd), AGENTCTL: `${process.execPath} ${BIN}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
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
    const cwd = echoWorkspace(1_000);
    const { code, stderr } = await piped('$AGENTCTL eval echo --json --provider echo | head -c 1 >/dev/null', cwd);
    expect(/internal error|bug in agentctl|EPIPE/.test(stderr), stderr.slice(-600)).toBe(false);
    expect(code).toBe(0);
    expect(countRuns(cwd)).toBe(1_000);
  });

  it('eval --json | head: a failing gate still exits 1, so `set -o pipefail` still fails the job', { timeout: 60_000 }, async () => {
    const cwd = echoWorkspace(1_000, 1);
    const { code, stderr } = await piped('$AGENTCTL eval echo --json --provider echo | head -c 1 >/dev/null', cwd);
    expect(/internal error|bug in agentctl|EPIPE/.test(stderr), stderr.slice(-600)).toBe(false);
    expect(code).toBe(1);
  });

  it('eval 2>&1 | head: a line per sample to a closed stderr neither crashes it nor changes its exit code', { timeout: 60_000 }, async () => {
    // A line per sample on stderr (plain output, not a terminal), ~4,000 × 40 bytes; the summary goes to out.txt.
    const cwd = echoWorkspace(4_000);
    const { code } = await piped('$AGENTCTL eval echo --provider echo 2>&1 >out.txt | head -c 1 >/dev/null', cwd);
    expect(code).toBe(0);
    expect(readFileSync(join(cwd, 'out.txt'), 'utf8')).toContain('gate passed');
    expect(countRuns(cwd)).toBe(4_000);
  });

  it('eval --junit /dev/stdout | head: a report written straight into the pipe stops there, and the gate decides', { timeout: 60_000 }, async () => {
    const cwd = echoWorkspace(2_000);
    const { code, stderr } = await piped('$AGENTCTL eval echo --provider echo --junit /dev/stdout | head -c 1 >/dev/null', cwd);
    expect(/internal error|bug in agentctl|EPIPE/.test(stderr), stderr.slice(-600)).toBe(false);
    expect(code).toBe(0);
  });
});
