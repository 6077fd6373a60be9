/**
 * What `release` works out before it acts: the agent's spec in the workspace, whether its version is
 * registered with this digest, the stages to take, the locked agents to evaluate, the gates that do not
 * hold yet. Read-only, so `--dry-run` is this and nothing more.
 */
import { AgentctlError, UsageError } from '../errors.js';
import { dependencyStates, evidenceOf, gatePolicies } from '../registry/evidence.js';
import { checkGates, type GateCheck } from '../registry/gates.js';
import { STAGES, type Stage } from '../registry/lifecycle.js';
import type { Registry, VersionRow } from '../registry/registry.js';
import type { LoadedSpec } from '../spec/load.js';
import type { AgentDocument, PolicyDocument, SpecDocument } from '../spec/schema.js';

export type StepName = 'validate' | 'register' | 'eval' | 'gates' | 'promote' | 'push';
export type StepStatus = 'ok' | 'reused' | 'failed' | 'skipped' | 'planned';

export interface ReleaseStep {
  step: StepName;
  status: StepStatus;
  /** One line: what happened, or would. */
  detail: string;
  /** A runnable command (or edit) that unblocks a failed step. */
  fix?: string;
  /** The version the step is about (eval and promote may be about a locked sub-agent too). */
  ref?: string;
  stage?: Stage;
  /** The exit code a failed step ends the release with (1 a check failed, 2 usage, 3 environment). */
  exitCode?: number;
}

/** A failed step from an AgentctlError (what, and its fix); anything else is a bug and propagates. */
export function failedStep(step: StepName, error: unknown, extra: Partial<ReleaseStep> = {}): ReleaseStep {
  if (!(error instanceof AgentctlError)) throw error;
  return {
    step,
    status: 'failed',
    detail: error.message.split('\n')[0] ?? error.message,
    ...(error.fix ? { fix: error.fix } : {}),
    exitCode: error.exitCode,
    ...extra,
  };
}

export type AgentSpec = LoadedSpec & { document: AgentDocument };

/** The workspace's spec of `agent`, or a usage error naming the agents there are. */
export function findAgentSpec(specs: readonly LoadedSpec[], agent: string): AgentSpec {
  const found = specs.find((s) => s.document?.kind === 'Agent' && s.document.metadata.name === agent);
  if (found) return found as AgentSpec;
  const names = specs.flatMap((s) => (s.document?.kind === 'Agent' ? [s.document.metadata.name] : []));
  throw new UsageError(`no agent named "${agent}" in this workspace`, {
    fix: names.length ? `agentctl release ${names[0]} --to dev (agents here: ${names.join(', ')})` : `agentctl new agent ${agent}`,
    code: 'unknown-agent',
  });
}

/** The stages from the one after where `row` is (dev for a draft or a new version) through `to`. */
export function stagesToTake(row: Pick<VersionRow, 'status' | 'stage'> | undefined, to: Stage): Stage[] {
  const target = STAGES.indexOf(to);
  if (!row || row.status === 'draft') return STAGES.slice(0, target + 1);
  return STAGES.slice(STAGES.indexOf(row.stage) + 1, target + 1);
}

/** The version and every sub-agent and tool it locks, transitively, dependencies first. */
export function lockedClosure(registry: Registry, row: VersionRow, seen = new Set<string>()): VersionRow[] {
  const out: VersionRow[] = [];
  for (const dep of registry.dependenciesOf(row.name, row.version)) {
    const key = `${dep.name}@${dep.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const depRow = registry.resolve(key);
    out.push(...lockedClosure(registry, depRow, seen), depRow);
  }
  return out;
}

/** The agents among the version and its locked sub-agents that have a sample set: release evaluates each. */
export function agentsToEvaluate(registry: Registry, row: VersionRow): VersionRow[] {
  return [...lockedClosure(registry, row), row].filter((r) => {
    const spec: SpecDocument = registry.bundleOf(r.name, r.version).spec;
    return spec.kind === 'Agent' && spec.spec.evals?.dataset !== undefined;
  });
}

export interface PendingGate extends GateCheck {
  ref: string;
  stage: Stage;
}

/**
 * Every gate on the way to `to` that does not hold now, for the version and each locked dependency that
 * will be promoted with it. The dependency gate is left out: release promotes the dependencies first.
 */
export function pendingGates(
  registry: Registry,
  row: VersionRow,
  stages: readonly Stage[],
  workspacePolicies: readonly PolicyDocument[],
  defaultPolicy: string | undefined,
): PendingGate[] {
  const inForce = gatePolicies(registry, workspacePolicies);
  const rank = (s: Stage) => STAGES.indexOf(s);
  const pending: PendingGate[] = [];
  for (const r of [...lockedClosure(registry, row), row]) {
    const evidence = evidenceOf(registry, r);
    const bundle = registry.bundleOf(r.name, r.version);
    for (const stage of stages) {
      if (r !== row && r.status === 'active' && r.holds.some((h) => rank(h) >= rank(stage))) continue;
      const checks = checkGates({ bundle, digest: r.digest, stage, ...inForce, defaultPolicy, evidence, dependencies: dependencyStates(registry, r) });
      for (const c of checks) if (!c.holds && c.gate !== 'dependencies') pending.push({ ...c, ref: `${r.name}@${r.version}`, stage });
    }
  }
  return pending;
}
