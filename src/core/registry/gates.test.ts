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
    expect(message).toContain('needs 2 approval(s) from team-sec');
    expect(message).toContain('budget.maxCostUsd 0.2 must be ≤ 0.1');
    expect(fix).toContain('agentctl eval triage@0.1.0');
  });
});
