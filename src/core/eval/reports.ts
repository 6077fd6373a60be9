/** Eval reports: JUnit XML (for CI test views) and Markdown (for a merge request); --json prints the report itself. */
import type { GateOutcome } from './evaluate.js';
import type { EvalReport } from './runner.js';

export function junitReport(report: EvalReport): string {
  const name = `${report.agent}@${report.version}`;
  const cases = report.results.map((r) => {
    const caseName = report.repeat > 1 ? `${r.sampleId} #${r.iteration}` : r.sampleId;
    const time = (r.latencyMs / 1000).toFixed(3);
    const failed = r.assertions.filter((a) => !a.pass);
    const body =
      r.status === 'error'
        ? `<error message="${xml(r.error ?? 'error')}">${xml(r.error ?? '')}</error>`
        : r.status === 'fail'
          ? `<failure message="${xml(failed.map((a) => `${a.type}: ${a.reason}`).join('; '))}">${xml(failed.map((a) => `${a.type}: ${a.reason}`).join('\n'))}\n\noutput: ${xml(r.output ?? '')}</failure>`
          : '';
    return `    <testcase classname="${xml(name)}" name="${xml(caseName)}" time="${time}">${body}${r.runId ? `<system-out>run ${r.runId}</system-out>` : ''}</testcase>`;
  });
  const s = report.summary;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="agentctl eval" tests="${s.executions}" failures="${s.failed}" errors="${s.errors}">`,
    `  <testsuite name="${xml(name)}" tests="${s.executions}" failures="${s.failed}" errors="${s.errors}" timestamp="${new Date(report.startedAt).toISOString()}">`,
    '    <properties>',
    `      <property name="digest" value="${report.digest}"/>`,
    `      <property name="status" value="${report.status}"/>`,
    `      <property name="passRate" value="${s.passRate}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function markdownReport(report: EvalReport, gate: GateOutcome): string {
  const s = report.summary;
  const lines = [
    `# Eval: ${report.agent}@${report.version}${report.status === 'partial' ? ' (partial: interrupted)' : ''}`,
    '',
    `Gate: **${gate.passed ? 'passed' : 'failed'}**${gate.reasons.length ? ` — ${gate.reasons.join('; ')}` : ''}`,
    '',
    '| samples | runs | passed | failed | errors | pass rate | p50 | p95 | tokens | cost |',
    '|---|---|---|---|---|---|---|---|---|---|',
    `| ${s.samples} | ${s.executions} | ${s.passed} | ${s.failed} | ${s.errors} | ${(s.passRate * 100).toFixed(1)}% | ${s.p50LatencyMs ?? '-'} ms | ${s.p95LatencyMs ?? '-'} ms | ${s.tokens} | $${s.costUsd.toFixed(4)} |`,
    '',
    `Digest \`${report.digest}\`, sample set \`${report.dataset}\`, provider ${report.provider}.`,
  ];
  const failures = report.results.filter((r) => r.status !== 'pass');
  if (failures.length) {
    lines.push('', '## Failures and errors', '', '| sample | status | why | run |', '|---|---|---|---|');
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
    lines.push('', `## Against ${c.baselineRef}`, '');
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
