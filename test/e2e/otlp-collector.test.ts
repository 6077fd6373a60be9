/**
 * Traces to an OpenTelemetry collector through the built binary: a local OTLP/HTTP receiver decodes what
 * it is sent with the official opentelemetry-proto definitions (http/protobuf) or as OTLP/JSON.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/util/package-root.js';
import { agentctl } from '../support/cli.js';
import { startFakeOpenAI } from '../support/fake-openai.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver.js';
import { tempDir } from '../support/workspace.js';

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(() => receiver.close());

const QUESTION = 'What is the status of LOGIN-42?';
const SECRET = 'otlp-e2e-secret=42/x';

async function workspace(): Promise<string> {
  const cwd = tempDir();
  await agentctl(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], { cwd });
  return cwd;
}

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const byName = (spans: ReceivedSpan[], prefix: string) => spans.filter((s) => s.name.startsWith(prefix));

describe('traces to an OTLP collector', () => {
  it('run sends its spans as http/protobuf: one trace, parent links, names, kinds, GenAI attributes, headers that are never printed', async () => {
    const cwd = await workspace();
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`,
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${encodeURIComponent(SECRET)},x-team=qa`,
      OTEL_SERVICE_NAME: 'support-bot',
    };
    const result = await agentctl(['run', 'triage', '-i', QUESTION], { cwd, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning');
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0];
    expect(request?.path).toBe('/v1/traces');
    expect(request?.contentType).toBe('application/x-protobuf');
    expect(request?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(request?.headers['x-team']).toBe('qa');
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    expect(request?.resource).toMatchObject({ 'service.name': 'support-bot', 'telemetry.sdk.name': 'agentctl', 'telemetry.sdk.language': 'nodejs' });

    const spans = receiver.spans();
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const ids = new Set(spans.map((s) => s.spanId));
    const [root, ...rest] = spans;
    expect(root?.parentSpanId).toBe('');
    for (const s of rest) expect(ids.has(s.parentSpanId), s.name).toBe(true);
    expect(root?.name).toBe('invoke_agent triage');
    expect(root?.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'gen_ai.agent.version': '0.1.0' });
    expect(root?.attributes['gen_ai.agent.id']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const chats = byName(spans, 'chat ');
    expect(chats.length).toBe(2);
    for (const chat of chats) {
      expect(chat.kind).toBe(3); // CLIENT
      expect(chat.parentSpanId).toBe(root?.spanId);
      // Behind the cassette: the provider of the recorded model, and the usage marked as agentctl's estimate.
      expect(chat.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'agentctl.usage.estimated': true });
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      // The agent's model params, as the conventions type them (a double).
      expect(chat.attributes['gen_ai.request.temperature']).toBe(0.2);
    }
    const [tool] = byName(spans, 'execute_tool ');
    expect(tool?.name).toBe('execute_tool triage-tracker');
    expect(tool?.kind).toBe(1);
    expect(tool?.attributes['gen_ai.tool.call.id']).toEqual(expect.any(String));
    // No contents unless the user opts in.
    expect(JSON.stringify(spans)).not.toContain('LOGIN-42');
  });

  it('sends contents only with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true, and http/json carries the same spans as http/protobuf', async () => {
    const cwd = await workspace();
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/custom/traces`, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' };
    expect((await agentctl(['run', 'triage', '-i', QUESTION], { cwd, env })).exitCode).toBe(0);
    expect(receiver.requests[0]?.path).toBe('/custom/traces');
    const protobufSpans = receiver.spans();
    const [tool] = byName(protobufSpans, 'execute_tool ');
    expect(tool?.attributes['gen_ai.tool.call.arguments']).toContain('LOGIN-42');

    const resent = await agentctl(['export', '--format', 'otlp', '--endpoint'], {
      cwd,
      env: { ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    expect(resent.exitCode, resent.stderr).toBe(0);
    expect(resent.stderr).toContain(`sent ${protobufSpans.length} span(s) of 1 run(s)`);
    expect(receiver.requests[1]?.contentType).toBe('application/json');
    expect(receiver.requests[1]?.spans).toEqual(protobufSpans);
  });

  it('through a gateway: the response id, finish reasons and the gateway as server.address/port', async () => {
    const gateway = await startFakeOpenAI();
    try {
      const cwd = tempDir();
      await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa', '--gateway', gateway.url], { cwd });
      gateway.script({ kind: 'tool', name: 'triage-lookup', args: { query: 'shipping' }, id: 'call_e2e_7' }, { kind: 'text', text: 'Shipping takes 3 days.' });
      const result = await agentctl(['run', 'triage', '-i', 'How long is shipping?', '--provider', 'openai'], {
        cwd,
        env: { AGENTCTL_GATEWAY_KEY: 'sk-otlp-key-0123456789abcdefghij', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      });
      expect(result.exitCode, result.stderr).toBe(0);
      const spans = receiver.spans();
      const chats = byName(spans, 'chat ');
      const port = Number(new URL(gateway.url).port);
      expect(chats.map((c) => c.attributes['gen_ai.response.finish_reasons'])).toEqual([['tool_calls'], ['stop']]);
      for (const chat of chats) {
        expect(chat.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'server.address': '127.0.0.1', 'server.port': port });
        expect(chat.attributes['gen_ai.response.id']).toMatch(/^chatcmpl-fake-/);
        expect(chat.attributes['agentctl.usage.estimated']).toBeUndefined();
      }
      expect(byName(spans, 'execute_tool ')[0]?.attributes['gen_ai.tool.call.id']).toBe('call_e2e_7');
      expect(JSON.stringify(receiver.requests.map((r) => r.spans))).not.toContain('sk-otlp-key');
    } finally {
      await gateway.close();
    }
  });

  it('eval sends all its runs, batched, one trace per run', async () => {
    const cwd = await workspace();
    const result = await agentctl(['eval', 'triage', '--json'], { cwd, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    expect(result.exitCode, result.stderr).toBe(0);
    const runs = JSON.parse((await agentctl(['runs', '--json'], { cwd })).stdout) as { runId: string }[];
    expect(runs.length, JSON.stringify(runs.map((r) => r.runId))).toBe(3);
    const traces = new Set(receiver.spans().map((s) => s.traceId));
    expect(traces.size).toBe(runs.length);
    expect(receiver.requests.length).toBeLessThan(runs.length);
    // One root (the agent) per run; routed sub-agents are invoke_agent spans under it.
    expect(receiver.spans().filter((s) => s.parentSpanId === '').length).toBe(runs.length);
    expect(byName(receiver.spans(), 'invoke_agent ').length).toBeGreaterThan(runs.length);
  });

  it('a collector that is down: one warning for the whole eval, the exit code and --json unchanged; export --endpoint sends later, exit 3 while down', async () => {
    const cwd = await workspace();
    const down = await closedPort();
    const without = await agentctl(['eval', 'triage', '--json'], { cwd });
    const result = await agentctl(['eval', 'triage', '--json'], { cwd, env: { OTEL_EXPORTER_OTLP_ENDPOINT: down } });
    expect(result.exitCode).toBe(without.exitCode);
    expect(JSON.parse(result.stdout).summary.samples).toBe(3);
    const warnings = result.stderr.split('\n').filter((l) => l.includes('warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('traces of 3 run(s) were not sent');
    const resend = /agentctl (export --format otlp --endpoint --since \S+)/.exec(warnings[0] ?? '')?.[1]?.split(' ') ?? [];
    expect(resend[0]).toBe('export');

    const stillDown = await agentctl(resend, { cwd, env: { OTEL_EXPORTER_OTLP_ENDPOINT: down } });
    expect(stillDown.exitCode).toBe(3);
    expect(stillDown.stderr).toContain('cannot send traces');
    const sent = await agentctl(resend, { cwd, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    expect(sent.exitCode, sent.stderr).toBe(0);
    // The runs of the warned command (the first eval's ran before it and are not resent).
    expect(new Set(receiver.spans().map((s) => s.traceId)).size).toBe(3);
  });

  it('a collector that answers 503 gives one warning with the status; a run is not failed', async () => {
    const cwd = await workspace();
    receiver.mode({ kind: 'status', status: 503 });
    const result = await agentctl(['run', 'triage', '-i', QUESTION], { cwd, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr.match(/warning: traces of 1 run\(s\) were not sent: the collector at \S+ answered 503/g)).toHaveLength(1);
  });

  it('a collector whose refusal quotes the credential: export --endpoint exits 3 and never prints the header value', async () => {
    const cwd = await workspace();
    expect((await agentctl(['run', 'triage', '-i', QUESTION], { cwd })).exitCode).toBe(0);
    receiver.mode({ kind: 'status', status: 401, echoAuthorization: true });
    // A plain token, not shaped like any secret the redactor knows: only knowing it is a header value hides it.
    const token = 'Zq8vN3kLp0wX7rT2mB5c';
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: `authorization=${token}` };
    const result = await agentctl(['export', '--format', 'otlp', '--endpoint'], { cwd, env });
    expect(result.exitCode).toBe(3);
    expect(receiver.requests.at(-1)?.headers.authorization).toBe(token);
    expect(result.stderr).toContain('answered 401: {"code":14,"message":"invalid credentials: ***"}');
    expect(result.stderr).not.toContain(token);
  });

  it('a collector that never answers: the command ends within the OTLP timeout', async () => {
    const cwd = await workspace();
    receiver.mode({ kind: 'hang' });
    const started = Date.now();
    const result = await agentctl(['run', 'triage', '-i', QUESTION], {
      cwd,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TIMEOUT: '800' },
    });
    const elapsed = Date.now() - started;
    expect(result.exitCode).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    expect(result.stderr).toContain('no answer');
    // Start-up and the run take well under a second; the wait for the collector is capped at 800 ms.
    expect(elapsed).toBeLessThan(800 + 2_500);
  });

  it('grpc is refused with a clear warning; OTEL_SDK_DISABLED sends nothing', async () => {
    const cwd = await workspace();
    const grpc = await agentctl(['run', 'triage', '-i', QUESTION], {
      cwd,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
    });
    expect(grpc.exitCode).toBe(0);
    expect(grpc.stderr).toContain('grpc is not supported');
    const off = await agentctl(['run', 'triage', '-i', QUESTION], { cwd, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' } });
    expect(off.exitCode).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });

  it('the config block sends traces too, with the environment winning', async () => {
    const cwd = await workspace();
    const config = join(cwd, '.agentctl/config.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}telemetry:\n  endpoint: ${await closedPort()}\n  protocol: http/json\n  serviceName: from-config\n`);
    const result = await agentctl(['run', 'triage', '-i', QUESTION], { cwd, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(receiver.requests[0]?.contentType).toBe('application/json');
    expect(receiver.requests[0]?.resource['service.name']).toBe('from-config');
  });
});

describe('start-up', () => {
  it('agentctl --help and the run command do not load the OTLP encoder (it is a lazily imported chunk)', () => {
    const graph = (entry: string, files = new Set<string>()): Set<string> => {
      if (files.has(entry)) return files;
      files.add(entry);
      for (const m of readFileSync(entry, 'utf8').matchAll(/^\s*import\s+(?:[^'"]*?\s+from\s+)?["'](\.[^"']+)["'];?/gm))
        graph(resolve(dirname(entry), m[1] as string), files);
      return files;
    };
    const dist = join(packageRoot(), 'dist');
    const main = [...graph(join(dist, 'cli/main.js'))].map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(main).not.toContain('application/x-protobuf');
    const runChunks = readdirSync(join(dist, 'chunks')).filter((f) => /^run-.*\.js$/.test(f));
    expect(runChunks.length).toBeGreaterThan(0);
    for (const chunk of runChunks) {
      const loaded = [...graph(join(dist, 'chunks', chunk))].map((f) => readFileSync(f, 'utf8')).join('\n');
      expect(loaded, chunk).not.toContain('application/x-protobuf');
    }
  });
});
