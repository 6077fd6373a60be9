/**
 * `eval` as a whole: the version's sample set, the baseline (named, or the last version that reached
 * prod) run on the same samples when it has no evidence for them yet, the eval itself, the comparison,
 * and the agent's own gate (pass rate, no regressions).
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import type { AgentSnapshot } from '../runtime/snapshot.js';
import { snapshotFromRegistry } from '../runtime/snapshot.js';
import type { Workspace } from '../workspace/workspace.js';
import { type LoadedDataset, parseDataset } from './dataset.js';
import { type EvalReport, type EvalRunOptions, runEval } from './runner.js';

export interface GateOutcome {
  minPassRate: number;
  noRegressions: boolean;
  passed: boolean;
  reasons: string[];
}

export interface EvaluateOptions extends Omit<EvalRunOptions, 'dataset' | 'datasetDir' | 'codeRoot' | 'baseline'> {
  workspace: Workspace;
  /** `name@version` or `name@prod`, or undefined for the version that holds prod now (never a rolled-back one). */
  baselineRef?: string | undefined;
  onBaseline?: (ref: string, action: 'reuse' | 'run') => void;
}

export async function evaluateAgent(options: EvaluateOptions): Promise<{ report: EvalReport; gate: GateOutcome; datasetFile: string }> {
  const { agent } = options;
  const { dataset, dir, root } = datasetOf(agent, options.workspace);
  if (dataset.diagnostics.length > 0) {
    const first = dataset.diagnostics[0];
    throw new UsageError(`the sample set ${dataset.file} does not validate: ${first?.message}`, {
      where: `${first?.file}:${first?.line}:${first?.col}`,
      fix: 'agentctl validate',
    });
  }
  const baseline = await baselineResults(options, dataset, dir);
  const report = await runEval({ ...options, dataset, datasetDir: dir, codeRoot: root, baseline });
  return { report, gate: gateOf(agent, report), datasetFile: dataset.file };
}

export function datasetOf(agent: AgentSnapshot, workspace: Workspace): { dataset: LoadedDataset; dir: string; root: string } {
  const ref = agent.document.spec.evals?.dataset;
  if (!ref) throw new UsageError(`${agent.name}@${agent.version} has no sample set`, { fix: 'add spec.evals.dataset (e.g. evals/samples.yaml) to the agent' });
  const text = agent.files[ref];
  // Assertion code runs from the version's own bytes (they are in its digest), never from the workspace:
  // an edited check cannot pass for the registered version.
  const root = materialize(agent, workspace);
  const dir = dirname(join(root, ref));
  return { dataset: parseDataset(text ?? '', join(dir, ref.split('/').pop() ?? ref), `agents/${agent.name}/${ref}`), dir, root };
}

/** The snapshot's files written out once per digest under .agentctl/cache (content-addressed, so never stale). */
function materialize(agent: AgentSnapshot, workspace: Workspace): string {
  const target = join(workspace.stateDir, 'cache', 'versions', agent.digest.replace(/^sha256:/, ''));
  if (existsSync(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(`${target}.tmp-`);
  for (const [path, text] of Object.entries(agent.files)) {
    const file = join(staging, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process materialized it first: same bytes
  }
  return target;
}

async function baselineResults(options: EvaluateOptions, dataset: LoadedDataset, dir: string): Promise<EvalRunOptions['baseline']> {
  const { registry, agent } = options;
  const ref = options.baselineRef ?? registry.defaultBaseline(agent.name, agent.digest);
  if (!ref) return undefined;
  const row = registry.resolve(ref);
  if (row.name !== agent.name) throw new UsageError(`the baseline ${ref} is not a version of ${agent.name}`, { fix: `--baseline ${agent.name}@<version>` });
  if (row.digest === agent.digest) return undefined;
  const existing = registry.evals.latest(row.digest, dataset.digest);
  const exact = `${row.name}@${row.version}`;
  if (existing) {
    options.onBaseline?.(exact, 'reuse');
    return { ref: exact, digest: row.digest, results: registry.evals.results(existing.evalId) };
  }
  options.onBaseline?.(exact, 'run');
  const snapshot = snapshotFromRegistry(row.name, row.version, { workspace: new Map(), registry, policies: agent.policies });
  const report = await runEval({ ...options, agent: snapshot, dataset, datasetDir: dir, onProgress: undefined, baseline: undefined });
  return { ref: exact, digest: row.digest, results: report.results };
}

export function gateOf(agent: AgentSnapshot, report: EvalReport): GateOutcome {
  const gate = agent.document.spec.evals?.gate;
  const minPassRate = gate?.minPassRate ?? 1;
  const noRegressions = gate?.noRegressions ?? false;
  const reasons: string[] = [];
  if (report.status === 'partial') reasons.push('the eval was interrupted: partial results do not count');
  if (report.summary.passRate < minPassRate)
    reasons.push(`pass rate ${(report.summary.passRate * 100).toFixed(1)}% is below ${(minPassRate * 100).toFixed(1)}%`);
  if (noRegressions && (report.comparison?.regressions ?? 0) > 0)
    reasons.push(`${report.comparison?.regressions} regression(s) against ${report.comparison?.baselineRef}`);
  return { minPassRate, noRegressions, passed: reasons.length === 0, reasons };
}
