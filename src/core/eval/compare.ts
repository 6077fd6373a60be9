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

/** What the comparison keeps of a sample's runs on one side: counts and sums, and its first run's assertions. */
interface SampleRuns {
  runs: number;
  passes: number;
  score: number;
  costUsd: number;
  latencyMs: number;
  /** The lowest iteration's assertions (only type and outcome on the baseline side: it is held for the whole comparison). */
  first: First;
}

type First = Pick<SampleResult, 'sampleId' | 'iteration'> & { assertions: Pick<SampleResult['assertions'][number], 'type' | 'pass' | 'reason'>[] };

/**
 * Compares streams of results. The baseline is folded per sample (a few numbers each); the current
 * results are read once, and must come grouped by sample (the store's order): an eval of 100,000
 * samples is compared without holding its results.
 */
export function compareResults(baselineRef: string, baselineDigest: string, baseline: Iterable<SampleResult>, current: Iterable<SampleResult>): Comparison {
  const before = new Map<string, SampleRuns>();
  for (const r of baseline) fold(before, r);
  const newlyFailing: SampleChange[] = [];
  const newlyPassing: SampleChange[] = [];
  const flaky: SampleChange[] = [];
  const added: string[] = [];
  const seen = new Set<string>();
  const totals = { now: zero(), was: zero() };
  const finish = (id: string, now: SampleRuns) => {
    seen.add(id);
    const was = before.get(id);
    if (!was) {
      added.push(id);
      return;
    }
    add(totals.now, now);
    add(totals.was, was);
    const change: SampleChange = {
      sampleId: id,
      baselineRate: was.passes / was.runs,
      currentRate: now.passes / now.runs,
      assertions: flipped(was.first, now.first),
      scoreDelta: now.score / now.runs - was.score / was.runs,
    };
    if ((change.currentRate > 0 && change.currentRate < 1) || (change.baselineRate > 0 && change.baselineRate < 1)) {
      if (change.currentRate !== change.baselineRate) flaky.push(change);
    } else if (change.baselineRate === 1 && change.currentRate === 0) newlyFailing.push(change);
    else if (change.baselineRate === 0 && change.currentRate === 1) newlyPassing.push(change);
  };
  for (const [id, runs] of grouped(Array.isArray(current) ? sortedById(current) : current)) finish(id, runs);
  const mean = (t: Totals, key: 'score' | 'costUsd' | 'latencyMs') => (t.runs ? t[key] / t.runs : 0);
  return {
    baselineRef,
    baselineDigest,
    newlyFailing,
    newlyPassing,
    flaky,
    added,
    removed: [...before.keys()].filter((id) => !seen.has(id)),
    scoreDelta: mean(totals.now, 'score') - mean(totals.was, 'score'),
    costDeltaUsd: mean(totals.now, 'costUsd') - mean(totals.was, 'costUsd'),
    latencyDeltaMs: mean(totals.now, 'latencyMs') - mean(totals.was, 'latencyMs'),
    regressions: newlyFailing.length,
  };
}

type Totals = Omit<SampleRuns, 'first' | 'passes'>;

const zero = (): Totals => ({ runs: 0, score: 0, costUsd: 0, latencyMs: 0 });

function add(t: Totals, s: SampleRuns): void {
  t.runs += s.runs;
  t.score += s.score;
  t.costUsd += s.costUsd;
  t.latencyMs += s.latencyMs;
}

function fold(map: Map<string, SampleRuns>, r: SampleResult): void {
  const s = map.get(r.sampleId);
  if (!s) map.set(r.sampleId, start(r, trimmed));
  else accumulate(s, r, trimmed);
}

const trimmed = (r: SampleResult): First => ({
  sampleId: r.sampleId,
  iteration: r.iteration,
  assertions: r.assertions.map((a) => ({ type: a.type, pass: a.pass, reason: '' })),
});

function start(r: SampleResult, keep: (r: SampleResult) => First = (x) => x): SampleRuns {
  return { runs: 1, passes: r.status === 'pass' ? 1 : 0, score: r.score, costUsd: r.costUsd, latencyMs: r.latencyMs, first: keep(r) };
}

function accumulate(s: SampleRuns, r: SampleResult, keep: (r: SampleResult) => First = (x) => x): void {
  s.runs++;
  if (r.status === 'pass') s.passes++;
  s.score += r.score;
  s.costUsd += r.costUsd;
  s.latencyMs += r.latencyMs;
  if (r.iteration < s.first.iteration) s.first = keep(r);
}

/** Consecutive results of one sample, folded; a sample's runs must be adjacent in the stream. */
function* grouped(results: Iterable<SampleResult>): Generator<[string, SampleRuns]> {
  let current: SampleRuns | undefined;
  for (const r of results) {
    if (current && current.first.sampleId === r.sampleId) accumulate(current, r);
    else {
      if (current) yield [current.first.sampleId, current];
      current = start(r);
    }
  }
  if (current) yield [current.first.sampleId, current];
}

function sortedById(results: readonly SampleResult[]): SampleResult[] {
  return [...results].sort((a, b) => (a.sampleId < b.sampleId ? -1 : a.sampleId > b.sampleId ? 1 : a.iteration - b.iteration));
}

function flipped(was: First, now: First): SampleChange['assertions'] {
  const out: SampleChange['assertions'] = [];
  now.assertions.forEach((a, index) => {
    const before = was.assertions[index];
    if (before && before.type === a.type && before.pass !== a.pass) out.push({ index, type: a.type, was: before.pass, now: a.pass, reason: a.reason });
  });
  return out;
}
