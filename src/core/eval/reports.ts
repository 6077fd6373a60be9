/** Eval reports: JUnit XML (for CI test views) and Markdown (for a merge request); --json prints the report itself. */
import type { GateOutcome } from './evaluate.js';
import type { EvalReport } from './runner.js';

/** One agent's report as a JUnit XML document (see junitReports for several). */
export function junitReport(report: EvalReport): string {
  return junitReports([report]);
}

/** junitChunks as one string (small reports, tests). */
export function junitReports(reports: readonly EvalReport[]): string {
  return [...junitChunks(reports)].join('');
}

/**
 * Several agents' reports as ONE JUnit XML document, in chunks to stream to a file: a `<testsuites>`
 * root with one `<testsuite>` per agent, whose top-level tests/failures/errors/skipped/time are the
 * sums of the suites' (xmllint, junitparser and junit-report-merger reject a file with several
 * documents). Samples that could not be run (status error) are `<error>` elements, failed assertions
 * `<failure>`. The counts come first, so the results are read twice from the store, never held.
 */
export function* junitChunks(reports: readonly EvalReport[]): Generator<string> {
  const suites = reports.map((report) => ({ report, counts: suiteCounts(report) }));
  const sum = (key: keyof SuiteCounts) => suites.reduce((n, s) => n + s.counts[key], 0);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="agentctl eval" ${counts({ tests: sum('tests'), failures: sum('failures'), errors: sum('errors'), skipped: sum('skipped'), ms: sum('ms') })}>\n`;
  for (const s of suites) yield* junitSuite(s.report, s.counts);
  yield '</testsuites>\n';
}

interface SuiteCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  /** Whole milliseconds, so the suites' times add up exactly to the document's. */
  ms: number;
}

function counts(c: SuiteCounts): string {
  return `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${(c.ms / 1000).toFixed(3)}"`;
}

const wholeMs = (latencyMs: number) => Math.max(0, Math.round(latencyMs));

function suiteCounts(report: EvalReport): SuiteCounts {
  const c: SuiteCounts = { tests: 0, failures: 0, errors: 0, skipped: 0, ms: 0 };
  for (const r of report.results()) {
    c.tests++;
    c.ms += wholeMs(r.latencyMs);
    if (r.status === 'error') c.errors++;
    if (r.status === 'fail') c.failures++;
  }
  return c;
}

function* junitSuite(report: EvalReport, c: SuiteCounts): Generator<string> {
  const name = `${report.agent}@${report.version}`;
  const s = report.summary;
  yield [
    `  <testsuite name="${xml(name)}" ${counts(c)} timestamp="${new Date(report.startedAt).toISOString()}">`,
    '    <properties>',
    `      <property name="digest" value="${xml(report.digest)}"/>`,
    `      <property name="status" value="${report.status}"/>`,
    `      <property name="passRate" value="${s.passRate}"/>`,
    '    </properties>',
    '',
  ].join('\n');
  for (const r of report.results()) {
    const caseName = report.repeat > 1 ? `${r.sampleId} #${r.iteration}` : r.sampleId;
    const ms = wholeMs(r.latencyMs);
    const failed = r.assertions.filter((a) => !a.pass);
    const body =
      r.status === 'error'
        ? `<error message="${xml(r.error ?? 'error')}">${xml(r.error ?? '')}</error>`
        : r.status === 'fail'
          ? `<failure message="${xml(failed.map((a) => `${a.type}: ${a.reason}`).join('; '))}">${xml(failed.map((a) => `${a.type}: ${a.reason}`).join('\n'))}\n\noutput: ${xml(r.output ?? '')}</failure>`
          : '';
    yield `    <testcase classname="${xml(name)}" name="${xml(caseName)}" time="${(ms / 1000).toFixed(3)}">${body}${r.runId ? `<system-out>run ${r.runId}</system-out>` : ''}</testcase>\n`;
  }
  yield '  </testsuite>\n';
}

/** markdownChunks as one string (small reports, tests). */
export function markdownReports(reports: readonly { report: EvalReport; gate: GateOutcome }[]): string {
  return [...markdownChunks(reports)].join('');
}

/** Several agents' reports as ONE Markdown document, in chunks: an overview table, then a section per agent. */
export function* markdownChunks(reports: readonly { report: EvalReport; gate: GateOutcome }[]): Generator<string> {
  const [only] = reports;
  if (reports.length === 1 && only) {
    yield* markdownReport(only.report, only.gate);
    return;
  }
  const lines = [
    `# Eval: ${reports.length} agents`,
    '',
    '| agent | gate | runs | passed | failed | errors | pass rate |',
    '|---|---|---|---|---|---|---|',
    ...reports.map(
      ({ report: r, gate: g }) =>
        `| ${md(`${r.agent}@${r.version}`)} | ${g.passed ? 'passed' : 'failed'} | ${r.summary.executions} | ${r.summary.passed} | ${r.summary.failed} | ${r.summary.errors} | ${(r.summary.passRate * 100).toFixed(1)}% |`,
    ),
  ];
  yield `${lines.join('\n')}\n`;
  for (const r of reports) {
    yield '\n';
    yield* markdownReport(r.report, r.gate, 2);
  }
}

/** Failures listed in a Markdown report at most: a merge-request comment has a size limit; JUnit has them all. */
export const MARKDOWN_FAILURE_ROWS = 200;

/** One agent's report as Markdown; `level` is the heading level of its title (2 inside markdownChunks). */
export function* markdownReport(report: EvalReport, gate: GateOutcome, level = 1): Generator<string> {
  const h = (n: number) => '#'.repeat(level - 1 + n);
  const s = report.summary;
  const lines = [
    `${h(1)} Eval: ${report.agent}@${report.version}${report.status === 'partial' ? ' (partial: interrupted)' : ''}`,
    '',
    `Gate: **${gate.passed ? 'passed' : 'failed'}**${gate.reasons.length ? ` — ${gate.reasons.join('; ')}` : ''}`,
    '',
    ...(gate.notes ?? []).flatMap((n) => [`> ${md(n)}`, '']),
    '| samples | runs | passed | failed | errors | pass rate | p50 | p95 | tokens | cost |',
    '|---|---|---|---|---|---|---|---|---|---|',
    `| ${s.samples} | ${s.executions} | ${s.passed} | ${s.failed} | ${s.errors} | ${(s.passRate * 100).toFixed(1)}% | ${s.p50LatencyMs ?? '-'} ms | ${s.p95LatencyMs ?? '-'} ms | ${s.tokens} | $${s.costUsd.toFixed(4)} |`,
    '',
    `Digest \`${report.digest}\`, sample set \`${report.dataset}\`, provider ${report.provider}.`,
  ];
  yield `${lines.join('\n')}\n`;
  const notPassing = s.failed + s.errors;
  if (notPassing) {
    yield `\n${h(2)} Failures and errors\n\n| sample | status | why | run |\n|---|---|---|---|\n`;
    let listed = 0;
    for (const r of report.results({ notPassing: true })) {
      if (listed++ === MARKDOWN_FAILURE_ROWS) break;
      const why =
        r.status === 'error'
          ? (r.error ?? '')
          : r.assertions
              .filter((a) => !a.pass)
              .map((a) => `${a.type}: ${a.reason}`)
              .join('; ');
      yield `| ${r.sampleId}${report.repeat > 1 ? ` #${r.iteration}` : ''} | ${r.status} | ${md(why)} | \`${r.runId ?? '-'}\` |\n`;
    }
    if (notPassing > MARKDOWN_FAILURE_ROWS)
      yield `\n…and ${notPassing - MARKDOWN_FAILURE_ROWS} more (the JUnit report, --junit, lists every one; \`agentctl trace <run>\` shows a run).\n`;
  }
  const tail: string[] = [];
  if (s.flaky.length)
    tail.push(
      '',
      `Flaky (passed some repeats, failed others): ${s.flaky.map((id) => `${id} (${((s.samplePassRates[id] ?? 0) * 100).toFixed(0)}%)`).join(', ')}`,
    );
  const c = report.comparison;
  if (c) {
    tail.push('', `${h(2)} Against ${c.baselineRef}`, '');
    tail.push(`Newly failing: ${c.newlyFailing.map((x) => x.sampleId).join(', ') || 'none'}  `);
    tail.push(`Newly passing: ${c.newlyPassing.map((x) => x.sampleId).join(', ') || 'none'}  `);
    if (c.flaky.length) tail.push(`Flaky, not counted as regressions: ${c.flaky.map((x) => x.sampleId).join(', ')}  `);
    tail.push(`Score ${signed(c.scoreDelta, 3)}, cost per sample ${signed(c.costDeltaUsd, 6, '$')}, latency per sample ${signed(c.latencyDeltaMs, 0)} ms`);
  }
  if (tail.length) yield `${tail.join('\n')}\n`;
}

function signed(n: number, digits: number, prefix = ''): string {
  return `${n >= 0 ? '+' : '-'}${prefix}${Math.abs(n).toFixed(digits)}`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters, even escaped
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

function xml(text: string): string {
  return text.replace(XML_FORBIDDEN, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 300);
}
