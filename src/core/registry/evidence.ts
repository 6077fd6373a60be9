/** Gathering a version's evidence from the database (inside the promotion's own transaction). */
import type { PolicyDocument } from '../spec/schema.js';
import { assertGates, checkGates, type DependencyState, type Evidence, type GateCheck } from './gates.js';
import { STAGES, type Stage, type State } from './lifecycle.js';
import type { Registry, VersionRow } from './registry.js';

export function evidenceOf(registry: Registry, row: VersionRow): Evidence {
  return {
    eval: registry.evals.latest(row.digest),
    staleEval: registry.evals.latestStale(row.name, row.version, row.digest),
    approvals: registry.evals.approvals(row.name, row.version, row.digest),
    author: row.createdBy,
  };
}

export interface StageGates {
  stage: Stage;
  checks: GateCheck[];
  holds: boolean;
}

/** The version's locked sub-agents and tools as they stand now. */
export function dependencyStates(registry: Registry, row: VersionRow): DependencyState[] {
  return registry.dependenciesOf(row.name, row.version).map((d) => {
    const dep = registry.resolve(`${d.name}@${d.version}`);
    return { ref: d.ref, name: d.name, version: d.version, kind: dep.kind, status: dep.status, holds: dep.holds };
  });
}

/** What each stage would need for this version, and what holds now (`agentctl gates`). */
export function gatesReport(registry: Registry, row: VersionRow, policies: readonly PolicyDocument[], defaultPolicy: string | undefined): StageGates[] {
  const bundle = registry.bundleOf(row.name, row.version);
  const evidence = evidenceOf(registry, row);
  const dependencies = dependencyStates(registry, row);
  return STAGES.map((stage) => {
    const checks = checkGates({ bundle, digest: row.digest, stage, policies, defaultPolicy, evidence, dependencies });
    return { stage, checks, holds: checks.every((c) => c.holds) };
  });
}

/** The guard `promote` runs inside its transaction: the target stage's gates, on this digest's evidence. */
export function promotionGuard(registry: Registry, policies: readonly PolicyDocument[], defaultPolicy: string | undefined) {
  return (row: VersionRow, next: State | null): void => {
    if (next === null || next.status !== 'active') return;
    assertGates({
      bundle: registry.bundleOf(row.name, row.version),
      digest: row.digest,
      stage: next.stage,
      policies,
      defaultPolicy,
      evidence: evidenceOf(registry, row),
      dependencies: dependencyStates(registry, row),
    });
  };
}
