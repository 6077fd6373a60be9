/** Which policy versions govern a registered version, drift, and daily run quotas — on real registries. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { CheckFailedError } from '../errors.js';
import { createCassetteProvider } from '../providers/cassette.js';
import { cassettesOf } from '../runtime/cassettes.js';
import { executeRun } from '../runtime/execute.js';
import { resolveAgent } from '../runtime/resolve-agent.js';
import { assertRunQuota } from '../runtime/run-quota.js';
import { loadWorkspaceSpecs, workspacePolicies } from '../spec/validate.js';
import { openWorkspace } from '../workspace/open.js';
import { gatesReport } from './evidence.js';
import { policiesInForce, policyDrift } from './policies-in-force.js';
import { registerSpecs } from './register-specs.js';
import { Registry } from './registry.js';

const actor = { user: 'alice', team: 'team-qa' };

function setup() {
  const root = scaffoldWorkspace('basic');
  const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
  const registry = Registry.open(workspace);
  const register = (paths: string[]) => registerSpecs(workspace, registry, root, paths, actor);
  const edit = (from: string, to: string) => {
    const path = join(root, 'policies/default.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
  };
  const specs = () => loadWorkspaceSpecs(root, root).workspace;
  // The policy gates only (the dependency checks are not a policy's).
  const canaryChecks = () =>
    (
      gatesReport(registry, registry.resolve('triage@0.1.0'), workspacePolicies(root, root), workspace.config.defaultPolicy).find((s) => s.stage === 'canary')
        ?.checks ?? []
    ).filter((c) => c.gate !== 'dependencies');
  return { root, workspace, registry, register, edit, specs, canaryChecks };
}

describe('policies in force', () => {
  it('an unregistered workspace edit is drift and does not change a registered version’s gates', () => {
    const { registry, register, edit, specs, canaryChecks } = setup();
    expect(register(['agents/triage', 'policies/default.yaml']).ok).toBe(true);
    const registered = registry.resolve('default@0.1.0');
    expect(canaryChecks()).toEqual([
      expect.objectContaining({ gate: 'validated', holds: true, policyRef: expect.objectContaining({ digest: registered.digest }) }),
    ]);
    // The edit (same version number) would deny the agent's model: only a registered policy may change gates.
    edit('resources: ["gpt-4o-mini", "gpt-4o", "claude-*", "echo"]', 'resources: ["claude-*"]');
    expect(canaryChecks()).toEqual([expect.objectContaining({ gate: 'validated', holds: true, policyRef: expect.objectContaining({ source: 'registry' }) })]);
    const [drift] = policyDrift(registry, specs());
    expect(drift).toMatchObject({ name: 'default', state: 'changed', registered: { version: '0.1.0', digest: registered.digest } });
    expect(drift?.changes.map((c) => c.path)).toEqual(['spec.rules']);
    expect(drift?.fix).toContain('agentctl register policies/default.yaml');
  });

  it('a disabled policy version no longer applies; a never-registered policy governs from the workspace', () => {
    const { root, workspace, registry, register, specs, canaryChecks } = setup();
    register(['agents/triage']);
    expect(policyDrift(registry, specs())[0]).toMatchObject({ state: 'unregistered' });
    expect(canaryChecks()[0]?.policyRef).toMatchObject({ source: 'workspace', version: '0.1.0' });
    register(['policies/default.yaml']);
    registry.transition('default@0.1.0', { action: 'promote', to: 'dev' }, actor, null);
    expect(canaryChecks()[0]?.policyRef).toMatchObject({ source: 'registry', version: '0.1.0' });
    registry.transition('default@0.1.0', { action: 'deprecate' }, actor, 'replaced');
    registry.transition('default@0.1.0', { action: 'disable' }, actor, 'retired');
    expect(policiesInForce(registry, specs())).toEqual([]);
    expect(canaryChecks()).toEqual([]);
    expect(policyDrift(registry, specs())[0]).toMatchObject({ state: 'disabled' });
    // The registered agent's run is no longer governed by it (no quota, no rules)...
    expect(resolveAgent(workspace, registry, 'triage@0.1.0', root).policies).toEqual([]);
    // ...while the workspace copy (the edit-run loop) still runs under the workspace YAML.
    expect(resolveAgent(workspace, registry, 'triage', root).policyRefs).toEqual([expect.objectContaining({ name: 'default', source: 'workspace' })]);
  });
});

describe('daily run quotas', () => {
  it('refuse a run beyond maxRunsPerDay, counted from the event log; the count resets the next UTC day', async () => {
    const { root, workspace, registry, edit } = setup();
    edit('  quotas:\n', '  quotas:\n    maxRunsPerDay: 2\n');
    const agent = resolveAgent(workspace, registry, 'triage', root);
    const runOnce = async () => {
      for await (const _ of executeRun({
        registry,
        agent,
        input: 'What is our refund policy?',
        provider: createCassetteProvider(cassettesOf(agent)),
        mode: 'dry',
        actor,
      })) {
        // drain
      }
    };
    assertRunQuota(registry, agent);
    await runOnce();
    await runOnce();
    const refusal = (() => {
      try {
        assertRunQuota(registry, agent);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(CheckFailedError);
    expect((refusal as CheckFailedError).exitCode).toBe(1);
    expect((refusal as Error).message).toMatch(/maxRunsPerDay 2.*resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
    // Tomorrow (UTC) the count starts again.
    expect(() => assertRunQuota(registry, agent, Date.now() + 86_400_000)).not.toThrow();
  });
});
