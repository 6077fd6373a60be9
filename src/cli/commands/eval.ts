/** `eval`: run an agent's sample set (or every agent's), compare with the baseline, write reports, gate. */
import { checkExhaustive, UsageError } from '../../core/errors.js';
import type { GateOutcome } from '../../core/eval/evaluate.js';
import { junitReports, markdownReports } from '../../core/eval/reports.js';
import type { EvalProgress, EvalReport } from '../../core/eval/runner.js';
import type { AgentSession } from '../../core/session/session.js';
import { initialProgress, progressLine, reduceProgress } from '../../tui/eval/progress.js';
import type { CliContext } from '../context.js';
import { writeOutputFile } from '../output-file.js';
import { note, printJson, printLine } from '../present/output.js';
import { announceResolved } from '../present/resolved.js';
import { out } from '../present/style.js';
import { withSession } from '../session.js';

export interface EvalCommandOptions {
  all?: boolean;
  baseline?: string;
  repeat?: number;
  concurrency?: number;
  provider?: string;
  model?: string;
  timeout?: number;
  cache?: boolean;
  tag?: string[];
  record?: boolean;
  trustCode?: boolean;
  junit?: string;
  md?: string;
  json?: boolean;
}

export async function evalCommand(ctx: CliContext, ref: string | undefined, options: EvalCommandOptions): Promise<number> {
  // Parsed and range-checked by intOption in program.ts.
  const { repeat = 1, concurrency = 4, timeout: timeoutMs = 60000 } = options;
  if (!ref && !options.all) throw new UsageError('which agent?', { fix: 'agentctl eval <agent>, or agentctl eval --all for every agent with a sample set' });
  return withSession(ctx, { provider: options.provider, model: options.model, commitRunEnds: false, trustCode: options.trustCode }, async (session) => {
    const targets = options.all ? agentsWithSampleSets(session) : [ref as string];
    if (targets.length === 0) throw new UsageError('no agent in this workspace has a sample set', { fix: 'add spec.evals.dataset to an agent' });
    const reports: { report: EvalReport; gate: GateOutcome }[] = [];
    for (const target of targets) {
      const agent = session.resolve(target);
      announceResolved(ctx, target, agent);
      const binding = session.bind(agent);
      const screen = await progressScreen(ctx, `${binding.agent.name}@${binding.agent.version}`, Boolean(options.json));
      try {
        reports.push(
          await session.evaluate(binding, {
            concurrency,
            repeat,
            timeoutMs,
            cache: options.cache !== false,
            tags: options.tag,
            baselineRef: options.baseline,
            record: options.record,
            onProgress: screen.push,
            onBaseline: (baseline, action, detail) => screen.note(baselineNote(baseline, action, detail)),
          }),
        );
      } finally {
        screen.close();
      }
      if (session.signal.aborted) break;
    }
    writeReports(ctx, options, reports);
    if (options.json)
      printJson(ctx, reports.length === 1 ? { ...reports[0]?.report, gate: reports[0]?.gate } : reports.map((r) => ({ ...r.report, gate: r.gate })));
    else for (const r of reports) printSummary(ctx, r.report, r.gate);
    const partial = session.signal.aborted || reports.some((r) => r.report.status === 'partial');
    return session.evalExitCode(
      reports.every((r) => r.gate.passed),
      partial,
    );
  });
}

function baselineNote(baseline: string, action: 'reuse' | 'run' | 'pulled' | 'none', detail: string | undefined): string {
  switch (action) {
    case 'run':
      return `baseline ${baseline} has no results for these samples: running it first`;
    case 'reuse':
      return `baseline ${baseline}: reusing its stored results`;
    case 'pulled':
      return `baseline ${baseline}: pulled from the remote (digests and signature checked)`;
    case 'none':
      return `baseline ${baseline}: ${detail ?? 'not found'}`;
    default:
      return checkExhaustive(action);
  }
}

function agentsWithSampleSets(session: AgentSession): string[] {
  return session.specs().workspace.flatMap((s) => (s.document?.kind === 'Agent' && s.document.spec.evals ? [s.document.metadata.name] : []));
}

/** Ink on a terminal (finished samples above a live bar); plain lines on stderr otherwise. */
async function progressScreen(ctx: CliContext, title: string, json: boolean): Promise<{ push(e: EvalProgress): void; note(t: string): void; close(): void }> {
  if (ctx.interactive && !json && (process.stderr as NodeJS.WriteStream).isTTY) {
    const { mountEvalView } = await import('../../tui/eval/index.js');
    return mountEvalView(title);
  }
  let state = initialProgress(title);
  return {
    push(event) {
      state = reduceProgress(state, event);
      const row = state.rows.at(-1);
      if (event.type === 'result' && row) note(ctx, progressLine(row, state.done, state.total));
    },
    note: (text) => note(ctx, text),
    close() {},
  };
}

function writeReports(ctx: CliContext, options: EvalCommandOptions, reports: { report: EvalReport; gate: GateOutcome }[]): void {
  // One document per file, however many agents: several concatenated XML documents are not a JUnit file.
  const write = (path: string | undefined, text: string) => {
    if (!path) return;
    writeOutputFile(ctx.cwd, path, text, path === options.junit ? '--junit' : '--md');
    note(ctx, `wrote ${path}`);
  };
  write(options.junit, junitReports(reports.map((r) => r.report)));
  write(options.md, markdownReports(reports));
}

function printSummary(ctx: CliContext, report: EvalReport, gate: GateOutcome): void {
  const s = report.summary;
  printLine(ctx, out.bold(`${report.agent}@${report.version}${report.status === 'partial' ? out.yellow(' (partial: interrupted)') : ''}`));
  printLine(
    ctx,
    `  ${s.passed}/${s.executions} passed (${(s.passRate * 100).toFixed(1)}%) · ${s.failed} failed · ${s.errors} error(s) · p50 ${s.p50LatencyMs ?? '-'} ms · p95 ${s.p95LatencyMs ?? '-'} ms · ${s.tokens} tokens · $${s.costUsd.toFixed(4)}`,
  );
  for (const [type, n] of Object.entries(s.assertionFailures)) printLine(ctx, `  ${out.red(`${type} failed ${n}×`)}`);
  for (const r of report.results.filter((x) => x.status === 'error')) printLine(ctx, `  ${out.yellow(`error ${r.sampleId}`)}: ${r.error}`);
  if (s.flaky.length)
    printLine(ctx, `  ${out.yellow('flaky')}: ${s.flaky.map((id) => `${id} ${((s.samplePassRates[id] ?? 0) * 100).toFixed(0)}%`).join(', ')}`);
  const c = report.comparison;
  if (c) {
    printLine(
      ctx,
      `  against ${c.baselineRef}: ${out.red(`${c.newlyFailing.length} newly failing`)}${c.newlyFailing.length ? ` (${c.newlyFailing.map((x) => x.sampleId).join(', ')})` : ''}, ${out.green(`${c.newlyPassing.length} newly passing`)}${c.flaky.length ? `, ${c.flaky.length} flaky` : ''}`,
    );
    printLine(
      ctx,
      `  score ${c.scoreDelta >= 0 ? '+' : ''}${c.scoreDelta.toFixed(3)} · cost/sample ${c.costDeltaUsd >= 0 ? '+' : '-'}$${Math.abs(c.costDeltaUsd).toFixed(6)} · latency/sample ${c.latencyDeltaMs >= 0 ? '+' : ''}${c.latencyDeltaMs.toFixed(0)} ms`,
    );
  }
  printLine(
    ctx,
    gate.passed
      ? `  ${out.green('✓ gate passed')} (pass rate ≥ ${(gate.minPassRate * 100).toFixed(0)}%${gate.noRegressions && !gate.notes?.length ? ', no regressions' : ''})`
      : `  ${out.red('✗ gate failed')}: ${gate.reasons.join('; ')}`,
  );
  for (const n of gate.notes ?? []) printLine(ctx, `  ${out.yellow('!')} ${n}`);
  printLine(ctx, out.dim(`  eval ${report.evalId} of ${report.digest}`));
}
