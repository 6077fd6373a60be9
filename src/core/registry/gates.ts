/**
 * Stage gates from the Policy specs: what moving a version to a stage needs, and what holds now.
 * Evidence is bound to the version's digest: an eval of exactly this digest, approvals of exactly it.
 */
import { CheckFailedError } from '../errors.js';
import type { Approval, EvalRow } from '../eval/store.js';
import { decide, globMatch, policiesFor } from '../spec/policy.js';
import { parseObjectRef } from '../spec/refs.js';
import type { AgentDocument, PolicyDocument, StageGate } from '../spec/schema.js';
import { APPROVAL_PREDICATE, verifyAbout } from '../trust/statements.js';
import type { Trust } from '../trust/trust-file.js';
import type { Bundle } from './bundle.js';
import type { Stage } from './lifecycle.js';
import type { PolicyRef } from './policies-in-force.js';

export interface GateCheck {
  policy: string;
  gate: 'validated' | 'eval' | 'approvals' | 'maxCostUsdPerRun' | 'dependencies';
  holds: boolean;
  detail: string;
  fix?: string;
  /** The policy version and digest this check came from (when the caller knows them). */
  policyRef?: PolicyRef;
}

export interface Evidence {
  /** The newest complete eval of exactly this digest. */
  eval: EvalRow | undefined;
  /** The newest eval of this name@version under another digest (stale evidence), if any. */
  staleEval?: EvalRow | undefined;
  approvals: Approval[];
  /** Who registered the version (self-approval). */
  author: string;
  /** The workspace's trust file: approvals then count only as signatures by its keys. Absent: single-developer mode. */
  trust?: Trust | undefined;
  /** The key that signed the registration (its signature never counts as an approval). */
  registeredBy?: string | null;
  /**
   * With a trust file: who registered the version, from a registration whose signature verified against
   * the trust file (null: none did). The author is excluded by this, never by unsigned columns.
   */
  registrar?: { keyId: string; owner: string } | null;
  /** The version came from a pull (its registration here is not the author's: they signed the evidence there). */
  pulled?: boolean;
  /** Signed records exist but there is no trust file: a deleted trust file must not downgrade the gates. */
  trustMissing?: boolean;
}

/** A locked dependency (sub-agent or tool) as it stands now. */
export interface DependencyState {
  ref: string;
  name: string;
  version: string;
  kind: string;
  status: string;
  holds: Stage[];
}

export interface GateInput {
  bundle: Bundle;
  digest: string;
  stage: Stage;
  /** The policies in force (policies-in-force.ts): registered versions, or the workspace's as they are now. */
  policies: readonly PolicyDocument[];
  /** Their versions and digests, so each check names the one it came from. */
  policyRefs?: readonly PolicyRef[];
  defaultPolicy: string | undefined;
  evidence: Evidence;
  /** The version's locked dependencies: each must be active and hold the stage or a higher one. */
  dependencies?: DependencyState[];
}

export function governingPolicies(bundle: Bundle, policies: readonly PolicyDocument[], defaultPolicy: string | undefined): PolicyDocument[] {
  return bundle.spec.kind === 'Agent' ? policiesFor(bundle.spec, policies, defaultPolicy) : policies.filter((p) => p.metadata.name === defaultPolicy);
}

export function checkGates(input: GateInput): GateCheck[] {
  return withPolicyRefs(stageChecks(input), input.policyRefs);
}

function withPolicyRefs(checks: GateCheck[], refs: readonly PolicyRef[] | undefined): GateCheck[] {
  if (!refs) return checks;
  return checks.map((check) => {
    const ref = refs.find((r) => r.name === check.policy);
    return ref ? { ...check, policyRef: ref } : check;
  });
}

function stageChecks(input: GateInput): GateCheck[] {
  const { bundle, stage, evidence } = input;
  const ref = `${bundle.name}@${bundle.version}`;
  const spec = bundle.spec;
  const governing = governingPolicies(bundle, input.policies, input.defaultPolicy);
  const checks: GateCheck[] = dependencyChecks(input, governing);
  for (const policy of governing) {
    const gate: StageGate | undefined = policy.spec.stages?.[stage];
    if (!gate) continue;
    const name = policy.metadata.name;
    if (gate.validated) {
      const denials = spec.kind === 'Agent' ? policyDenials(spec, governing) : [];
      checks.push({
        policy: name,
        gate: 'validated',
        holds: denials.length === 0,
        detail:
          denials.length === 0
            ? 'validated at registration; the current policies allow every model and tool it uses'
            : `the current policies deny ${denials.join(', ')}`,
        ...(denials.length ? { fix: 'register a new version that does not use them, or change the policy' } : {}),
      });
    }
    // A tool or a policy has no sample set: the eval gate is about agents.
    if (gate.eval && spec.kind === 'Agent') checks.push(evalCheck(name, gate.eval, spec, input.digest, evidence, ref, stage));
    if (gate.approvals && gate.approvals.count > 0) checks.push(approvalCheck(name, gate.approvals, policy.spec.allowSelfApproval ?? false, evidence, ref));
    if (gate.maxCostUsdPerRun !== undefined) {
      const budget = spec.kind === 'Agent' ? spec.spec.budget?.maxCostUsd : undefined;
      const holds = budget !== undefined && budget <= gate.maxCostUsdPerRun;
      checks.push({
        policy: name,
        gate: 'maxCostUsdPerRun',
        holds,
        detail: `budget.maxCostUsd ${budget ?? 'unset'} must be ≤ ${gate.maxCostUsdPerRun}`,
        ...(holds ? {} : { fix: `set spec.budget.maxCostUsd ≤ ${gate.maxCostUsdPerRun} in a new version` }),
      });
    }
  }
  return checks;
}

function evalCheck(
  policy: string,
  gate: NonNullable<StageGate['eval']>,
  agent: AgentDocument | undefined,
  digest: string,
  evidence: Evidence,
  ref: string,
  stage: string,
): GateCheck {
  const minPassRate = gate.minPassRate ?? agent?.spec.evals?.gate?.minPassRate ?? 1;
  const noRegressions = gate.noRegressions ?? agent?.spec.evals?.gate?.noRegressions ?? false;
  const requireBaseline = gate.requireBaseline ?? agent?.spec.evals?.gate?.requireBaseline ?? false;
  const wants = `pass rate ≥ ${(minPassRate * 100).toFixed(0)}%${noRegressions ? ', no regressions' : ''}${requireBaseline ? ', against a baseline' : ''}`;
  const e = evidence.eval;
  if (!e) {
    const stale = evidence.staleEval
      ? `; the last eval of ${ref} measured ${evidence.staleEval.digest.slice(0, 19)}…, not this digest — evidence is bound to the digest`
      : '';
    return {
      policy,
      gate: 'eval',
      holds: false,
      detail: `needs an eval of ${digest.slice(0, 19)}… (${wants}); none recorded${stale}`,
      fix: `agentctl eval ${ref}`,
    };
  }
  const rate = e.passRate ?? 0;
  const problems = [
    ...(rate < minPassRate ? [`pass rate ${(rate * 100).toFixed(1)}%`] : []),
    ...(noRegressions && (e.regressions ?? 0) > 0 ? [`${e.regressions} regression(s) against ${e.baselineRef}`] : []),
  ];
  // "No regressions" against nothing is not evidence: say so, and fail where the policy requires a baseline.
  const unchecked = !e.baselineRef && (noRegressions || requireBaseline);
  const baselineMissing = requireBaseline && !e.baselineRef;
  const compared = e.baselineRef
    ? `, ${e.regressions ?? 0} regression(s) against ${e.baselineRef}`
    : unchecked
      ? ', no baseline: regressions were not checked'
      : '';
  const fixes = [
    ...(problems.length
      ? [
          `agentctl eval ${ref} lists what fails (${problems.join(' and ')}); fix it in a new version (bump metadata.version), then agentctl release ${ref.split('@')[0]} --to ${stage}`,
        ]
      : []),
    ...(baselineMissing ? [`agentctl eval ${ref} --baseline <remote>/${ref.split('@')[0]}@prod`] : []),
  ];
  return {
    policy,
    gate: 'eval',
    holds: problems.length === 0 && !baselineMissing,
    detail: `eval ${e.evalId}: pass rate ${(rate * 100).toFixed(1)}%${compared} (needs ${wants})`,
    ...(fixes.length ? { fix: fixes.join('; ') } : {}),
  };
}

function approvalCheck(policy: string, gate: NonNullable<StageGate['approvals']>, allowSelf: boolean, evidence: Evidence, ref: string): GateCheck {
  if (evidence.trust) return signedApprovalCheck(policy, gate, allowSelf, evidence, ref, evidence.trust);
  if (evidence.trustMissing) {
    return {
      policy,
      gate: 'approvals',
      holds: false,
      detail: 'this registry holds signed records, but .agentctl/trust.yaml is missing: approvals cannot be verified, and unsigned ones do not count',
      fix: 'restore .agentctl/trust.yaml from version control (git checkout -- .agentctl/trust.yaml)',
    };
  }
  const counted = evidence.approvals.filter((a) => (allowSelf || a.user !== evidence.author) && (!gate.fromTeams?.length || gate.fromTeams.includes(a.team)));
  const from = gate.fromTeams?.length ? ` from ${gate.fromTeams.join(' or ')}` : '';
  const holds = counted.length >= gate.count;
  return {
    policy,
    gate: 'approvals',
    holds,
    detail: `${counted.length} of ${gate.count} approval(s)${from}${counted.length ? ` (${counted.map((a) => a.user).join(', ')})` : ''}${allowSelf ? '' : `; the author (${evidence.author}) cannot approve`}; approvals are unsigned (no .agentctl/trust.yaml: single-developer mode)`,
    ...(holds ? {} : { fix: `agentctl approve ${ref} --note "…" (by ${gate.count - counted.length} more reviewer(s)${from})` }),
  };
}

/**
 * With a trust file an approval is a signature: it counts only when it verifies against a key of the
 * trust file, is about exactly this digest, comes from a team the gate allows, was made while the key was
 * not retired, is not by a CI key, and is not by the key (or the person) that registered the version.
 * One count per key, whatever the approval rows say about users and teams.
 */
function signedApprovalCheck(
  policy: string,
  gate: NonNullable<StageGate['approvals']>,
  allowSelf: boolean,
  evidence: Evidence,
  ref: string,
  trust: Trust,
): GateCheck {
  const from = gate.fromTeams?.length ? ` from ${gate.fromTeams.join(' or ')}` : '';
  // The author is who signed the registration (verified), never what unsigned columns say. A local
  // registration without a verified signature cannot be reviewed here: nobody knows whose it is.
  const registrar = evidence.registrar ?? null;
  if (!registrar && !evidence.pulled && !allowSelf) {
    return {
      policy,
      gate: 'approvals',
      holds: false,
      detail: `${ref} was registered without a signature by a key in .agentctl/trust.yaml, so its author is unknown and no approval can count`,
      fix: `register a new version with a trusted key (agentctl keys generate; agentctl trust add <team> <key.pub> --owner <you>)`,
    };
  }
  const byOwner = new Map<string, { owner: string; team: string; keyId: string }>();
  let ignored = 0;
  for (const approval of evidence.approvals) {
    const verified = verifyAbout(approval.envelope, approval.digest, trust, APPROVAL_PREDICATE);
    const at = String(verified?.statement.predicate.at ?? '');
    const selfSigned =
      verified !== undefined &&
      ((registrar !== null && (verified.key.keyId === registrar.keyId || verified.key.owner === registrar.owner)) ||
        (registrar === null && verified.key.owner === evidence.author));
    const ok =
      verified &&
      !verified.key.ci &&
      /^\d{4}-\d\d-\d\dT/.test(at) &&
      // A retired key's old approvals stay valid (rotation); `at` is the signer's own word, so a key
      // suspected of compromise must be revoked (trust rm --revoke), not retired.
      (verified.key.retiredAt === null || at < verified.key.retiredAt) &&
      (allowSelf || !selfSigned) &&
      (!gate.fromTeams?.length || gate.fromTeams.includes(verified.key.team));
    if (!ok || !verified) {
      ignored++;
      continue;
    }
    // One count per person: two keys of the same owner (rotation, a laptop and a desktop) are one reviewer.
    if (!byOwner.has(verified.key.owner)) byOwner.set(verified.key.owner, { owner: verified.key.owner, team: verified.key.team, keyId: verified.key.keyId });
  }
  const counted = [...byOwner.values()];
  const holds = counted.length >= gate.count;
  const who = counted.map((k) => `${k.owner} (${k.team}, key ${k.keyId.slice(0, 19)}…)`).join(', ');
  return {
    policy,
    gate: 'approvals',
    holds,
    detail: `${counted.length} of ${gate.count} approval(s)${from} signed by ${who || 'nobody yet'}${ignored ? `; ${ignored} not counted (unsigned, not by a trusted key of an allowed team, by the author's key, or about another digest)` : ''}`,
    ...(holds
      ? {}
      : {
          fix: `agentctl approve ${ref} --note "…" with a key of ${gate.fromTeams?.join(' or ') || 'a team'} in .agentctl/trust.yaml (${gate.count - counted.length} more)`,
        }),
  };
}

const RANK: Record<Stage, number> = { dev: 0, canary: 1, prod: 2 };

/**
 * Dependencies follow their stage: a version enters S only when every sub-agent and tool it locks is
 * active and holds S or a higher stage — whatever the policies say — unless a governing policy names the
 * dependency in stages.S.dependencyExceptions (shown as an exception).
 */
function dependencyChecks(input: GateInput, governing: readonly PolicyDocument[]): GateCheck[] {
  const { stage } = input;
  return (input.dependencies ?? []).map((d) => {
    const what = `${d.kind === 'Agent' ? 'sub-agent' : d.kind.toLowerCase()} ${d.name}@${d.version}`;
    const excepted = governing.find((p) => (p.spec.stages?.[stage]?.dependencyExceptions ?? []).some((pattern) => globMatch(pattern, d.name)));
    const routed = d.status === 'active' && d.holds.some((s) => RANK[s] >= RANK[stage]);
    if (routed) return { policy: '-', gate: 'dependencies', holds: true, detail: `${what} holds ${d.holds.join(', ')}` };
    const state = d.status !== 'active' ? `is ${d.status}` : d.holds.length ? `holds only ${d.holds.join(', ')}` : 'holds no stage';
    if (excepted)
      return {
        policy: excepted.metadata.name,
        gate: 'dependencies',
        holds: true,
        detail: `${what} ${state} — allowed as an exception by policy ${excepted.metadata.name}`,
      };
    const fix =
      d.status === 'draft' || d.status === 'active'
        ? `agentctl promote ${d.name}@${d.version} --to ${stage} (or promote with --with-deps), or add ${d.name} to stages.${stage}.dependencyExceptions in the policy`
        : `register a version of ${input.bundle.name} that uses an active ${d.name}, or add ${d.name} to stages.${stage}.dependencyExceptions`;
    return { policy: '-', gate: 'dependencies', holds: false, detail: `${what} ${state}; ${stage} needs it active and holding ${stage} or higher`, fix };
  });
}

/** Throws a refusal that lists every gate that does not hold, each with its fix. */
export function assertGates(input: GateInput): GateCheck[] {
  const checks = checkGates(input);
  const missing = checks.filter((c) => !c.holds);
  if (missing.length > 0) {
    const ref = `${input.bundle.name}@${input.bundle.version}`;
    throw new CheckFailedError(
      `${ref} cannot enter ${input.stage}: ${missing.length} gate(s) do not hold\n${missing.map((m) => `  - ${m.gate} (policy ${m.policy}): ${m.detail}`).join('\n')}`,
      { where: ref, fix: missing.flatMap((m) => (m.fix ? [m.fix] : [])).join('; then ') || 'see the policy', code: 'gate-refused' },
    );
  }
  return checks;
}

function policyDenials(spec: AgentDocument, policies: readonly PolicyDocument[]): string[] {
  const uses: ['tool.call' | 'model.use', string][] = [
    ['model.use', spec.spec.model.ref],
    ...(spec.spec.model.fallbacks ?? []).map((m): ['model.use', string] => ['model.use', m]),
    ...(spec.spec.tools ?? []).map((t): ['tool.call', string] => ['tool.call', parseObjectRef(t.ref).name]),
  ];
  return uses.filter(([action, resource]) => !decide(policies, action, resource).allowed).map(([action, resource]) => `${action} ${resource}`);
}
