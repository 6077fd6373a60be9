import { describe, expect, it } from 'vitest';
import type { AgentDocument, PolicyDocument } from '../spec/schema.js';
import type { Bundle } from './bundle.js';
import { checkGates } from './gates.js';

const agent: AgentDocument = {
  apiVersion: 'agentctl/v1',
  kind: 'Agent',
  metadata: { name: 'triage', version: '0.1.0', owner: 'team-qa' },
  spec: { model: { ref: 'gpt-4o-mini' }, prompt: { ref: 'p.md' } },
};
const bundle: Bundle = { format: 'agentctl.bundle/v1', kind: 'Agent', name: 'triage', version: '0.1.0', owner: 'team-qa', spec: agent, files: [] };
const policy = (evalGate: NonNullable<NonNullable<PolicyDocument['spec']['stages']>['prod']>['eval']): PolicyDocument => ({
  apiVersion: 'agentctl/v1',
  kind: 'Policy',
  metadata: { name: 'default', version: '0.1.0', owner: 'team-qa' },
  spec: { stages: { prod: { eval: evalGate } } },
});
const evalRow = (over: Record<string, unknown> = {}) =>
  ({ evalId: 'E1', digest: `sha256:${'a'.repeat(64)}`, passRate: 1, regressions: null, baselineRef: null, ...over }) as never;
const check = (p: PolicyDocument, evaluation: unknown) =>
  checkGates({
    bundle,
    digest: `sha256:${'a'.repeat(64)}`,
    stage: 'prod',
    policies: [p],
    defaultPolicy: 'default',
    evidence: { eval: evaluation as never, approvals: [], author: 'alice' },
  })[0];

describe('the eval gate without a baseline', () => {
  it('says "no regressions" was not checked when there was nothing to compare with, and still holds', () => {
    const result = check(policy({ noRegressions: true }), evalRow());
    expect(result).toMatchObject({ holds: true, detail: expect.stringContaining('no baseline: regressions were not checked') });
  });

  it('fails where the policy requires a baseline, with the fix naming a remote baseline', () => {
    const result = check(policy({ noRegressions: true, requireBaseline: true }), evalRow());
    expect(result?.holds).toBe(false);
    expect(result?.detail).toContain('no baseline');
    expect(result?.fix).toContain('--baseline <remote>/triage@prod');
  });

  it('holds with requireBaseline once the eval was compared with one', () => {
    const result = check(policy({ noRegressions: true, requireBaseline: true }), evalRow({ baselineRef: 'triage@0.0.9', regressions: 0 }));
    expect(result).toMatchObject({ holds: true, detail: expect.stringContaining('0 regression(s) against triage@0.0.9') });
  });
});
