import { describe, expect, it } from 'vitest';
import type { AgentDocument, PolicyDocument } from '../spec/schema.js';
import type { Bundle } from './bundle.js';
import { assertGates, checkGates } from './gates.js';

const agent: AgentDocument = {
  apiVersion: 'agentctl/v1',
  kind: 'Agent',
  metadata: { name: 'triage', version: '0.1.0', owner: 'team-qa' },
  spec: { model: { ref: 'gpt-4o-mini' }, prompt: { ref: 'p.md' }, tools: [{ ref: 'jira@^1.0.0' }], budget: { maxCostUsd: 0.2 } },
};
const bundle: Bundle = { format: 'agentctl.bundle/v1', kind: 'Agent', name: 'triage', version: '0.1.0', owner: 'team-qa', spec: agent, files: [] };

function policy(spec: PolicyDocument['spec']): PolicyDocument {
  return { apiVersion: 'agentctl/v1', kind: 'Policy', metadata: { name: 'default', version: '0.1.0', owner: 'team-qa' }, spec };
}

const input = (policies: PolicyDocument[], stage: 'dev' | 'canary' | 'prod' = 'canary') => ({
  bundle,
  digest: `sha256:${'a'.repeat(64)}`,
  stage,
  policies,
  defaultPolicy: 'default',
  evidence: { eval: undefined, approvals: [], author: 'alice' },
});

describe('stage gates', () => {
  it('hold when the stage asks for nothing, or only for validation the current policy still grants', () => {
    expect(checkGates(input([policy({})]))).toEqual([]);
    const checks = checkGates(input([policy({ stages: { canary: { validated: true } } })]));
    expect(checks).toEqual([expect.objectContaining({ gate: 'validated', holds: true })]);
  });

  it('re-check policy at promotion: a tool denied since registration blocks it', () => {
    const strict = policy({ rules: [{ action: 'tool.call', effect: 'deny', resources: ['jira'] }], stages: { canary: { validated: true } } });
    expect(checkGates(input([strict]))[0]).toMatchObject({ holds: false, detail: expect.stringContaining('tool.call jira') });
  });

  it('list every missing piece of evidence, each with its fix', () => {
    const demanding = policy({
      stages: { prod: { validated: true, eval: { minPassRate: 0.9 }, approvals: { count: 2, fromTeams: ['team-sec'] }, maxCostUsdPerRun: 0.1 } },
    });
    let message = '';
    let fix = '';
    try {
      assertGates(input([demanding], 'prod'));
    } catch (error) {
      message = (error as Error).message;
      fix = (error as { fix: string }).fix;
    }
    expect(message).toContain('3 gate(s) do not hold');
    expect(message).toContain('0 of 2 approval(s) from team-sec');
    expect(message).toContain('budget.maxCostUsd 0.2 must be ≤ 0.1');
    expect(fix).toContain('agentctl eval triage@0.1.0');
  });

  it('a failed eval names the commands that show what failed and finish the release, for this stage', () => {
    const gated = policy({ stages: { prod: { eval: { minPassRate: 0.9 } } } });
    const evalRow = { evalId: 'ev1', passRate: 0.5, regressions: 0, baselineRef: null };
    const check = checkGates({ ...input([gated], 'prod'), evidence: { eval: evalRow, approvals: [], author: 'alice' } } as never)[0];
    expect(check).toMatchObject({ gate: 'eval', holds: false });
    expect(check?.fix).toBe(
      'agentctl eval triage@0.1.0 lists what fails (pass rate 50.0%); fix it in a new version (bump metadata.version), then agentctl release triage --to prod',
    );
  });
});

describe('evidence', () => {
  const prod = policy({ stages: { prod: { eval: { minPassRate: 0.9, noRegressions: true }, approvals: { count: 1, fromTeams: ['team-qa'] } } } });
  const evalRow = (over: Record<string, unknown> = {}) =>
    ({ evalId: 'E1', digest: `sha256:${'a'.repeat(64)}`, passRate: 0.95, regressions: 0, baselineRef: 'triage@0.0.9', ...over }) as never;
  const withEvidence = (evidence: Record<string, unknown>) =>
    checkGates({ ...input([prod], 'prod'), evidence: { eval: undefined, approvals: [], author: 'alice', ...evidence } });

  it('hold with a passing eval of this digest and an approval from the right team by someone else', () => {
    const checks = withEvidence({ eval: evalRow(), approvals: [{ user: 'bob', team: 'team-qa', note: null, at: 'now', digest: 'x' }] });
    expect(checks.map((c) => [c.gate, c.holds])).toEqual([
      ['eval', true],
      ['approvals', true],
    ]);
  });

  it('do not count self-approvals, approvals from other teams, low pass rates or regressions', () => {
    const checks = withEvidence({
      eval: evalRow({ passRate: 0.5, regressions: 2 }),
      approvals: [
        { user: 'alice', team: 'team-qa', note: null, at: 'now', digest: 'x' },
        { user: 'carol', team: 'team-ops', note: null, at: 'now', digest: 'x' },
      ],
    });
    expect(checks.map((c) => c.holds)).toEqual([false, false]);
    expect(checks[0]?.detail).toContain('2 regression(s) against triage@0.0.9');
    expect(checks[1]?.detail).toContain('the author (alice) cannot approve');
  });

  it('name stale evidence: an eval of the same version number but another digest', () => {
    const [check] = withEvidence({ staleEval: evalRow({ digest: `sha256:${'c'.repeat(64)}` }) });
    expect(check?.detail).toContain('evidence is bound to the digest');
  });
});

describe('the dependency gate', () => {
  const deps = [
    { ref: 'jira@^1.0.0', name: 'jira', version: '1.0.0', kind: 'Tool', status: 'active', holds: ['dev' as const, 'canary' as const] },
    { ref: 'writer@^1.0.0', name: 'writer', version: '1.0.0', kind: 'Agent', status: 'disabled', holds: ['prod' as const] },
  ];

  it('every locked dependency must be active and hold the stage or higher, each failure with its fix', () => {
    const checks = checkGates({ ...input([policy({})], 'prod'), dependencies: deps });
    expect(checks.map((c) => [c.gate, c.holds, c.detail])).toEqual([
      ['dependencies', false, 'tool jira@1.0.0 holds only dev, canary; prod needs it active and holding prod or higher'],
      ['dependencies', false, 'sub-agent writer@1.0.0 is disabled; prod needs it active and holding prod or higher'],
    ]);
    expect(checks[0]?.fix).toContain('agentctl promote jira@1.0.0 --to prod');
    // canary: jira holds canary; a disabled writer still fails, whatever stage it holds.
    expect(checkGates({ ...input([policy({})], 'canary'), dependencies: deps }).map((c) => c.holds)).toEqual([true, false]);
  });

  it('a governing policy may name an exception, and gates show it as one', () => {
    const lenient = policy({ stages: { prod: { dependencyExceptions: ['jira'] } } });
    const checks = checkGates({ ...input([lenient], 'prod'), dependencies: deps });
    expect(checks[0]).toMatchObject({ holds: true, policy: 'default', detail: expect.stringContaining('allowed as an exception by policy default') });
    expect(checks[1]).toMatchObject({ holds: false });
  });
});
