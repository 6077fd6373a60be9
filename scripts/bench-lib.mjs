// Shared by the benches: timing a command with its peak memory, and paired comparisons.
//
// Why pairs: on a shared machine the floor moves (a push floor moved 31–134 ms between runs), so a
// ratio of two unpaired medians can move 3× with no change in agentctl. Running A and B back to back,
// pair after pair (A B A B …), and taking the median of the per-pair ratios cancels most of that drift.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** How many pairs every comparison runs (AGENTCTL_BENCH_PAIRS; at least 5 unless set lower on purpose). */
export const PAIRS = Number(process.env.AGENTCTL_BENCH_PAIRS ?? 5);

/** Runs a command to completion: wall time, peak resident memory (MB, from /usr/bin/time), output. */
export function run(command, args, options = {}) {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
    ...options,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  const lines = result.stderr.trimEnd().split('\n');
  const peakKb = Number((lines.at(-1) ?? '').trim());
  if (result.status !== 0 && !options.allowFailure)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${lines.slice(-6, -1).join('\n')}`);
  return { ms, peakMb: peakKb / 1024, status: result.status, stdout: result.stdout, stderr: lines.slice(0, -1).join('\n') };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A B A B …: `a` and `b` are functions returning { ms, peakMb? } (or a number of ms). One warm-up of
 * each first. Returns the medians of each side (and A's range), the median and range of the per-pair ratios a/b.
 */
export async function paired(a, b, pairs = PAIRS) {
  const norm = (r) => (typeof r === 'number' ? { ms: r } : r);
  await a();
  await b();
  const as = [];
  const bs = [];
  for (let i = 0; i < pairs; i++) {
    as.push(norm(await a()));
    bs.push(norm(await b()));
  }
  const ratios = as.map((x, i) => x.ms / bs[i].ms);
  const peak = (xs) => (xs.every((x) => x.peakMb !== undefined) ? Math.max(...xs.map((x) => x.peakMb)) : undefined);
  return {
    a: { ms: median(as.map((x) => x.ms)), peakMb: peak(as) },
    b: { ms: median(bs.map((x) => x.ms)), peakMb: peak(bs) },
    ratio: median(ratios),
    range: [Math.min(...ratios), Math.max(...ratios)],
    // A's own range, for a row measured against a fixed figure (an ideal) rather than against B.
    aRange: [Math.min(...as.map((x) => x.ms)), Math.max(...as.map((x) => x.ms))],
    pairs,
  };
}

/** The bench's table: one row per figure, ratios with the range over the pairs. */
export class Table {
  rows = [];

  /** A plain figure: ms, or a value with a unit. */
  add(what, value, target = '—', unit) {
    this.rows.push({ what, value: unit ? `${format(value)} ${unit}` : `${value.toFixed(value < 10 ? 3 : 1)} ms`, ratio: '', target });
  }

  /** A paired comparison: our side's median, ratio to the floor (median of pairs, with its range). */
  pair(what, result, floorName, target = '—') {
    const [lo, hi] = result.range;
    this.rows.push({
      what,
      value: `${result.a.ms.toFixed(result.a.ms < 10 ? 3 : 1)} ms`,
      ratio: `${result.ratio.toFixed(2)}× ${floorName} (${lo.toFixed(2)}–${hi.toFixed(2)}, ${result.pairs} pairs)`,
      target,
    });
  }

  print(title) {
    const pad = (s, n) => String(s).padEnd(n);
    console.log(`\n${title}\n`);
    console.log(`${pad('what', 64)}${pad('median', 14)}${pad('ratio', 42)}target`);
    for (const r of this.rows) console.log(`${pad(r.what, 64)}${pad(r.value, 14)}${pad(r.ratio, 42)}${r.target}`);
  }
}

function format(n) {
  return n < 100 ? n.toFixed(1) : Math.round(n).toLocaleString('en');
}
