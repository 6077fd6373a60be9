import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { registerSpecs } from '../registry/register-specs.js';
import { Registry } from '../registry/registry.js';
import { loadWorkspaceSpecs, workspacePolicies } from '../spec/validate.js';
import { openWorkspace } from '../workspace/open.js';
import { planRelease } from './dry-run.js';
import { afterEval, afterPromote, nextStage } from './next.js';
import { findAgentSpec, pendingGates, stagesToTake } from './plan.js';

const actor = { user: 'alice', team: 'team-qa' };

function setup(template = 'basic') {
  const root = scaffoldWorkspace(template);
  const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
  return { root, workspace };
}

describe('the release plan', () => {
  it('takes the stages from where the version is through --to, never back and never twice', () => {
    expect(stagesToTake(undefined, 'canary')).toEqual(['dev', 'canary']);
    expect(stagesToTake({ status: 'draft', stage: 'dev' }, 'prod')).toEqual(['dev', 'canary', 'prod']);
    expect(stagesToTake({ status: 'active', stage: 'dev' }, 'prod')).toEqual(['canary', 'prod']);
    expect(stagesToTake({ status: 'active', stage: 'prod' }, 'canary')).toEqual([]);
  });

  it('names the agents there are when the one asked for is not in the workspace', () => {
    const { root } = setup();
    const specs = loadWorkspaceSpecs(root, root).workspace;
    expect(findAgentSpec(specs, 'triage').file).toBe('agents/triage/agent.yaml');
    expect(() => findAgentSpec(specs, 'nobody')).toThrow(
      expect.objectContaining({ exitCode: 2, fix: 'agentctl release triage --to dev (agents here: triage)' }),
    );
  });

  it('lists the gates of every stage on the way, for the version and what it locks, but not the dependency gate release takes care of', () => {
    const { root, workspace } = setup('main-sub');
    const registry = Registry.open(workspace);
    try {
      registerSpecs(workspace, registry, root, ['agents/triage'], actor);
      const row = registry.resolve('triage@0.1.0');
      const pending = pendingGates(registry, row, ['dev', 'canary', 'prod'], workspacePolicies(root, root), workspace.config.defaultPolicy);
      expect(pending.every((p) => p.gate !== 'dependencies')).toBe(true);
      // prod needs eval evidence and an approval of the agent and each locked sub-agent (tools: approvals only).
      const prod = pending.filter((p) => p.stage === 'prod').map((p) => `${p.ref} ${p.gate}`);
      expect(prod).toContain('triage@0.1.0 eval');
      expect(prod).toContain('triage@0.1.0 approvals');
      expect(prod.filter((p) => p.endsWith('approvals')).length).toBeGreaterThan(1);
      expect(pending.filter((p) => p.stage === 'dev')).toEqual([]);
    } finally {
      registry.close();
    }
  });

  it('a dry run on a workspace without a registry plans every step and creates no registry', () => {
    const { root, workspace } = setup();
    const steps = planRelease(workspace, { agent: 'triage', to: 'dev', cwd: root, env: { XDG_CONFIG_HOME: join(root, 'no-user-config') } });
    // No signing key on this machine yet: the plan says so at the push, with the command that makes one.
    expect(steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      'validate:ok',
      'register:planned',
      'eval:planned',
      'gates:planned',
      'promote:planned',
      'push:failed',
    ]);
    expect(steps.at(-1)?.fix).toBe('agentctl keys generate');
    expect(existsSync(workspace.registryPath)).toBe(false);
  });
});

describe('next steps', () => {
  it('after a promote: the next stage when its gates hold, else the fix of the first that does not, and push at prod', () => {
    const row = { name: 'triage', version: '0.1.0', status: 'active', holds: ['dev' as const] };
    expect(nextStage({ status: 'draft', holds: [] })).toBe('dev');
    expect(nextStage({ status: 'active', holds: ['prod'] })).toBeUndefined();
    expect(afterPromote(row, [], undefined)[0]).toBe('agentctl promote triage@0.1.0 --to canary --with-deps');
    expect(afterPromote(row, [{ policy: 'default', gate: 'eval', holds: false, detail: '', fix: 'agentctl eval triage@0.1.0' }], undefined)).toEqual([
      'agentctl eval triage@0.1.0',
      'canary needs it (eval)',
    ]);
    expect(afterPromote({ ...row, holds: ['prod'] }, undefined, 'team')[0]).toBe('agentctl push triage@0.1.0 --remote team');
  });

  it('after an eval of a workspace copy that is not registered: register it', () => {
    const placed = { name: 'triage', version: '0.2.0', status: 'draft', holds: [] };
    expect(afterEval(placed, true, false, null, 'agents/triage')?.[0]).toBe('agentctl register agents/triage');
    expect(afterEval(placed, false, true, 'RUN1', 'agents/triage')?.[0]).toBe('agentctl trace RUN1');
  });
});
