/**
 * One OTLP/HTTP export request: the document as protobuf or JSON, POSTed to the traces URL with the
 * configured headers, under a deadline. Loaded only when traces are sent (the encoder with it).
 */
import { EnvironmentError } from '../errors.js';
import { deadline } from '../util/deadline.js';
import { displayUrl, type TelemetrySettings } from './config.js';
import { encodeTraceRequest } from './protobuf.js';
import type { OtlpDocument } from './spans.js';

export type SendSettings = Pick<TelemetrySettings, 'headers' | 'protocol' | 'timeoutMs'> & { url: string };

/** Sends `document`; throws an EnvironmentError saying what the collector did (never the header values). */
export async function sendTraces(settings: SendSettings, document: OtlpDocument, signal?: AbortSignal): Promise<void> {
  const where = displayUrl(settings.url);
  const limit = deadline([signal], settings.timeoutMs, () => `no answer from the collector at ${where} in ${settings.timeoutMs} ms`);
  const body = settings.protocol === 'http/json' ? JSON.stringify(document) : encodeTraceRequest(document);
  const contentType = settings.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
  try {
    const response = await fetch(settings.url, {
      method: 'POST',
      headers: { ...settings.headers, 'content-type': contentType },
      body,
      signal: limit.signal,
    });
    // Read the body whole (a partial-success message, or the error's), so the socket can be reused.
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      throw new EnvironmentError(`the collector at ${where} answered ${response.status}${text ? `: ${text.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`, {
        where,
        fix: response.status === 401 || response.status === 403 ? 'check OTEL_EXPORTER_OTLP_HEADERS (the credentials)' : 'check the collector',
        code: 'otlp-rejected',
      });
    }
  } catch (error) {
    if (error instanceof EnvironmentError) throw error;
    const reason = limit.timedOut ? `no answer in ${settings.timeoutMs} ms` : causeOf(error);
    throw new EnvironmentError(`cannot send traces to ${where}: ${reason}`, {
      where,
      fix: 'start the collector, or check OTEL_EXPORTER_OTLP_ENDPOINT',
      code: 'otlp-unreachable',
    });
  } finally {
    limit.dispose();
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
