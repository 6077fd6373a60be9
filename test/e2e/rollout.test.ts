/**
 * The seed's rollout order (B5 → B6) end to end: a test-case generation agent reaches prod through its
 * gates; a test-plan generation agent is added and reaches canary; both run at once with prod routing; the
 * prod agent never reaches the canary or draft planner; stats keep them apart; rolling the second back
 * leaves the first untouched.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

const reviewer = { AGENTCTL_USER: 'reviewer' };

function agent(cwd: string, name: string, version: string, extra: string, answer: string) {
  const dir = join(cwd, 'agents', name);
  mkdirSync(join(dir, 'prompts/v1'), { recursive: true });
  mkdirSync(join(dir, 'evals'), { recursive: true });
  mkdirSync(join(dir, 'cassettes'), { recursive: true });
  writeFileSync(
    join(dir, 'agent.yaml'),
    `apiVersion: agentctl/v1
kind: Agent
metadata: { name: ${name}, version: ${version}, owner: team-qa, description: ${name} }
spec:
  model: { ref: gpt-4o-mini }
  prompt: { ref: prompts/v1/system.md }
${extra}  evals: { dataset: evals/samples.yaml, gate: { minPassRate: 1 } }
  cassette: cassettes/default.yaml
`,
  );
  writeFileSync(join(dir, 'prompts/v1/system.md'), `You are ${name} ${version}.\n`);
  writeFileSync(
    join(dir, 'cassettes/default.yaml'),
    `version: 1\ninteractions:\n  - match: { input: "Plan the checkout tests" }\n    responses:\n      - content: "${answer}"\n  - match: { input: "Write cases for login" }\n    responses:\n      - content: "${answer}"\n`,
  );
  writeFileSync(
    join(dir, 'evals/samples.yaml'),
    `samples:\n  - id: one\n    input: Write cases for login\n    assert: [{ type: contains, value: "${answer.split(' ')[0]}" }]\n`,
  );
}

const ok = async (cwd: string, args: string[], env: Record<string, string> = {}) => {
  const r = await agentctl(args, { cwd, env });
  expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
};

async function throughGates(cwd: string, ref: string, to: 'canary' | 'prod') {
  await ok(cwd, ['promote', ref, '--to', 'dev', '--with-deps']);
  await ok(cwd, ['promote', ref, '--to', 'canary', '--with-deps']);
  if (to === 'prod') {
    await ok(cwd, ['eval', ref]);
    await ok(cwd, ['approve', ref, '--with-deps', '--note', 'reviewed'], reviewer);
    await ok(cwd, ['promote', ref, '--to', 'prod', '--with-deps']);
  }
}

describe('the seed rollout: one agent to prod, then a second at canary', () => {
  it('prod routes to prod only, stats keep the agents apart, and a rollback of the second leaves the first alone', async () => {
    const cwd = tempDir();
    await ok(cwd, ['init', '.', '--yes', '--template', 'basic', '--name', 'scratch', '--owner', 'team-qa']);

    // B5: the test-plan planner 0.1.0 and the test-case writer that routes plan requests to it, to prod.
    agent(cwd, 'test-plan-writer', '0.1.0', '', 'PLAN-ONE step by step');
    agent(
      cwd,
      'testcase-writer',
      '0.1.0',
      '  subAgents:\n    - ref: test-plan-writer@^0.1.0\n      route: { when: "plan", description: plans }\n',
      'CASES for login',
    );
    await ok(cwd, ['register', 'agents/testcase-writer']);
    await ok(cwd, ['eval', 'test-plan-writer@0.1.0']);
    await throughGates(cwd, 'testcase-writer@0.1.0', 'prod');
    expect(JSON.parse((await ok(cwd, ['show', 'test-plan-writer@prod', '--json'])).stdout).version).toBe('0.1.0');

    // B6: a new planner at canary (0.1.1), and a draft (0.1.2): neither may serve prod traffic.
    agent(cwd, 'test-plan-writer', '0.1.1', '', 'PLAN-CANARY step by step');
    await ok(cwd, ['register', 'agents/test-plan-writer']);
    await throughGates(cwd, 'test-plan-writer@0.1.1', 'canary');
    agent(cwd, 'test-plan-writer', '0.1.2', '', 'PLAN-DRAFT step by step');
    await ok(cwd, ['register', 'agents/test-plan-writer']);

    const statsNow = async () =>
      JSON.parse((await ok(cwd, ['stats', '--by', 'agent,version', '--json'])).stdout).groups as { key: { agent: string; version: string }; runs: number }[];
    const runsOf = (groups: { key: { agent: string; version: string }; runs: number }[], agentName: string, version: string) =>
      groups.find((g) => g.key.agent === agentName && g.key.version === version)?.runs ?? 0;
    const earlier = await statsNow();
    const runs = await Promise.all(
      Array.from({ length: 3 }, () => [
        agentctl(['run', 'testcase-writer@prod', '-i', 'Plan the checkout tests', '--json'], { cwd }),
        agentctl(['run', 'test-plan-writer@canary', '-i', 'Plan the checkout tests', '--json'], { cwd }),
      ]).flat(),
    );
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    const prodAnswers = runs.filter((_, i) => i % 2 === 0).map((r) => JSON.parse(r.stdout).output);
    const canaryAnswers = runs.filter((_, i) => i % 2 === 1).map((r) => JSON.parse(r.stdout).output);
    expect(new Set(prodAnswers)).toEqual(new Set(['PLAN-ONE step by step']));
    expect(new Set(canaryAnswers)).toEqual(new Set(['PLAN-CANARY step by step']));

    // Each agent and version is its own row (the sub-agent hop is inside the caller's run).
    const stats = await statsNow();
    expect(runsOf(stats, 'testcase-writer', '0.1.0') - runsOf(earlier, 'testcase-writer', '0.1.0')).toBe(3);
    expect(runsOf(stats, 'test-plan-writer', '0.1.1') - runsOf(earlier, 'test-plan-writer', '0.1.1')).toBe(3);
    expect(runsOf(stats, 'test-plan-writer', '0.1.2')).toBe(0);

    // Rolling the planner's canary back moves only its own stage.
    const before = JSON.parse((await ok(cwd, ['list', '--json', '--name', 'testcase-writer'])).stdout);
    await ok(cwd, ['rollback', 'test-plan-writer', '--stage', 'canary', '--reason', 'plans too long']);
    expect(JSON.parse((await ok(cwd, ['show', 'test-plan-writer@canary', '--json'])).stdout).version).toBe('0.1.0');
    expect(JSON.parse((await ok(cwd, ['list', '--json', '--name', 'testcase-writer'])).stdout)).toEqual(before);
    const after = await ok(cwd, ['run', 'testcase-writer@prod', '-i', 'Plan the checkout tests', '--json']);
    expect(JSON.parse(after.stdout).output).toBe('PLAN-ONE step by step');
    expect(readFileSync(join(cwd, 'agents/testcase-writer/agent.yaml'), 'utf8')).toContain('test-plan-writer@^0.1.0');
  });
});
