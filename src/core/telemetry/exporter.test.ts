import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { seededId, seedRuns } from '../../../test/support/seed-runs.js';
import { tempDir } from '../../../test/support/workspace.js';
import { Registry } from '../registry/registry.js';
import { resolveTelemetry } from './config.js';
import { CommandTraces, TraceExporter } from './exporter.js';

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

function seeded(count: number): Registry {
  const root = tempDir();
  seedRuns(root, count);
  return Registry.open({ registryPath: join(root, '.agentctl/registry.db'), blobsDir: join(root, '.agentctl/blobs') });
}

const source = (registry: Registry) => ({ flush: () => {}, run: (id: string) => registry.runs.get(id), events: (id: string) => registry.runs.events(id) });

describe('TraceExporter', () => {
  it('sends every batchRuns runs in the background, and the rest at shutdown', async () => {
    receiver = await startOtlpReceiver();
    const registry = seeded(5);
    try {
      const settings = resolveTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
      const exporter = new TraceExporter({ ...settings, url: settings.url as string }, source(registry), { batchRuns: 2, idleMs: 60_000 });
      for (let n = 0; n < 5; n++) exporter.runEnded(seededId('01J', n));
      expect(await exporter.shutdown()).toEqual({ sent: 5, unsent: 0, failure: undefined });
      expect(receiver.requests.map((r) => new Set(r.spans.map((s) => s.traceId)).size)).toEqual([2, 2, 1]);
    } finally {
      registry.close();
    }
  });

  it('after the first failure sends nothing more, and warns once for every run not sent, header values redacted', async () => {
    receiver = await startOtlpReceiver();
    receiver.mode({ kind: 'status', status: 401 });
    const registry = seeded(4);
    try {
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: 'x-key=hunter2' };
      const traces = new CommandTraces(resolveTelemetry(env), source(registry));
      for (let n = 0; n < 4; n++) traces.onRunFinished?.(seededId('01J', n));
      const warnings = await traces.finish();
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0]?.headers['x-key']).toBe('hunter2');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('traces of 4 run(s) were not sent');
      expect(warnings[0]).toContain('answered 401');
      expect(warnings[0]).toMatch(/agentctl export --format otlp --endpoint --since \d{4}-/);
      expect(warnings.join()).not.toContain('hunter2');
    } finally {
      registry.close();
    }
  });

  it('a cancelled command does not wait for a collector that never answers', async () => {
    receiver = await startOtlpReceiver();
    receiver.mode({ kind: 'hang' });
    const registry = seeded(1);
    try {
      const settings = resolveTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TIMEOUT: '20000' });
      const exporter = new TraceExporter({ ...settings, url: settings.url as string }, source(registry), { idleMs: 60_000 });
      exporter.runEnded(seededId('01J', 0));
      const cancel = new AbortController();
      const started = Date.now();
      setTimeout(() => cancel.abort(), 100);
      const outcome = await exporter.shutdown(cancel.signal);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(outcome).toMatchObject({ sent: 0, unsent: 1, failure: 'the command was cancelled before they were sent' });
    } finally {
      registry.close();
    }
  });

  it('without an endpoint sends nothing and has no hook', async () => {
    const traces = new CommandTraces(resolveTelemetry({}), { flush: () => {}, run: () => ({}) as never, events: () => [] });
    expect(traces.onRunFinished).toBeUndefined();
    expect(await traces.finish()).toEqual([]);
  });
});
