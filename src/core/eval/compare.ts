/**
 * Regression against a baseline, sample by sample and assertion by assertion. With repeats, a sample
 * that passes some runs and fails others is flaky: it is reported as flaky, never as a regression.
 */
import type { SampleResult } from './results.js';

export interface SampleChange {
  sampleId: string;
  baselineRate: number;
  currentRate: number;
  /** Assertions (by index and type) whose outcome flipped, with the current reason. */
  assertions: { index: number; type: string; was: boolean; now: boolean; reason: string }[];
  scoreDelta: number;
}

export interface Comparison {
  baselineRef: string;
  baselineDigest: string;
  newlyFailing: SampleChange[];
  newlyPassing: SampleChange[];
  flaky: SampleChange[];
  /** Only in one of the two runs (the sample sets differ). */
  added: string[];
  removed: string[];
  scoreDelta: number;
  costDeltaUsd: number;
  latencyDeltaMs: number;
  regressions: number;
}

export function compareResults(baselineRef: string, baselineDigest: string, baseline: readonly SampleResult[], current: readonly SampleResult[]): Comparison {
  const group = (results: readonly SampleResult[]) => {
    const map = new Map<string, SampleResult[]>();
    for (const r of results) map.set(r.sampleId, [...(map.get(r.sampleId) ?? []), r]);
    return map;
  };
  const before = group(baseline);
  const after = group(current);
  const rate = (rs: SampleResult[]) => rs.filter((r) => r.status === 'pass').length / rs.length;
  const mean = (rs: readonly SampleResult[], f: (r: SampleResult) => number) => (rs.length ? rs.reduce((n, r) => n + f(r), 0) / rs.length : 0);
  const newlyFailing: SampleChange[] = [];
  const newlyPassing: SampleChange[] = [];
  const flaky: SampleChange[] = [];
  for (const [id, now] of after) {
    const was = before.get(id);
    if (!was) continue;
    const change: SampleChange = {
      sampleId: id,
      baselineRate: rate(was),
      currentRate: rate(now),
      assertions: flipped(was[0] as SampleResult, now[0] as SampleResult),
      scoreDelta: mean(now, (r) => r.score) - mean(was, (r) => r.score),
    };
    if ((change.currentRate > 0 && change.currentRate < 1) || (change.baselineRate > 0 && change.baselineRate < 1)) {
      if (change.currentRate !== change.baselineRate) flaky.push(change);
    } else if (change.baselineRate === 1 && change.currentRate === 0) newlyFailing.push(change);
    else if (change.baselineRate === 0 && change.currentRate === 1) newlyPassing.push(change);
  }
  const common = (results: readonly SampleResult[], other: Map<string, SampleResult[]>) => results.filter((r) => other.has(r.sampleId));
  return {
    baselineRef,
    baselineDigest,
    newlyFailing,
    newlyPassing,
    flaky,
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    scoreDelta: mean(common(current, before), (r) => r.score) - mean(common(baseline, after), (r) => r.score),
    costDeltaUsd: mean(common(current, before), (r) => r.costUsd) - mean(common(baseline, after), (r) => r.costUsd),
    latencyDeltaMs: mean(common(current, before), (r) => r.latencyMs) - mean(common(baseline, after), (r) => r.latencyMs),
    regressions: newlyFailing.length,
  };
}

function flipped(was: SampleResult, now: SampleResult): SampleChange['assertions'] {
  const out: SampleChange['assertions'] = [];
  now.assertions.forEach((a, index) => {
    const before = was.assertions[index];
    if (before && before.type === a.type && before.pass !== a.pass) out.push({ index, type: a.type, was: before.pass, now: a.pass, reason: a.reason });
  });
  return out;
}
