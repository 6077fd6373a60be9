/** `feedback` and `samples add --from-run` through the built binary (issue 13, part 5). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

async function workspace(): Promise<{ cwd: string; cli: (args: string[]) => ReturnType<typeof agentctl> }> {
  const cwd = tempDir();
  const cli = (args: string[]) => agentctl(args, { cwd, env: { AGENTCTL_HINTS: '1', AGENTCTL_USER: 'alice' } });
  const init = await cli(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa']);
  expect(init.exitCode, init.stderr).toBe(0);
  return { cwd, cli };
}

const runIdOf = (stdout: string) => (JSON.parse(stdout) as { runId: string }).runId;

/** The eval's result for one sample, from `eval --json` (offline: the workspace's cassette provider). */
async function evalResult(cli: (args: string[]) => ReturnType<typeof agentctl>, sampleId: string) {
  const evaluated = await cli(['eval', 'triage', '--json']);
  const report = JSON.parse(evaluated.stdout) as { provider: string; results: { sampleId: string; status: string; error: string | null }[] };
  expect(report.provider).toBe('cassette');
  return report.results.find((r) => r.sampleId === sampleId);
}

describe('agentctl feedback', () => {
  it('rates a run as the acting user, shows the rates in stats, and says what to do next', async () => {
    const { cli } = await workspace();
    const first = await cli(['run', 'triage', '-i', 'Hello!', '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    const runId = runIdOf(first.stdout);
    const good = await cli(['feedback', runId.slice(0, 20), '--good', '--note', 'friendly']);
    expect(good.exitCode, good.stderr).toBe(0);
    expect(good.stdout).toContain(`rated run ${runId} (triage@0.1.0) good as alice (team-qa): friendly`);
    expect(good.stderr).toContain(`Next: agentctl samples add triage --from-run ${runId}`);
    const bad = await cli(['feedback', 'last', '--bad', '--json']);
    expect(JSON.parse(bad.stdout)).toMatchObject({ runId, rating: 'bad', actor: 'alice', team: 'team-qa', note: null });
    expect(bad.stderr).not.toContain('Next:'); // never under --json

    const stats = await cli(['stats', '--by', 'agent,version', '--json']);
    const group = (JSON.parse(stats.stdout) as { groups: { key: Record<string, string>; feedback: unknown }[] }).groups[0];
    // alice's latest rating counts: bad.
    expect(group).toMatchObject({ key: { agent: 'triage', version: '0.1.0' }, feedback: { rated: 1, good: 0, bad: 1, goodRate: 0 } });
    const table = await cli(['stats', '--by', 'agent,version']);
    expect(table.stdout).toMatch(/FEEDBACK/);
    expect(table.stdout).toContain('1 rated: 0 good, 1 bad (0% good)');
  });

  it('wants exactly one of --good and --bad, and an existing run', async () => {
    const { cli } = await workspace();
    await cli(['run', 'triage', '-i', 'Hello!']);
    expect((await cli(['feedback', 'last'])).exitCode).toBe(2);
    const both = await cli(['feedback', 'last', '--good', '--bad']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('not both');
    const missing = await cli(['feedback', 'ZZZZZZ', '--good']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('no run ZZZZZZ');
  });
});

describe('agentctl samples add --from-run', () => {
  it('a run on the echo double becomes a sample that passes offline at once', async () => {
    const { cwd, cli } = await workspace();
    const run = await cli(['run', 'triage', '--provider', 'echo', '-i', 'How do I reset my password?', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const runId = runIdOf(run.stdout);
    const before = readFileSync(join(cwd, 'agents/triage/evals/samples.yaml'), 'utf8');
    const added = await cli(['samples', 'add', 'triage', '--from-run', runId]);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stdout).toContain(`added sample how-do-i-reset-my-password to agents/triage/evals/samples.yaml from run ${runId}`);
    expect(added.stderr).toContain('Next: agentctl eval triage');
    const after = readFileSync(join(cwd, 'agents/triage/evals/samples.yaml'), 'utf8');
    expect(after.startsWith(before)).toBe(true); // comments and hand-written samples untouched
    expect(await evalResult(cli, 'how-do-i-reset-my-password')).toMatchObject({ status: 'pass' });
  });

  it('a session turn with a tool call keeps the conversation, mocks the tool answer, and passes offline', async () => {
    const { cwd, cli } = await workspace();
    expect((await cli(['run', 'triage', '--session', 's1', '-i', 'Hello!'])).exitCode).toBe(0);
    const turn = await cli(['run', 'triage', '--session', 's1', '-i', 'What is our refund policy?', '--json']);
    expect(turn.exitCode, turn.stderr).toBe(0);
    const added = await cli(['samples', 'add', 'triage', '--from-run', runIdOf(turn.stdout), '--json']);
    expect(added.exitCode, added.stderr).toBe(0);
    const { sample, cassetteFiles } = JSON.parse(added.stdout);
    expect(sample).toMatchObject({
      id: 'what-is-our-refund-policy',
      input: [
        { role: 'user', content: 'Hello!' },
        { role: 'assistant', content: 'Hello! Ask me anything about our policies.' },
        { role: 'user', content: 'What is our refund policy?' },
      ],
      mocks: { 'triage-lookup': [{ when: { query: 'refund policy' }, output: { passage: 'Full refund within 30 days of purchase.' } }] },
      assert: [{ type: 'tool-called', name: 'triage-lookup', args: { query: 'refund policy' } }, { type: 'contains' }],
    });
    expect(cassetteFiles).toEqual(['agents/triage/cassettes/default.yaml']);
    const cassette = readFileSync(join(cwd, 'agents/triage/cassettes/default.yaml'), 'utf8');
    expect(cassette).toContain('# Recorded model responses'); // appended as text: the header comment stays
    expect(cassette).toMatch(/key: sha256:[0-9a-f]{64}/);
    expect(await evalResult(cli, 'what-is-our-refund-policy')).toMatchObject({ status: 'pass' });
  });

  it('refuses a run of another agent, and a run whose model responses are missing, each with the fix', async () => {
    const { cli } = await workspace();
    const miss = await cli(['run', 'triage', '-i', 'a question the cassette does not know', '--json']);
    const runId = runIdOf(miss.stdout);
    const other = await cli(['samples', 'add', 'billing', '--from-run', runId]);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain(`is a run of triage, not billing`);
    expect(other.stderr).toContain(`agentctl samples add triage --from-run ${runId}`);
    const missing = await cli(['samples', 'add', 'triage', '--from-run', runId]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('missing recorded model responses');
    expect(missing.stderr).toContain('--provider echo');
  });
});
