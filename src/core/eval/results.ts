/** Eval results and their summary: pass rate, errors apart from failures, latency percentiles, flakiness. */
import type { AssertionResult } from './assertions.js';

export interface SampleResult {
  sampleId: string;
  iteration: number;
  runId: string | null;
  status: 'pass' | 'fail' | 'error';
  score: number;
  assertions: AssertionResult[];
  output: string | null;
  error: string | null;
  latencyMs: number;
  tokens: number;
  costUsd: number;
  tags: string[];
}

export interface EvalSummary {
  samples: number;
  executions: number;
  passed: number;
  failed: number;
  errors: number;
  /** Passed executions over all executions (errors count as not passed). */
  passRate: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  tokens: number;
  costUsd: number;
  /** How often each assertion type failed. */
  assertionFailures: Record<string, number>;
  /** Per flaky sample (passed some repeats, failed others): its pass rate over the repeats. */
  samplePassRates: Record<string, number>;
  /** Samples that passed some repeats and failed others. */
  flaky: string[];
}

/**
 * The summary built as results arrive, so an eval never holds its results: counts and sums, the
 * latencies (numbers only, for the percentiles) and, per sample, runs and passes (flakiness) only
 * until the sample's last repeat is in.
 */
export class SummaryBuilder {
  private readonly latencies: number[] = [];
  private readonly assertionFailures: Record<string, number> = {};
  /** Samples with repeats still to come. */
  private readonly perSample = new Map<string, { runs: number; passes: number }>();
  private readonly flakyRates: Record<string, number> = {};
  private finishedSamples = 0;
  private passed = 0;
  private failed = 0;
  private errors = 0;
  private tokens = 0;
  private costUsd = 0;

  /** `repeat`: runs per sample, after which a sample is done (unknown: kept to the end). */
  constructor(private readonly repeat = Number.POSITIVE_INFINITY) {}

  add(r: SampleResult): void {
    this.latencies.push(r.latencyMs);
    for (const a of r.assertions) if (!a.pass && !a.error) this.assertionFailures[a.type] = (this.assertionFailures[a.type] ?? 0) + 1;
    const s = this.perSample.get(r.sampleId) ?? { runs: 0, passes: 0 };
    s.runs++;
    if (r.status === 'pass') s.passes++;
    if (s.runs >= this.repeat) {
      this.perSample.delete(r.sampleId);
      this.finish(r.sampleId, s);
    } else this.perSample.set(r.sampleId, s);
    if (r.status === 'pass') this.passed++;
    else if (r.status === 'fail') this.failed++;
    else this.errors++;
    this.tokens += r.tokens;
    this.costUsd += r.costUsd;
  }

  get executions(): number {
    return this.latencies.length;
  }

  /** Only rates strictly between 0 and 1 are kept: a 100,000-sample summary does not list 100,000 ones. */
  private finish(id: string, s: { runs: number; passes: number }): void {
    this.finishedSamples++;
    if (s.passes > 0 && s.passes < s.runs) this.flakyRates[id] = s.passes / s.runs;
  }

  summary(): EvalSummary {
    const latencies = Float64Array.from(this.latencies).sort();
    const at = (q: number) => (latencies.length ? (latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] as number) : null);
    const samplePassRates: Record<string, number> = { ...this.flakyRates };
    for (const [id, s] of this.perSample) if (s.passes > 0 && s.passes < s.runs) samplePassRates[id] = s.passes / s.runs;
    const executions = this.latencies.length;
    return {
      samples: this.finishedSamples + this.perSample.size,
      executions,
      passed: this.passed,
      failed: this.failed,
      errors: this.errors,
      passRate: executions ? this.passed / executions : 0,
      p50LatencyMs: at(0.5),
      p95LatencyMs: at(0.95),
      tokens: this.tokens,
      costUsd: this.costUsd,
      assertionFailures: { ...this.assertionFailures },
      samplePassRates,
      flaky: Object.keys(samplePassRates),
    };
  }
}

export function summarize(results: Iterable<SampleResult>): EvalSummary {
  const builder = new SummaryBuilder();
  for (const r of results) builder.add(r);
  return builder.summary();
}

/** A sample's score: the weighted mean of its assertion scores. */
export function sampleScore(assertions: readonly AssertionResult[]): number {
  const total = assertions.reduce((n, a) => n + a.weight, 0);
  return total ? assertions.reduce((n, a) => n + a.weight * Math.max(0, Math.min(1, a.score)), 0) / total : 0;
}
