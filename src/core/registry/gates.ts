/**
 * Stage gates from the Policy specs: what moving a version to a stage needs, and what holds now.
 * Evidence is bound to the version's digest. Eval and approval evidence are recorded by `agentctl eval`
 * and `agentctl approve`; until a version has them, gates that demand them do not hold.
 */
import { CheckFailedError } from '../errors.js';
import { decide, policiesFor } from '../spec/policy.js';
import { parseObjectRef } from '../spec/refs.js';
import type { PolicyDocument, StageGate } from '../spec/schema.js';
import type { Bundle } from './bundle.js';
import type { Stage } from './lifecycle.js';

export interface GateCheck {
  policy: string;
  gate: 'validated' | 'eval' | 'approvals' | 'maxCostUsdPerRun';
  holds: boolean;
  detail: string;
  fix?: string;
}

export interface GateInput {
  bundle: Bundle;
  digest: string;
  stage: Stage;
  /** The workspace's policies as they are now. */
  policies: readonly PolicyDocument[];
  defaultPolicy: string | undefined;
}

export function checkGates(input: GateInput): GateCheck[] {
  const { bundle, stage } = input;
  const ref = `${bundle.name}@${bundle.version}`;
  const spec = bundle.spec;
  const governing =
    spec.kind === 'Agent' ? policiesFor(spec, input.policies, input.defaultPolicy) : input.policies.filter((p) => p.metadata.name === input.defaultPolicy);
  const checks: GateCheck[] = [];
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
    if (gate.eval) {
      checks.push({
        policy: name,
        gate: 'eval',
        holds: false,
        detail: `needs a passing eval of ${input.digest.slice(0, 19)}… (pass rate ≥ ${gate.eval.minPassRate ?? 1}${gate.eval.noRegressions ? ', no regressions' : ''}); none recorded`,
        fix: `agentctl eval ${ref}`,
      });
    }
    if (gate.approvals && gate.approvals.count > 0) {
      const from = gate.approvals.fromTeams?.length ? ` from ${gate.approvals.fromTeams.join(' or ')}` : '';
      checks.push({
        policy: name,
        gate: 'approvals',
        holds: false,
        detail: `needs ${gate.approvals.count} approval(s)${from}; 0 recorded`,
        fix: `agentctl approve ${ref} --note "…"`,
      });
    }
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

function policyDenials(spec: Extract<Bundle['spec'], { kind: 'Agent' }>, policies: readonly PolicyDocument[]): string[] {
  const uses: ['tool.call' | 'model.use', string][] = [
    ['model.use', spec.spec.model.ref],
    ...(spec.spec.model.fallbacks ?? []).map((m): ['model.use', string] => ['model.use', m]),
    ...(spec.spec.tools ?? []).map((t): ['tool.call', string] => ['tool.call', parseObjectRef(t.ref).name]),
  ];
  return uses.filter(([action, resource]) => !decide(policies, action, resource).allowed).map(([action, resource]) => `${action} ${resource}`);
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
