/**
 * `eval` runs from dist/cli/eval.js with a V8 code cache in the user's cache directory (src/cli/command-bundle.ts):
 * the first eval writes it, later ones use it, a damaged one changes nothing but the speed, and what the bundle
 * leaves out (the live view on a terminal) is still there when it is needed.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentctl, BIN } from '../support/cli.js';
import { hasTmux, tmuxTerminal } from '../support/tmux.js';
import { tempDir } from '../support/workspace.js';

/** The one cache file of the eval bundle under `cwd`'s isolated cache home (cliEnv's), or undefined. */
function evalCache(cwd: string): string | undefined {
  const dir = join(cwd, '.no-user-cache', 'agentctl', 'code-cache');
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.startsWith('eval-') && f.endsWith('.bin'));
  } catch {
    return undefined;
  }
  expect(names.length).toBeLessThanOrEqual(1);
  return names[0] && join(dir, names[0]);
}

/** What an eval decided, without its timings. */
const outcome = (stdout: string) => {
  const report = JSON.parse(stdout) as { summary: Record<string, unknown>; results: { sampleId: string; status: string; output: string }[] };
  const { passed, failed, errors, executions } = report.summary;
  return { passed, failed, errors, executions, results: report.results.map((r) => [r.sampleId, r.status, r.output]) };
};

async function workspace(): Promise<string> {
  const cwd = tempDir();
  const init = await agentctl(['init', '.', '--yes', '--name', 'triage', '--owner', 'team-qa'], { cwd });
  expect(init.exitCode, init.stderr).toBe(0);
  return cwd;
}

describe('eval code cache', () => {
  it('is written by the first eval and used, not rewritten, by the next ones', async () => {
    const cwd = await workspace();
    const first = await agentctl(['eval', 'triage', '--json'], { cwd });
    expect(first.exitCode, first.stderr).toBe(0);
    const file = evalCache(cwd);
    expect(file).toMatch(/eval-[0-9a-f]{32}\.bin$/);
    const written = statSync(file as string);
    expect(written.size).toBeGreaterThan(100_000);

    // A rewrite renames a new file over the old one (a new inode); a hit only touches it. Every start missed the
    // cache while the eval changed a V8 flag after compiling the bundle (the cache is only valid under the flags
    // it was made with).
    for (let run = 0; run < 2; run++) {
      const again = await agentctl(['eval', 'triage', '--json'], { cwd });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(outcome(again.stdout)).toEqual(outcome(first.stdout));
      expect(statSync(file as string).ino).toBe(written.ino);
    }
  });

  it('evaluates the same with a truncated cache, and writes a whole one again', async () => {
    const cwd = await workspace();
    const first = await agentctl(['eval', 'triage', '--json'], { cwd });
    expect(first.exitCode, first.stderr).toBe(0);
    const file = evalCache(cwd) as string;
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1));

    const damaged = await agentctl(['eval', 'triage', '--json'], { cwd });
    expect(damaged.exitCode, damaged.stderr).toBe(0);
    expect(outcome(damaged.stdout)).toEqual(outcome(first.stdout));
    expect(statSync(file).size).toBeGreaterThan(bytes.length * 0.9);
  });

  it("reports a user's error as every command does (the bundle shares core/errors with the CLI), and keeps no cache of it", async () => {
    const cwd = await workspace();
    const missing = await agentctl(['eval', 'nosuch'], { cwd });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('error: ');
    expect(missing.stderr).toContain('nosuch');
    expect(missing.stderr).toContain('fix: ');
    expect(missing.stderr).not.toContain('internal error');
    // No sample ran: a cache of start-up only would be kept for good (a hit is never rewritten).
    expect(evalCache(cwd)).toBeUndefined();
    expect((await agentctl(['eval', 'triage'], { cwd })).exitCode).toBe(0);
    expect(evalCache(cwd)).toBeDefined();
  });
});

const { start, waitFor, kill } = tmuxTerminal('evalview');
afterEach(kill);

describe.skipIf(!hasTmux)('eval on a terminal', () => {
  it('draws its live view, which the bundle loads from the CLI only then, and ends with the summary', async () => {
    const cwd = await workspace();
    const env = `-u CI XDG_CONFIG_HOME=${join(cwd, '.x')} XDG_CACHE_HOME=${join(cwd, '.no-user-cache')} NO_COLOR=1`;
    start(cwd, `env ${env} node ${BIN} eval triage; echo "exited $?"; sleep 30`);
    const shown = await waitFor('exited');
    expect(shown).toMatch(/triage@0\.1\.0/);
    expect(shown).toMatch(/█+.* (\d+)\/\1 · \d+ passed · \d+ failed · \d+ errors/); // the live view's last frame
    expect(shown).toMatch(/\d+\/\d+ passed \(/); // the summary
    expect(shown).not.toContain('internal error');
    expect(shown).not.toContain('ERR_');
    expect(shown).toContain('exited 0');
  });
});
