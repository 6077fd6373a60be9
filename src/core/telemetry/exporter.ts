/**
 * Sends every run's spans to the OTLP collector as the run ends: batched (every `batchRuns` runs, or
 * after `idleMs` without another run end, or at the command's end), in the background, never failing or
 * slowing a run. The first failure stops sending for the rest of the command (a collector that is down
 * would only slow every batch down): the runs not sent are counted, and the command's one warning names
 * the `export --endpoint` command that sends them later. Spans are read back from the event log, so they
 * are what `export --format otlp` gives: redacted as logged, the same mapping.
 */
import type { StoredEvent } from '../events/decode.js';
import type { RunRow } from '../events/run-store.js';
import { displayUrl, type TelemetrySettings } from './config.js';
import { type OtlpSpan, otlpDocument, otlpSpansOf } from './spans.js';

export interface TraceSource {
  /** Commits what the event log holds queued, so the runs can be read back. */
  flush(): void;
  run(runId: string): RunRow;
  events(runId: string): StoredEvent[];
}

export interface TelemetryOutcome {
  sent: number;
  unsent: number;
  /** Why runs were not sent (the first failure), for the command's one warning. */
  failure: string | undefined;
}

export class TraceExporter {
  private queue: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly stop = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  private sent = 0;
  private unsent = 0;

  constructor(
    private readonly settings: TelemetrySettings & { url: string },
    private readonly source: TraceSource,
    private readonly options: { batchRuns?: number; idleMs?: number } = {},
  ) {}

  /** A run's end is in the event log (queued or committed): its spans go with the next batch. */
  runEnded(runId: string): void {
    this.queue.push(runId);
    if (this.queue.length >= (this.options.batchRuns ?? 64)) this.kick();
    else if (!this.timer) this.timer = setTimeout(() => this.kick(), this.options.idleMs ?? 2_000).unref();
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const runIds = this.queue.splice(0);
    this.chain = this.chain.then(() => this.send(runIds));
  }

  private async send(runIds: string[]): Promise<void> {
    if (this.failure !== undefined || this.stop.signal.aborted) {
      this.unsent += runIds.length;
      return;
    }
    try {
      this.source.flush();
      const options = { serviceName: this.settings.serviceName, captureContent: this.settings.captureContent };
      const spans: OtlpSpan[] = [];
      for (const runId of runIds) spans.push(...otlpSpansOf(this.source.run(runId), this.source.events(runId), options));
      // The encoder and fetch code load only when something is sent.
      const { sendTraces } = await import('./send.js');
      await sendTraces(this.settings, otlpDocument(spans, options), this.stop.signal);
      this.sent += runIds.length;
    } catch (error) {
      this.failure ??= (error as Error).message;
      this.unsent += runIds.length;
    }
  }

  /**
   * Sends what is queued and waits for it, at most the export timeout; what is still in flight then is
   * abandoned (and counted as not sent), so a hanging collector never holds the command longer.
   */
  /** `cancelled`: the user stopped the command (Ctrl-C): what is not sent by then is not waited for. */
  async shutdown(cancelled?: AbortSignal): Promise<TelemetryOutcome> {
    this.kick();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late' | 'cancelled'>((resolve) => {
      if (cancelled?.aborted) return resolve('cancelled');
      timer = setTimeout(() => resolve('late'), this.settings.timeoutMs);
      cancelled?.addEventListener('abort', () => resolve('cancelled'), { once: true });
    });
    const outcome = await Promise.race([this.chain.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (outcome !== 'done') {
      this.failure ??=
        outcome === 'cancelled'
          ? 'the command was cancelled before they were sent'
          : `no answer from the collector at ${displayUrl(this.settings.url)} in ${this.settings.timeoutMs} ms`;
      this.stop.abort();
      await this.chain;
    }
    return { sent: this.sent, unsent: this.unsent, failure: this.failure };
  }
}

/** The command's one warning about traces, or undefined when everything went out. */
export function telemetryWarning(outcome: TelemetryOutcome, commandStartedAt: number): string | undefined {
  if (outcome.unsent === 0 || outcome.failure === undefined) return undefined;
  const since = new Date(commandStartedAt).toISOString();
  return `traces of ${outcome.unsent} run(s) were not sent: ${outcome.failure} — send them later with: agentctl export --format otlp --endpoint --since ${since}`;
}

/**
 * A command's traces: the exporter when a collector is configured, the settings' warnings (grpc), and
 * the one call at the command's end that flushes and returns what to warn about, redacted.
 */
export class CommandTraces {
  private readonly exporter: TraceExporter | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly settings: TelemetrySettings,
    source: TraceSource,
  ) {
    const { url } = settings;
    this.exporter = url === undefined ? undefined : new TraceExporter({ ...settings, url }, source);
  }

  /** For the event log's onRunFinished: undefined when nothing is sent. */
  get onRunFinished(): ((runId: string) => void) | undefined {
    const exporter = this.exporter;
    return exporter ? (runId) => exporter.runEnded(runId) : undefined;
  }

  /** Sends what is queued (at most the timeout) and returns the command's warnings, header values redacted. */
  async finish(cancelled?: AbortSignal): Promise<string[]> {
    const notes = [...this.settings.warnings];
    if (this.exporter) {
      const warning = telemetryWarning(await this.exporter.shutdown(cancelled), this.startedAt);
      if (warning) notes.push(warning);
    }
    return notes.map((note) => this.settings.secrets.reduce((text, secret) => text.split(secret).join('***'), note));
  }
}
