/** Registered policies govern, through the built binary: drift in gates, doctor and policy diff; digests recorded; quotas. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry/registry.js';
import { workspacePaths } from '../../src/core/workspace/workspace.js';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

async function workspace(): Promise<string> {
  const cwd = tempDir();
  expect((await agentctl(['init', '.', '--yes', '--name', 'bot', '--owner', 'team-a'], { cwd })).exitCode).toBe(0);
  return cwd;
}

function editPolicy(cwd: string, from: string, to: string): void {
  const path = join(cwd, 'policies/default.yaml');
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

describe('registered policies govern', () => {
  it('a policy change that is not registered is drift in gates, doctor and policy diff, and leaves the gates alone', async () => {
    const cwd = await workspace();
    expect((await agentctl(['register', 'agents/bot', 'policies/default.yaml'], { cwd })).exitCode).toBe(0);
    expect((await agentctl(['policy', 'diff'], { cwd })).exitCode).toBe(0);
    const before = JSON.parse((await agentctl(['gates', 'bot@0.1.0', '--json'], { cwd })).stdout);
    const policyDigest = JSON.parse((await agentctl(['show', 'default@0.1.0', '--json'], { cwd })).stdout).digest;
    const canary = before.stages.find((s: { stage: string }) => s.stage === 'canary');
    const validated = canary.checks.find((c: { gate: string }) => c.gate === 'validated');
    expect(validated.policyRef).toMatchObject({ name: 'default', version: '0.1.0', source: 'registry' });
    expect(validated.policyRef.digest).toBe(policyDigest);

    // Not registered: prod would need no approval any more, if the workspace YAML governed.
    editPolicy(cwd, 'approvals: { count: 1 }', 'approvals: { count: 0 }');
    const gates = await agentctl(['gates', 'bot@0.1.0', '--json'], { cwd });
    expect(gates.exitCode).toBe(0);
    const after = JSON.parse(gates.stdout);
    expect(after.stages).toEqual(before.stages);
    expect(after.policyDrift).toEqual([expect.objectContaining({ name: 'default', state: 'changed' })]);
    expect(gates.stderr).toContain('policy drift');
    expect(gates.stderr).toContain('agentctl register policies/default.yaml');

    const diff = await agentctl(['policy', 'diff', 'default'], { cwd });
    expect(diff.exitCode).toBe(1);
    expect(diff.stdout).toContain('spec.stages');
    const diffJson = JSON.parse((await agentctl(['policy', 'diff', '--json'], { cwd })).stdout);
    expect(diffJson).toMatchObject({ inSync: false, policies: [{ name: 'default', state: 'changed', registered: { version: '0.1.0' } }] });

    const doctor = await agentctl(['doctor', '--json'], { cwd });
    expect(doctor.exitCode).toBe(1);
    expect(JSON.parse(doctor.stdout).checks.find((c: { name: string }) => c.name === 'policies')).toMatchObject({ ok: false });
  });

  it('records the policy digests in the run (trace --json) and in the eval evidence', async () => {
    const cwd = await workspace();
    await agentctl(['register', 'agents/bot', 'policies/default.yaml'], { cwd });
    const run = await agentctl(['run', 'bot@0.1.0', '-i', 'What is our refund policy?'], { cwd });
    expect(run.exitCode).toBe(0);
    const trace = JSON.parse((await agentctl(['trace', 'last', '--json'], { cwd })).stdout);
    expect(trace.policies).toEqual([{ name: 'default', version: '0.1.0', digest: expect.stringMatching(/^sha256:/), source: 'registry' }]);
    // Eval evidence names the policies it was gathered under too.
    expect((await agentctl(['eval', 'bot@0.1.0'], { cwd })).exitCode).toBeLessThan(2);
    const registry = Registry.open(workspacePaths(cwd), { readonly: true });
    try {
      const row = registry.resolve('bot@0.1.0');
      expect(registry.evals.latest(row.digest)?.policies).toEqual(trace.policies);
    } finally {
      registry.close();
    }
  });

  it('refuses a run beyond maxRunsPerDay before it starts, naming the quota and when it resets', async () => {
    const cwd = await workspace();
    editPolicy(cwd, '  quotas:\n', '  quotas:\n    maxRunsPerDay: 1\n');
    expect((await agentctl(['run', 'bot', '-i', 'What is our refund policy?'], { cwd })).exitCode).toBe(0);
    const refused = await agentctl(['run', 'bot', '-i', 'What is our refund policy?'], { cwd });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('maxRunsPerDay 1');
    expect(refused.stderr).toMatch(/resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
    expect(refused.stdout).toBe('');
  });
});
