/** Eval reports: JUnit XML (for CI test views) and Markdown (for a merge request); --json prints the report itself. */
import type { GateOutcome } from './evaluate.js';
import type { EvalReport } from './runner.js';

/** One agent's report as a JUnit XML document (see junitReports for several). */
export function junitReport(report: EvalReport): string {
  return junitReports([report]);
}

/**
 * Several agents' reports as ONE JUnit XML document: a `<testsuites>` root with one `<testsuite>` per
 * agent, whose top-level tests/failures/errors/skipped/time are the sums of the suites' (xmllint,
 * junitparser and junit-report-merger reject a file with several documents). Samples that could not be
 * run (status error) are `<error>` elements, failed assertions `<failure>`.
 */
export function junitReports(reports: readonly EvalReport[]): string {
  const suites = reports.map(junitSuite);
  const sum = (key: keyof SuiteCounts) => suites.reduce((n, s) => n + s.counts[key], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="agentctl eval" ${counts({ tests: sum('tests'), failures: sum('failures'), errors: sum('errors'), skipped: sum('skipped'), ms: sum('ms') })}>`,
    ...suites.flatMap((s) => s.lines),
    '</testsuites>',
    '',
  ].join('\n');
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

function junitSuite(report: EvalReport): { counts: SuiteCounts; lines: string[] } {
  const name = `${report.agent}@${report.version}`;
  const c: SuiteCounts = { tests: 0, failures: 0, errors: 0, skipped: 0, ms: 0 };
  const cases = report.results.map((r) => {
    const caseName = report.repeat > 1 ? `${r.sampleId} #${r.iteration}` : r.sampleId;
    const ms = Math.max(0, Math.round(r.latencyMs));
    c.tests++;
    c.ms += ms;
    if (r.status === 'error') c.errors++;
    if (r.status === 'fail') c.failures++;
    const failed = r.assertions.filter((a) => !a.pass);
    const body =
      r.status === 'error'
        ? `<error message="${xml(r.error ?? 'error')}">${xml(r.error ?? '')}</error>`
        : r.status === 'fail'
          ? `<failure message="${xml(failed.map((a) => `${a.type}: ${a.reason}`).join('; '))}">${xml(failed.map((a) => `${a.type}: ${a.reason}`).join('\n'))}\n\noutput: ${xml(r.output ?? '')}</failure>`
          : '';
    return `    <testcase classname="${xml(name)}" name="${xml(caseName)}" time="${(ms / 1000).toFixed(3)}">${body}${r.runId ? `<system-out>run ${r.runId}</system-out>` : ''}</testcase>`;
  });
  const s = report.summary;
  const lines = [
    `  <testsuite name="${xml(name)}" ${counts(c)} timestamp="${new Date(report.startedAt).toISOString()}">`,
    '    <properties>',
    `      <property name="digest" value="${xml(report.digest)}"/>`,
    `      <property name="status" value="${report.status}"/>`,
    `      <property name="passRate" value="${s.passRate}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
  ];
  return { counts: c, lines };
}

/** Several agents' reports as ONE Markdown document: an overview table, then a section per agent. */
export function markdownReports(reports: readonly { report: EvalReport; gate: GateOutcome }[]): string {
  const [only] = reports;
  if (reports.length === 1 && only) return markdownReport(only.report, only.gate);
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
  return `${[lines.join('\n'), ...reports.map((r) => markdownReport(r.report, r.gate, 2).trimEnd())].join('\n\n')}\n`;
}

/** One agent's report as Markdown; `level` is the heading level of its title (2 inside markdownReports). */
export function markdownReport(report: EvalReport, gate: GateOutcome, level = 1): string {
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
  const failures = report.results.filter((r) => r.status !== 'pass');
  if (failures.length) {
    lines.push('', `${h(2)} Failures and errors`, '', '| sample | status | why | run |', '|---|---|---|---|');
    for (const r of failures) {
      const why =
        r.status === 'error'
          ? (r.error ?? '')
          : r.assertions
              .filter((a) => !a.pass)
              .map((a) => `${a.type}: ${a.reason}`)
              .join('; ');
      lines.push(`| ${r.sampleId}${report.repeat > 1 ? ` #${r.iteration}` : ''} | ${r.status} | ${md(why)} | \`${r.runId ?? '-'}\` |`);
    }
  }
  if (s.flaky.length)
    lines.push(
      '',
      `Flaky (passed some repeats, failed others): ${s.flaky.map((id) => `${id} (${((s.samplePassRates[id] ?? 0) * 100).toFixed(0)}%)`).join(', ')}`,
    );
  const c = report.comparison;
  if (c) {
    lines.push('', `${h(2)} Against ${c.baselineRef}`, '');
    lines.push(`Newly failing: ${c.newlyFailing.map((x) => x.sampleId).join(', ') || 'none'}  `);
    lines.push(`Newly passing: ${c.newlyPassing.map((x) => x.sampleId).join(', ') || 'none'}  `);
    if (c.flaky.length) lines.push(`Flaky, not counted as regressions: ${c.flaky.map((x) => x.sampleId).join(', ')}  `);
    lines.push(`Score ${signed(c.scoreDelta, 3)}, cost per sample ${signed(c.costDeltaUsd, 6, '$')}, latency per sample ${signed(c.latencyDeltaMs, 0)} ms`);
  }
  return `${lines.join('\n')}\n`;
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
