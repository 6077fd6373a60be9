/**
 * Where traces go: the standard OpenTelemetry exporter variables (OTEL_EXPORTER_OTLP_*), over the
 * `telemetry:` block of the config. The environment wins, as it does for the rest of the config. Header
 * values are secrets: they are kept for the request only and listed in `secrets` for redaction.
 */

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** The `telemetry:` config block (workspace over user), as the config schema checks it. */
export interface TelemetryConfig {
  endpoint?: string | undefined;
  tracesEndpoint?: string | undefined;
  headers?: Record<string, string> | undefined;
  protocol?: string | undefined;
  timeoutMs?: number | undefined;
  serviceName?: string | undefined;
  disabled?: boolean | undefined;
  captureMessageContent?: boolean | undefined;
}

export interface TelemetrySettings {
  /** The traces URL (the base endpoint with /v1/traces appended, or the traces endpoint as is); undefined: send nothing. */
  url: string | undefined;
  headers: Record<string, string>;
  protocol: OtlpProtocol;
  timeoutMs: number;
  serviceName: string;
  /** Message contents, tool arguments and results on spans (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). */
  captureContent: boolean;
  /** Header values, to redact from anything printed. */
  secrets: string[];
  /** Settings that were ignored, and why (grpc, a bad timeout). */
  warnings: string[];
}

export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;

/** The telemetry settings from the environment over the config. */
export function resolveTelemetry(env: NodeJS.ProcessEnv, config: TelemetryConfig = {}): TelemetrySettings {
  const warnings: string[] = [];
  const value = (name: string) => (env[name] === undefined || env[name]?.trim() === '' ? undefined : env[name]?.trim());
  const protocolText = value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? value('OTEL_EXPORTER_OTLP_PROTOCOL') ?? config.protocol ?? 'http/protobuf';
  let protocol: OtlpProtocol = 'http/protobuf';
  let usable = true;
  if (protocolText === 'http/json' || protocolText === 'http/protobuf') protocol = protocolText;
  else if (protocolText === 'grpc') {
    warnings.push('OTLP over grpc is not supported: traces are not sent — set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (the collector port is usually 4318)');
    usable = false;
  } else warnings.push(`unknown OTLP protocol "${protocolText}": using http/protobuf — use http/protobuf or http/json`);

  const timeoutText = value('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ?? value('OTEL_EXPORTER_OTLP_TIMEOUT');
  let timeoutMs = config.timeoutMs ?? DEFAULT_OTLP_TIMEOUT_MS;
  if (timeoutText !== undefined) {
    const parsed = Number(timeoutText);
    if (Number.isFinite(parsed) && parsed > 0) timeoutMs = parsed;
    else warnings.push(`OTEL_EXPORTER_OTLP_TIMEOUT "${timeoutText}" is not a number of milliseconds: using ${timeoutMs}`);
  }

  const headers = {
    ...config.headers,
    ...parseHeaders(value('OTEL_EXPORTER_OTLP_HEADERS')),
    ...parseHeaders(value('OTEL_EXPORTER_OTLP_TRACES_HEADERS')),
  };
  const disabled = value('OTEL_SDK_DISABLED') !== undefined ? value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true' : config.disabled === true;
  const captureText = value('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT');
  return {
    url: disabled || !usable ? undefined : tracesUrl(value, config),
    headers,
    protocol,
    timeoutMs,
    serviceName: value('OTEL_SERVICE_NAME') ?? config.serviceName ?? 'agentctl',
    captureContent: captureText !== undefined ? captureText.toLowerCase() === 'true' : config.captureMessageContent === true,
    secrets: Object.values(headers).filter((v) => v.length > 0),
    warnings,
  };
}

/** The signal-specific endpoint is used as is; the base one gets /v1/traces (the OTLP exporter spec). */
function tracesUrl(value: (name: string) => string | undefined, config: TelemetryConfig): string | undefined {
  const traces = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces) return traces;
  const base = value('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (base) return withTracesPath(base);
  if (config.tracesEndpoint) return config.tracesEndpoint;
  return config.endpoint ? withTracesPath(config.endpoint) : undefined;
}

export function withTracesPath(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/** `k=v,k2=v2` with URL-encoded values (the W3C baggage-like format the OTel spec uses); malformed pairs are skipped. */
export function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!text) return headers;
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim();
    let val = pair.slice(at + 1).trim();
    try {
      val = decodeURIComponent(val);
    } catch {
      // Not valid percent-encoding: the value as written.
    }
    if (key) headers[key] = val;
  }
  return headers;
}

/** The URL without credentials or query, for messages (a token may sit in either). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}
