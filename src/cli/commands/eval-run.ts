/** `eval`, run from its bundle (see ./eval.ts): an agent's sample set (or every agent's), compared with the baseline, reports written, gated. */
import { checkExhaustive, UsageError } from '../../core/errors.js';
import type { GateOutcome } from '../../core/eval/evaluate.js';
import { junitChunks, markdownChunks } from '../../core/eval/reports.js';
import type { EvalProgress, EvalReport } from '../../core/eval/runner.js';
import { afterEval } from '../../core/release/next.js';
import type { AgentSession } from '../../core/session/session.js';
import { resultLine } from '../../tui/eval/progress.js';
import type { CliContext } from '../context.js';
import { writeOutputFile } from '../output-file.js';
import { hintsOn, nextStep } from '../present/next-step.js';
import { note, printJsonStreaming, printLine } from '../present/output.js';
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

/** What the loader (./eval.ts) is told as the eval goes. */
export interface EvalCommandHooks {
  /** The first sample has a result: the code an eval runs on every start has been compiled by now. */
  firstResult?: () => void;
}

export async function evalCommand(ctx: CliContext, ref: string | undefined, options: EvalCommandOptions, hooks: EvalCommandHooks = {}): Promise<number> {
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
            onProgress: (event) => {
              if (event.type === 'result') hooks.firstResult?.();
              screen.push(event);
            },
            onBaseline: (baseline, action, detail) => screen.note(baselineNote(baseline, action, detail)),
          }),
        );
      } finally {
        screen.close();
      }
      if (session.signal.aborted) break;
    }
    writeReports(ctx, options, reports);
    // Streamed: each report's results are read from the store as they are printed, never held.
    if (options.json)
      await printJsonStreaming(
        ctx,
        reports.length === 1 ? { ...reports[0]?.report, gate: reports[0]?.gate } : reports.map((r) => ({ ...r.report, gate: r.gate })),
      );
    else for (const r of reports) printSummary(ctx, r.report, r.gate);
    const only = reports.length === 1 ? reports[0] : undefined;
    if (only && !session.signal.aborted && hintsOn(ctx, options)) {
      const hint = evalHint(session, only.report, only.gate.passed);
      if (hint) nextStep(ctx, ...hint);
    }
    const partial = session.signal.aborted || reports.some((r) => r.report.status === 'partial');
    return session.evalExitCode(
      reports.every((r) => r.gate.passed),
      partial,
    );
  });
}

/** After one agent's eval: what moves it on (registered or not, at which stage), or the first failing run. */
function evalHint(session: AgentSession, report: EvalReport, passed: boolean): ReturnType<typeof afterEval> {
  const row = session.registry.list({ name: report.agent }).find((r) => r.version === report.version && r.digest === report.digest);
  const failing = passed ? null : ([...report.results({ notPassing: true })].find((r) => r.runId)?.runId ?? null);
  const spec = session.specs().workspace.find((s) => s.document?.kind === 'Agent' && s.document.metadata.name === report.agent);
  const dir = spec ? spec.file.replace(/\/agent\.ya?ml$/, '') : `agents/${report.agent}`;
  return afterEval(row ?? { name: report.agent, version: report.version, status: 'draft', holds: [] }, passed, row !== undefined, failing, dir);
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

type ProgressScreen = { push(e: EvalProgress): void; note(t: string): void; close(): void };

/**
 * Ink on a terminal (finished samples above a live bar). Elsewhere no progress state at all: each
 * finished sample as a plain line on stderr (not under --json: they are all in the JSON), and under
 * --json a count every PROGRESS_EVERY_MS so a long eval in CI shows it is alive.
 */
async function progressScreen(ctx: CliContext, title: string, json: boolean): Promise<ProgressScreen> {
  if (ctx.interactive && !json && (process.stderr as NodeJS.WriteStream).isTTY) {
    const { mountEvalView } = await import('../../tui/eval/index.js');
    return mountEvalView(title);
  }
  let lastCount = Date.now();
  const counts = { passed: 0, failed: 0, errors: 0 };
  return {
    push(event) {
      if (event.type !== 'result') return;
      const r = event.result;
      if (r.status === 'pass') counts.passed++;
      else if (r.status === 'fail') counts.failed++;
      else counts.errors++;
      if (!json) note(ctx, resultLine(r, event.done, event.total));
      else if (Date.now() - lastCount >= PROGRESS_EVERY_MS && event.done < event.total) {
        lastCount = Date.now();
        note(ctx, `${title}: ${event.done}/${event.total} · ${counts.passed} passed · ${counts.failed} failed · ${counts.errors} errors`);
      }
    },
    note: (text) => note(ctx, text),
    close() {},
  };
}

const PROGRESS_EVERY_MS = 10_000;

/** Errors listed after the summary at most; the reports (--junit, --md, --json) have every one. */
const SUMMARY_ERROR_LINES = 20;

function writeReports(ctx: CliContext, options: EvalCommandOptions, reports: { report: EvalReport; gate: GateOutcome }[]): void {
  // One document per file, however many agents: several concatenated XML documents are not a JUnit file.
  // Streamed from the store into the file: a 100,000-sample report is never one string.
  const write = (path: string | undefined, chunks: Iterable<string>) => {
    if (!path) return;
    writeOutputFile(ctx.cwd, path, chunks, path === options.junit ? '--junit' : '--md');
    note(ctx, `wrote ${path}`);
  };
  write(options.junit, junitChunks(reports.map((r) => r.report)));
  write(options.md, markdownChunks(reports));
}

function printSummary(ctx: CliContext, report: EvalReport, gate: GateOutcome): void {
  const s = report.summary;
  printLine(ctx, out.bold(`${report.agent}@${report.version}${report.status === 'partial' ? out.yellow(' (partial: interrupted)') : ''}`));
  printLine(
    ctx,
    `  ${s.passed}/${s.executions} passed (${(s.passRate * 100).toFixed(1)}%) · ${s.failed} failed · ${s.errors} error(s) · p50 ${s.p50LatencyMs ?? '-'} ms · p95 ${s.p95LatencyMs ?? '-'} ms · ${s.tokens} tokens · $${s.costUsd.toFixed(4)}`,
  );
  for (const [type, n] of Object.entries(s.assertionFailures)) printLine(ctx, `  ${out.red(`${type} failed ${n}×`)}`);
  let listed = 0;
  for (const r of s.errors ? report.results({ notPassing: true }) : []) {
    if (r.status !== 'error') continue;
    if (listed++ === SUMMARY_ERROR_LINES) break;
    printLine(ctx, `  ${out.yellow(`error ${r.sampleId}`)}: ${r.error}`);
  }
  if (s.errors > SUMMARY_ERROR_LINES) printLine(ctx, `  …and ${s.errors - SUMMARY_ERROR_LINES} more errors (--junit or --md lists them)`);
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
