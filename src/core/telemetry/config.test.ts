import { describe, expect, it } from 'vitest';
import { parseHeaders, resolveTelemetry } from './config.js';

describe('resolveTelemetry', () => {
  it('sends nothing without an endpoint; the base endpoint gets /v1/traces, the traces endpoint is used as is and wins', () => {
    expect(resolveTelemetry({}).url).toBeUndefined();
    expect(resolveTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }).url).toBe('http://c:4318/v1/traces');
    expect(resolveTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t/x' }).url).toBe('http://t/x');
  });

  it('takes the config under the environment, header by header', () => {
    const config = { endpoint: 'http://from-config:4318', headers: { a: '1', b: '2' }, protocol: 'http/json', timeoutMs: 500, serviceName: 'svc' };
    const fromConfig = resolveTelemetry({}, config);
    expect(fromConfig).toMatchObject({ url: 'http://from-config:4318/v1/traces', protocol: 'http/json', timeoutMs: 500, serviceName: 'svc' });
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'b=env',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TIMEOUT: '250',
      OTEL_SERVICE_NAME: 'env-svc',
    };
    expect(resolveTelemetry(env, config)).toMatchObject({
      url: 'http://env:4318/v1/traces',
      headers: { a: '1', b: 'env' },
      protocol: 'http/protobuf',
      timeoutMs: 250,
      serviceName: 'env-svc',
    });
    // The traces-specific variables win over the general ones.
    expect(resolveTelemetry({ ...env, OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=traces', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '99' }, config)).toMatchObject({
      headers: { b: 'traces' },
      timeoutMs: 99,
    });
  });

  it('grpc sends nothing and says why; OTEL_SDK_DISABLED=true (env or config) sends nothing; a bad timeout is a warning', () => {
    const grpc = resolveTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(grpc.url).toBeUndefined();
    expect(grpc.warnings.join()).toContain('grpc is not supported');
    expect(resolveTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_SDK_DISABLED: 'true' }).url).toBeUndefined();
    expect(resolveTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }, { disabled: true }).url).toBeUndefined();
    expect(resolveTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_SDK_DISABLED: 'false' }, { disabled: true }).url).toBe('http://c/v1/traces');
    const bad = resolveTelemetry({ OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' });
    expect(bad.timeoutMs).toBe(10_000);
    expect(bad.warnings).toHaveLength(1);
  });

  it('captures contents only when opted in', () => {
    expect(resolveTelemetry({}).captureContent).toBe(false);
    expect(resolveTelemetry({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'TRUE' }).captureContent).toBe(true);
    expect(resolveTelemetry({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' }, { captureMessageContent: true }).captureContent).toBe(false);
  });
});

describe('parseHeaders', () => {
  it('splits k=v pairs, URL-decodes values, keeps "=" inside values and skips malformed pairs', () => {
    expect(parseHeaders('api-key=a%20b%2Cc, x = y ,broken,=v,tok=a=b')).toEqual({ 'api-key': 'a b,c', x: 'y', tok: 'a=b' });
    expect(parseHeaders('bad=%E0%A4%A')).toEqual({ bad: '%E0%A4%A' });
  });
});
