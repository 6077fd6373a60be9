/**
 * `release --dry-run`: the plan — each step, and whether it would run, be reused, or cannot pass as
 * things stand — read from the workspace and the registry without writing either.
 */
import { existsSync } from 'node:fs';
import { buildBundle } from '../registry/bundle.js';
import type { Stage } from '../registry/lifecycle.js';
import { Registry } from '../registry/registry.js';
import { loadWorkspaceSpecs, validateWorkspace, workspacePolicies } from '../spec/validate.js';
import type { Workspace } from '../workspace/workspace.js';
import { gateFix, gatesDetail } from './fixes.js';
import { failedStep, findAgentSpec, pendingGates, type ReleaseStep, stagesToTake } from './plan.js';
import { publishRemote, signingKeyProblem } from './publish.js';

export function planRelease(
  workspace: Workspace,
  request: { agent: string; to: Stage; cwd: string; env: NodeJS.ProcessEnv; remote?: string | undefined },
): ReleaseStep[] {
  const registry = existsSync(workspace.registryPath) ? Registry.open(workspace, { readonly: true }) : undefined;
  try {
    let spec: ReturnType<typeof findAgentSpec>;
    try {
      spec = findAgentSpec(loadWorkspaceSpecs(workspace.root, request.cwd).workspace, request.agent);
    } catch (error) {
      return [failedStep('validate', error)];
    }
    const ref = `${request.agent}@${spec.document.metadata.version}`;
    const report = validateWorkspace({
      root: workspace.root,
      cwd: request.cwd,
      paths: [spec.absolutePath],
      registered: (name) => registry?.versionsOf(name) ?? [],
      defaultPolicy: workspace.config.defaultPolicy,
    });
    if (!report.ok) {
      return [{ step: 'validate', status: 'failed', detail: `${report.errors} error(s) in ${spec.file}`, fix: `agentctl validate ${spec.file}`, exitCode: 1 }];
    }
    const steps: ReleaseStep[] = [{ step: 'validate', status: 'ok', detail: `${spec.file} validates` }];
    const digest = buildBundle(spec).digest;
    const row = registry?.list({ name: request.agent }).find((r) => r.version === spec.document.metadata.version);
    if (row && row.digest !== digest) {
      steps.push({
        step: 'register',
        status: 'failed',
        ref,
        detail: `${ref} is registered with digest ${row.digest.slice(0, 19)}…; ${spec.file} now has ${digest.slice(0, 19)}…`,
        fix: `bump metadata.version in ${spec.file}, then agentctl release ${request.agent} --to ${request.to}`,
        exitCode: 1,
      });
      return steps;
    }
    steps.push(
      row
        ? { step: 'register', status: 'reused', ref, detail: `${ref} is registered with this digest` }
        : { step: 'register', status: 'planned', ref, detail: `would register ${ref} (and the workspace tools and sub-agents it uses)` },
    );
    steps.push({ step: 'eval', status: 'planned', ref, detail: `would run the sample set of ${ref} and of the sub-agents it locks` });
    const stages = stagesToTake(row, request.to);
    // A registered version: the gates that do not hold now and an eval cannot change (approvals, budgets,
    // policies) stop the plan here, with the same fix the release would give. The eval gate is left to the
    // eval the release runs.
    const pending = row
      ? pendingGates(registry as Registry, row, stages, workspacePolicies(workspace.root, request.cwd), workspace.config.defaultPolicy).filter(
          (g) => g.gate !== 'eval',
        )
      : [];
    if (row && pending.length) {
      steps.push({
        step: 'gates',
        status: 'failed',
        ref,
        stage: pending[0]?.stage,
        detail: `would stop here: ${gatesDetail(pending)}`,
        fix: gateFix(registry as Registry, row, pending, request.env, `agentctl release ${request.agent} --to ${request.to}`),
        exitCode: 1,
      });
      return steps;
    }
    steps.push({ step: 'gates', status: 'planned', ref, detail: stages.length ? `would check the gates of ${stages.join(', ')}` : 'nothing to check' });
    for (const stage of stages) steps.push({ step: 'promote', status: 'planned', ref, stage, detail: `would promote ${ref} to ${stage} (dependencies first)` });
    if (stages.length === 0) steps.push({ step: 'promote', status: 'reused', ref, stage: request.to, detail: `${ref} is already in ${row?.stage}` });
    const remote = publishRemote(workspace, request.remote);
    const keyProblem = signingKeyProblem(workspace, request.remote, request.env);
    if (keyProblem) {
      steps.push(failedStep('push', keyProblem, { ref }));
      return steps;
    }
    steps.push(
      remote
        ? { step: 'push', status: 'planned', ref, detail: `would push ${ref} to ${remote}` }
        : { step: 'push', status: 'skipped', ref, detail: 'no remote: neither --remote nor defaultRemote is set' },
    );
    return steps;
  } finally {
    registry?.close();
  }
}
