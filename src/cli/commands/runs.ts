/** runs, trace, stats, export: reading the event log. */
import { UsageError } from '../../core/errors.js';
import { exportChunks } from '../../core/events/export.js';
import { FeedbackStore } from '../../core/events/feedback-store.js';
import { buildTrace, parseSince, type SpanNode } from '../../core/events/queries.js';
import type { RunFilter, StatsDimension } from '../../core/events/run-store.js';
import { describePriceSource, loadPriceTable } from '../../core/providers/price-table.js';
import { createCancellation, SIGNAL_EXIT_CODES } from '../../core/session/cancel.js';
import { locateWorkspace } from '../../core/workspace/workspace.js';
import { isClosedReader } from '../closed-reader.js';
import type { CliContext } from '../context.js';
import { openOutputFile, streamSink } from '../output-file.js';
import { note, printJson, printLine, table } from '../present/output.js';
import { outputRedactor } from '../present/redact.js';
import { out } from '../present/style.js';
import { readEventLog } from '../read-registry.js';
import { flatHeapForStreaming } from '../streaming-heap.js';

export async function runsCommand(
  ctx: CliContext,
  options: { agent?: string; version?: string; session?: string; status?: string; since?: string; limit?: number; json?: boolean },
): Promise<number> {
  const rows = readEventLog(
    ctx,
    (registry) =>
      registry.runs.list({
        agent: options.agent,
        version: options.version,
        session: options.session,
        status: options.status,
        since: options.since ? parseSince(options.since) : undefined,
        limit: options.limit ?? 50,
      }),
    () => [],
  );
  if (options.json) {
    printJson(ctx, rows);
    return 0;
  }
  if (rows.length === 0) {
    note(ctx, 'no runs yet — start one: agentctl run <agent> -i "…"');
    return 0;
  }
  const colour = (s: string) =>
    s === 'succeeded' ? out.green(s) : s === 'running' ? out.cyan(s) : s === 'cancelled' || s === 'interrupted' ? out.yellow(s) : out.red(s);
  printLine(
    ctx,
    table(
      rows.map((r) => [
        r.runId,
        new Date(r.startedAt).toISOString(),
        `${r.agent}@${r.version}`,
        colour(r.status),
        `${r.latencyMs ?? '-'} ms`,
        String(r.tokensIn + r.tokensOut),
        `$${r.costUsd.toFixed(4)}`,
        r.errorClass ?? '',
      ]),
      ['RUN', 'STARTED', 'AGENT', 'STATUS', 'LATENCY', 'TOKENS', 'COST', 'ERROR'],
    ),
  );
  return 0;
}

export async function traceCommand(ctx: CliContext, runId: string, options: { json?: boolean }): Promise<number> {
  return readEventLog(ctx, (registry) => {
    const run = registry.runs.get(runId);
    const events = registry.runs.events(run.runId);
    const tree = buildTrace(events);
    if (options.json) {
      // The Policy versions the run was decided under, from its run.started event.
      const started = events.find((e) => e.type === 'run.started');
      printJson(ctx, { run, policies: started?.type === 'run.started' ? (started.policies ?? []) : [], spans: tree });
      return 0;
    }
    printLine(ctx, `${out.bold(`run ${run.runId}`)}  ${run.agent}@${run.version}  ${run.status}  ${run.mode} · ${run.provider}/${run.model}`);
    printLine(
      ctx,
      out.dim(`session ${run.sessionId}${run.fallback ? ` · answered by the ${run.fallback === 'human' ? 'human' : run.fallback} fallback` : ''}`),
    );
    printLine(ctx, `input: ${run.input}`);
    const walk = (node: SpanNode, prefix: string, last: boolean) => {
      printLine(ctx, `${prefix}${last ? '└─ ' : '├─ '}${describeSpan(node)}`);
      node.children.forEach((child, i) => {
        walk(child, `${prefix}${last ? '   ' : '│  '}`, i === node.children.length - 1);
      });
    };
    tree.forEach((node, i) => {
      walk(node, '', i === tree.length - 1);
    });
    if (run.output !== null) printLine(ctx, `output: ${run.output}`);
    if (run.error) printLine(ctx, out.red(`error (${run.errorClass}): ${run.error}`));
    printLine(ctx, out.dim(`${run.steps} step(s) · ${run.tokensIn} in / ${run.tokensOut} out · $${run.costUsd.toFixed(4)} · ${run.latencyMs ?? '-'} ms`));
    return 0;
  });
}

function describeSpan(node: SpanNode): string {
  const ms = node.endedAt === null ? 'unfinished' : `${node.endedAt - node.startedAt} ms`;
  const status = node.status === 'ok' ? out.green('ok') : node.status === 'error' ? out.red('error') : out.yellow('unfinished');
  const a = node.attributes;
  const detail: string[] = [];
  if (node.kind === 'model' && a.inputTokens !== undefined) detail.push(`${a.inputTokens} in / ${a.outputTokens} out`, `$${Number(a.costUsd).toFixed(4)}`);
  for (const e of node.events) {
    if (e.type === 'tool.call') detail.push(`in ${JSON.stringify(e.input)}`);
    if (e.type === 'tool.result') detail.push(`out(${e.source}) ${truncate(JSON.stringify(e.output), 80)}`);
    if (e.type === 'tool.error' || e.type === 'model.error') detail.push(out.red(e.error));
    if (e.type === 'context.assembled') detail.push(`${e.tokens} tokens${e.trimmed.length ? `, trimmed ${e.trimmed.join(', ')}` : ''}`);
    if (e.type === 'subagent.routed') detail.push(`routed → ${e.to} by ${e.by}`);
    if (e.type === 'policy.decision' && !e.allowed) detail.push(out.red(`denied ${e.action} ${e.resource}`));
    if (e.type === 'fallback') detail.push(out.yellow(`fallback → ${e.to}`));
    if (e.type === 'budget.exceeded') detail.push(out.red(`budget ${e.limit} exceeded`));
  }
  return `${node.kind} ${out.bold(node.name)}  ${status} · ${ms}${detail.length ? `  ${out.dim('·')} ${detail.join('  ·  ')}` : ''}`;
}

export async function statsCommand(ctx: CliContext, options: { by?: string; since?: string; json?: boolean }): Promise<number> {
  const dimensions = (options.by ?? 'agent')
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const allowed: StatsDimension[] = ['agent', 'version', 'team', 'model', 'mode'];
  for (const d of dimensions) {
    if (!allowed.includes(d as StatsDimension)) throw new UsageError(`cannot group by "${d}"`, { fix: `use a comma list of: ${allowed.join(', ')}` });
  }
  const since = parseSince(options.since ?? '7d');
  const groups = readEventLog(
    ctx,
    (registry) => registry.runs.stats(dimensions as StatsDimension[], since, new FeedbackStore(registry.db).latestByRun(since)),
    () => [],
  );
  // Costs are summed as each run recorded them (priced when it ran), never recomputed: a new table
  // changes what new runs cost, not history. The source named is the table new runs use.
  const prices = { source: loadPriceTable(locateWorkspace(ctx.cwd).stateDir).source, costs: 'as-recorded' as const };
  if (options.json) {
    printJson(ctx, { since: new Date(since).toISOString(), by: dimensions, groups, prices });
    return 0;
  }
  printLine(
    ctx,
    table(
      groups.map((g) => [
        ...dimensions.map((d) => g.key[d] ?? ''),
        String(g.runs),
        `${(g.successRate * 100).toFixed(1)}%`,
        `${g.p50LatencyMs ?? '-'} ms`,
        `${g.p95LatencyMs ?? '-'} ms`,
        `${g.tokensIn + g.tokensOut}${g.estimatedRuns ? '*' : ''}`,
        `$${g.costUsd.toFixed(4)}`,
        (['model', 'rule', 'human'] as const)
          .filter((k) => g.fallbacks[k] > 0)
          .map((k) => `${k}×${g.fallbacks[k]}`)
          .join(' ') || '-',
        feedbackCell(g.feedback),
        Object.entries(g.failures)
          .sort(([, a], [, b]) => b - a)
          .map(([k, v]) => `${k}×${v}`)
          .join(' '),
      ]),
      [...dimensions.map((d) => d.toUpperCase()), 'RUNS', 'SUCCESS', 'P50', 'P95', 'TOKENS', 'COST', 'FALLBACKS', 'FEEDBACK', 'FAILURES'],
    ),
  );
  const estimated = groups.reduce((n, g) => n + g.estimatedRuns, 0);
  if (estimated) note(ctx, `* includes estimated tokens: the gateway reported no usage for ${estimated} run(s)`);
  note(ctx, `prices: ${describePriceSource(prices.source)}; costs as recorded when each run ran (not recomputed)`);
  return 0;
}

export async function exportCommand(
  ctx: CliContext,
  options: { format?: string; out?: string; agent?: string; since?: string; endpoint?: string | boolean },
): Promise<number> {
  const format = options.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'otlp') throw new UsageError(`unknown export format "${format}"`, { fix: 'use --format jsonl or --format otlp' });
  const filter = { agent: options.agent, since: options.since ? parseSince(options.since) : undefined };
  if (options.endpoint !== undefined && options.endpoint !== false) return exportToCollector(ctx, filter, options.endpoint, options.out);
  // The same service name and contents opt-in as sent traces (OTEL_* over the config); contents (messages,
  // tool arguments) go into OTLP spans only when the user opted in. JSONL needs neither (nor the config).
  const spanOptions = format === 'otlp' ? await otlpSpanOptions(ctx) : { serviceName: 'agentctl', captureContent: false };
  // Every chunk is redacted on its way out (to stdout and to --out alike); chunks end on a line or a span.
  const redactor = outputRedactor();
  // An export streams every run through a small live set, like an eval.
  flatHeapForStreaming();
  const sink = options.out ? await openOutputFile(ctx.cwd, options.out, '--out') : streamSink(ctx.stdout);
  const cancellation = createCancellation({ trap: true });
  try {
    await readEventLog(
      ctx,
      async (registry) => {
        // One chunk is written while the next is built; awaiting the previous write keeps memory to two chunks.
        let writing: Promise<void> = Promise.resolve();
        for (const chunk of exportChunks(registry.runs, filter, format, undefined, spanOptions)) {
          const text = redactor.text(chunk);
          await writing;
          // Let a Ctrl-C in between chunks (writes to a file or a pipe may complete without yielding).
          await new Promise(setImmediate);
          if (cancellation.signal.aborted) return;
          writing = sink.write(text);
        }
        await writing;
      },
      () => sink.write(format === 'jsonl' ? '' : `${JSON.stringify({ resourceSpans: [] })}\n`),
    );
  } catch (error) {
    sink.abort();
    // The reader went away (`| head`): what it wanted, it has (../closed-reader.ts).
    if (isClosedReader(error)) return 0;
    throw error;
  } finally {
    cancellation.dispose();
  }
  const stopped = cancellation.stoppedBy;
  if (stopped) {
    sink.abort();
    note(ctx, `export stopped (${stopped === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'})${options.out ? `: ${options.out} was not written` : ''}`);
    return SIGNAL_EXIT_CODES[stopped];
  }
  await sink.commit();
  if (options.out) note(ctx, `wrote ${options.out}`);
  return 0;
}

/**
 * `export --endpoint [url]`: the runs sent to the OTLP collector (the URL given, else OTEL_* and the
 * config's telemetry block), in batches; exit 3 when the collector cannot be reached or refuses a batch.
 */
async function otlpSpanOptions(ctx: CliContext): Promise<{ serviceName: string; captureContent: boolean }> {
  const [{ resolveTelemetry }, { openWorkspace }] = await Promise.all([import('../../core/telemetry/config.js'), import('../../core/workspace/open.js')]);
  const settings = resolveTelemetry(ctx.env, openWorkspace(ctx.cwd, ctx.flags, ctx.env).config.telemetry);
  return { serviceName: settings.serviceName, captureContent: settings.captureContent };
}

async function exportToCollector(ctx: CliContext, filter: RunFilter, endpoint: string | true, out: string | undefined): Promise<number> {
  if (out) throw new UsageError('--endpoint sends the traces; --out writes them to a file', { fix: 'use one of --endpoint and --out' });
  // Loaded only here: the config's YAML and the OTLP encoder are not for the other read commands.
  const [{ resolveTelemetry, displayUrl }, { openWorkspace }, { sendRunsToCollector }] = await Promise.all([
    import('../../core/telemetry/config.js'),
    import('../../core/workspace/open.js'),
    import('../../core/telemetry/resend.js'),
  ]);
  const settings = resolveTelemetry(ctx.env, openWorkspace(ctx.cwd, ctx.flags, ctx.env).config.telemetry);
  for (const warning of settings.warnings) note(ctx, `warning: ${warning}`);
  const url = typeof endpoint === 'string' ? endpoint : settings.url;
  if (!url) {
    throw new UsageError('no OTLP endpoint to send to', {
      fix: 'pass --endpoint http://localhost:4318/v1/traces, or set OTEL_EXPORTER_OTLP_ENDPOINT (or telemetry.endpoint in .agentctl/config.yaml)',
    });
  }
  const cancellation = createCancellation({ trap: true });
  try {
    const sent = await readEventLog(
      ctx,
      (registry) => sendRunsToCollector(registry.runs, filter, { ...settings, url }, cancellation.signal),
      async () => ({ runs: 0, spans: 0, batches: 0 }),
    );
    note(ctx, `sent ${sent.spans} span(s) of ${sent.runs} run(s) to ${displayUrl(url)} in ${sent.batches} request(s)`);
  } catch (error) {
    // A collector's answer can echo what it was sent (a 401 quoting the token): header values never print.
    throw masked(error, settings.secrets);
  } finally {
    cancellation.dispose();
  }
  const stopped = cancellation.stoppedBy;
  return stopped ? SIGNAL_EXIT_CODES[stopped] : 0;
}

/** `error` with every secret in its message and fix replaced by ***. */
function masked(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error) || secrets.length === 0) return error;
  const hide = (text: string) => secrets.reduce((t, secret) => t.split(secret).join('***'), text);
  error.message = hide(error.message);
  const withFix = error as Error & { fix?: string };
  if (typeof withFix.fix === 'string') withFix.fix = hide(withFix.fix);
  return error;
}

/** "3 rated: 2 good, 1 bad (67% good)", or "-" when no run of the group was rated. */
function feedbackCell(f: { rated: number; good: number; bad: number; goodRate: number | null }): string {
  if (f.rated === 0) return '-';
  return `${f.rated} rated: ${f.good} good, ${f.bad} bad (${Math.round((f.goodRate ?? 0) * 100)}% good)`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
