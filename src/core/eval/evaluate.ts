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
import { readUserText } from '../util/read-file.js';
import type { Workspace } from '../workspace/workspace.js';
import { type LoadedDataset, parseDataset } from './dataset.js';
import { isRemoteRef, pullRemoteBaseline } from './remote-baseline.js';
import { type EvalReport, type EvalRunOptions, runEval } from './runner.js';

export interface GateOutcome {
  minPassRate: number;
  noRegressions: boolean;
  /** The gate fails when there was no baseline to compare with (agent `evals.gate.requireBaseline`). */
  requireBaseline?: boolean;
  passed: boolean;
  reasons: string[];
  /** Said with the result but not failing it, e.g. "no baseline: regressions were not checked". */
  notes?: string[];
}

export interface EvaluateOptions extends Omit<EvalRunOptions, 'dataset' | 'datasetDir' | 'codeRoot' | 'baseline'> {
  workspace: Workspace;
  /** `name@version` or `name@prod`, or undefined for the version that holds prod now (never a rolled-back one). */
  baselineRef?: string | undefined;
  onBaseline?: (ref: string, action: 'reuse' | 'run' | 'pulled' | 'none', detail?: string) => void;
  /** For a remote baseline's credentials (default: process.env). */
  env?: NodeJS.ProcessEnv | undefined;
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
  const report = await runEval({ ...options, dataset, datasetDir: dir, codeRoot: root, baseline: baseline.results });
  return { report, gate: gateOf(agent, report, baseline.none), datasetFile: dataset.file };
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
  // The cache is only a copy: a file edited there (a check rewritten to pass) is caught and rewritten.
  if (existsSync(target)) {
    if (Object.entries(agent.files).every(([path, text]) => holds(join(target, path), text))) return target;
    rmSync(target, { recursive: true, force: true });
  }
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(`${target}.tmp-`);
  for (const [path, text] of Object.entries(agent.files)) {
    const file = join(staging, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  try {
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another process materialized it first (same bytes): anything else is a real problem.
    if (!['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  return target;
}

/** Whether the file holds `text`: read no further than its length (as readUserText reads, in slices when large). */
function holds(path: string, text: string): boolean {
  const read = readUserText(path, { maxBytes: Buffer.byteLength(text) });
  return read.ok && read.text === text;
}

interface Baseline {
  results?: EvalRunOptions['baseline'];
  /** Why there is nothing to compare with (undefined when there is, or when the baseline is this very digest). */
  none?: string | undefined;
}

async function baselineResults(options: EvaluateOptions, dataset: LoadedDataset, dir: string): Promise<Baseline> {
  const { registry, agent } = options;
  let ref = options.baselineRef ?? registry.defaultBaseline(agent.name, agent.digest);
  if (ref && isRemoteRef(ref)) {
    const pulled = await pullRemoteBaseline(ref, agent.name, options);
    options.onBaseline?.(pulled.ref ?? ref, pulled.ref ? 'pulled' : 'none', pulled.none);
    if (!pulled.ref) return { none: pulled.none };
    ref = pulled.ref;
  }
  if (!ref) return { none: `no version of ${agent.name} holds prod or canary here` };
  const row = registry.resolve(ref);
  if (row.name !== agent.name) throw new UsageError(`the baseline ${ref} is not a version of ${agent.name}`, { fix: `--baseline ${agent.name}@<version>` });
  if (row.digest === agent.digest) return {};
  const existing = registry.evals.latest(row.digest, dataset.digest);
  const exact = `${row.name}@${row.version}`;
  if (existing) {
    options.onBaseline?.(exact, 'reuse');
    return { results: { ref: exact, digest: row.digest, results: registry.evals.eachResult(existing.evalId) } };
  }
  options.onBaseline?.(exact, 'run');
  const snapshot = snapshotFromRegistry(row.name, row.version, { workspace: new Map(), registry, policies: agent.policies });
  const report = await runEval({ ...options, agent: snapshot, dataset, datasetDir: dir, onProgress: undefined, baseline: undefined });
  return { results: { ref: exact, digest: row.digest, results: report.results() } };
}

/** The message every report and summary gives when "no regressions" had nothing to compare with. */
export const NO_BASELINE = 'no baseline: regressions were not checked';

/** `noBaseline`: why there was nothing to compare with (see baselineResults); undefined when there was. */
export function gateOf(agent: AgentSnapshot, report: EvalReport, noBaseline?: string): GateOutcome {
  const gate = agent.document.spec.evals?.gate;
  const minPassRate = gate?.minPassRate ?? 1;
  const noRegressions = gate?.noRegressions ?? false;
  const requireBaseline = gate?.requireBaseline ?? false;
  const reasons: string[] = [];
  const notes: string[] = [];
  if (report.status === 'partial') reasons.push('the eval was interrupted: partial results do not count');
  if (report.summary.passRate < minPassRate)
    reasons.push(`pass rate ${(report.summary.passRate * 100).toFixed(1)}% is below ${(minPassRate * 100).toFixed(1)}%`);
  if (noRegressions && (report.comparison?.regressions ?? 0) > 0)
    reasons.push(`${report.comparison?.regressions} regression(s) against ${report.comparison?.baselineRef}`);
  if (!report.comparison && noBaseline !== undefined) {
    const why = `${NO_BASELINE} (${noBaseline})`;
    if (requireBaseline) reasons.push(`${why}; the gate requires one: pass --baseline <remote>/${agent.name}@prod`);
    else if (noRegressions) notes.push(why);
  }
  return { minPassRate, noRegressions, requireBaseline, passed: reasons.length === 0, reasons, notes };
}
