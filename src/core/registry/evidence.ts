/** Gathering a version's evidence from the database (inside the promotion's own transaction). */
import { dirname } from 'node:path';
import type { PolicyDocument } from '../spec/schema.js';
import { TRANSITION_PREDICATE, verifyAbout } from '../trust/statements.js';
import { loadTrust } from '../trust/trust-file.js';
import { assertGates, checkGates, type DependencyState, type Evidence, type GateCheck } from './gates.js';
import { STAGES, type Stage, type State } from './lifecycle.js';
import { documentsOf, type PolicyRef, policiesInForce, refOf } from './policies-in-force.js';
import { type EvidencePiece, withImported } from './provenance.js';
import type { Registry, VersionRow } from './registry.js';

/** The version's evidence: recorded here, completed by what was pulled with it, verified (provenance.ts). */
export function evidenceOf(registry: Registry, row: VersionRow): Evidence {
  const { eval: evaluation, approvals } = withImported(registry, row, {
    eval: registry.evals.latest(row.digest),
    approvals: registry.evals.approvals(row.name, row.version, row.digest),
  });
  return {
    eval: evaluation,
    staleEval: registry.evals.latestStale(row.name, row.version, row.digest),
    approvals,
    author: row.createdBy,
    ...trustEvidence(registry, row),
  };
}

/** What the gates need to judge signatures: the trust file, and who verifiably registered the version. */
function trustEvidence(registry: Registry, row: VersionRow): Pick<Evidence, 'trust' | 'registeredBy' | 'registrar' | 'pulled' | 'trustMissing'> {
  const trust = registry.path === ':memory:' ? undefined : loadTrust(dirname(registry.path));
  const registration = registry.registration(row.name, row.version);
  const pulled = registration?.actor.endsWith('(pulled)') ?? false;
  if (!trust) return { trust: undefined, registeredBy: registration?.signer ?? null, pulled, trustMissing: registry.hasSignedRecords() };
  const verified = verifyAbout(registration?.signature ?? null, row.digest, trust, TRANSITION_PREDICATE);
  const registrar = verified && verified.statement.predicate.action === 'register' ? { keyId: verified.key.keyId, owner: verified.key.owner } : null;
  return { trust, registeredBy: registrar?.keyId ?? null, registrar, pulled, trustMissing: false };
}

/** Each piece of the version's evidence and where it came from (local, or pulled and signed by whom). */
export function evidencePieces(registry: Registry, row: VersionRow): EvidencePiece[] {
  return withImported(registry, row, {
    eval: registry.evals.latest(row.digest),
    approvals: registry.evals.approvals(row.name, row.version, row.digest),
  }).pieces;
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

/**
 * The policies gates are decided under: the registered versions in force (a workspace edit that is not
 * registered changes nothing), plus workspace policies that were never registered. `workspace`: the
 * workspace's policies as they are now.
 */
export function gatePolicies(registry: Registry, workspace: readonly PolicyDocument[]): { policies: PolicyDocument[]; policyRefs: PolicyRef[] } {
  const inForce = policiesInForce(registry, workspace);
  return { policies: documentsOf(inForce), policyRefs: inForce.map(refOf) };
}

/** What each stage would need for this version, and what holds now (`agentctl gates`). */
export function gatesReport(registry: Registry, row: VersionRow, policies: readonly PolicyDocument[], defaultPolicy: string | undefined): StageGates[] {
  const bundle = registry.bundleOf(row.name, row.version);
  const evidence = evidenceOf(registry, row);
  const inForce = gatePolicies(registry, policies);
  const dependencies = dependencyStates(registry, row);
  return STAGES.map((stage) => {
    const checks = checkGates({ bundle, digest: row.digest, stage, ...inForce, defaultPolicy, evidence, dependencies });
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
      ...gatePolicies(registry, policies),
      defaultPolicy,
      evidence: evidenceOf(registry, row),
      dependencies: dependencyStates(registry, row),
    });
  };
}
