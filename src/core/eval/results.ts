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
  /** Per sample: its pass rate over the repeats. */
  samplePassRates: Record<string, number>;
  /** Samples that passed some repeats and failed others. */
  flaky: string[];
}

export function summarize(results: readonly SampleResult[]): EvalSummary {
  const latencies = results.map((r) => r.latencyMs).sort((a, b) => a - b);
  const at = (q: number) => (latencies.length ? (latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] as number) : null);
  const assertionFailures: Record<string, number> = {};
  const perSample = new Map<string, { runs: number; passes: number }>();
  for (const r of results) {
    for (const a of r.assertions) if (!a.pass && !a.error) assertionFailures[a.type] = (assertionFailures[a.type] ?? 0) + 1;
    const s = perSample.get(r.sampleId) ?? { runs: 0, passes: 0 };
    s.runs++;
    if (r.status === 'pass') s.passes++;
    perSample.set(r.sampleId, s);
  }
  const samplePassRates = Object.fromEntries([...perSample].map(([id, s]) => [id, s.passes / s.runs]));
  const passed = results.filter((r) => r.status === 'pass').length;
  return {
    samples: perSample.size,
    executions: results.length,
    passed,
    failed: results.filter((r) => r.status === 'fail').length,
    errors: results.filter((r) => r.status === 'error').length,
    passRate: results.length ? passed / results.length : 0,
    p50LatencyMs: at(0.5),
    p95LatencyMs: at(0.95),
    tokens: results.reduce((n, r) => n + r.tokens, 0),
    costUsd: results.reduce((n, r) => n + r.costUsd, 0),
    assertionFailures,
    samplePassRates,
    flaky: Object.entries(samplePassRates)
      .filter(([, rate]) => rate > 0 && rate < 1)
      .map(([id]) => id),
  };
}

/** A sample's score: the weighted mean of its assertion scores. */
export function sampleScore(assertions: readonly AssertionResult[]): number {
  const total = assertions.reduce((n, a) => n + a.weight, 0);
  return total ? assertions.reduce((n, a) => n + a.weight * Math.max(0, Math.min(1, a.score)), 0) / total : 0;
}
