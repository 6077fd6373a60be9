/**
 * `export --endpoint`: the event log's runs sent to the collector in batches of whole runs, one request
 * at a time (memory holds one batch). The first batch the collector does not take stops the export: it
 * is an EnvironmentError (exit 3) that says how many runs went out before.
 */
import { EnvironmentError } from '../errors.js';
import { otlpBatches } from '../events/export.js';
import type { RunFilter, RunStore } from '../events/run-store.js';
import type { SendSettings } from './send.js';
import { sendTraces } from './send.js';

export interface ResendResult {
  runs: number;
  spans: number;
  batches: number;
}

export async function sendRunsToCollector(
  runs: RunStore,
  filter: RunFilter,
  settings: SendSettings & { serviceName: string; captureContent: boolean },
  signal?: AbortSignal,
  maxSpans = 512,
): Promise<ResendResult> {
  const result: ResendResult = { runs: 0, spans: 0, batches: 0 };
  const options = { serviceName: settings.serviceName, captureContent: settings.captureContent };
  for (const batch of otlpBatches(runs, filter, options, maxSpans)) {
    if (signal?.aborted) break;
    const spans = batch.document.resourceSpans[0]?.scopeSpans[0]?.spans.length ?? 0;
    try {
      await sendTraces(settings, batch.document, signal);
    } catch (error) {
      if (!(error instanceof EnvironmentError) || result.runs === 0) throw error;
      throw new EnvironmentError(`${error.message} (after ${result.runs} run(s) were sent)`, { where: error.where, fix: error.fix, code: error.code });
    }
    result.runs += batch.runs;
    result.spans += spans;
    result.batches++;
  }
  return result;
}
