/**
 * One promotion, as `promote` and `release` both make it: the stage's gates checked inside the move's
 * transaction against the workspace policies as they are now; with `withDeps`, the locked sub-agents
 * and tools first, each through its own gates.
 */
import { gatesReport, promotionGuard } from '../registry/evidence.js';
import type { Stage } from '../registry/lifecycle.js';
import { promoteDependencies } from '../registry/promote-deps.js';
import type { Actor, Registry } from '../registry/registry.js';
import { workspacePolicies } from '../spec/validate.js';
import type { Workspace } from '../workspace/workspace.js';
import { withGateFix } from './fixes.js';

export interface PromoteRequest {
  registry: Registry;
  workspace: Workspace;
  cwd: string;
  ref: string;
  stage: Stage;
  actor: Actor;
  reason: string | null;
  withDeps?: boolean | undefined;
  /** For the refusal's fix (the reviewer's key by name); process.env when absent. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Each dependency moved, as it moves. */
  onDependency?: ((step: string) => void) | undefined;
}

export function promoteVersion(request: PromoteRequest): ReturnType<Registry['transition']> & { dependencies: string[] } {
  const { registry, workspace, stage, actor, reason } = request;
  const policies = () => workspacePolicies(workspace.root, request.cwd);
  const guard = () => promotionGuard(registry, policies(), workspace.config.defaultPolicy);
  try {
    const dependencies = request.withDeps ? promoteDependencies(registry, registry.resolve(request.ref), stage, actor, reason, guard()) : [];
    for (const step of dependencies) request.onDependency?.(step);
    // The holder the user is replacing, read before the transaction: if another promotion moves the
    // stage meanwhile, this one is refused instead of silently replacing it (compare-and-swap).
    const expectHolder = registry.stages.holder(registry.resolve(request.ref).name, stage) ?? null;
    return { ...registry.transition(request.ref, { action: 'promote', to: stage }, actor, reason, guard(), expectHolder), dependencies };
  } catch (error) {
    throw withGateFix(error, registry, request.ref, request.env ?? process.env, () => {
      const row = registry.resolve(request.ref);
      const checks = gatesReport(registry, row, policies(), workspace.config.defaultPolicy).find((s) => s.stage === stage)?.checks ?? [];
      return checks.filter((c) => !c.holds).map((c) => ({ ...c, ref: `${row.name}@${row.version}`, stage }));
    });
  }
}
