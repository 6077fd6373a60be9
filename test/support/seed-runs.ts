/**
 * Many runs in a workspace's event log, quickly and deterministically, through the store's own writer
 * (EventLog: redaction, claim checks, batching) — the same rows `agentctl run` would leave, without
 * spawning a process per run. Ids and times come from the run's number, so an export is reproducible.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRedactor } from '../../src/core/events/redact.js';
import { Registry } from '../../src/core/registry/registry.js';
import type { RuntimeEvent } from '../../src/core/runtime/events.js';

const T0 = Date.UTC(2026, 10, 1);

/** A 26-character id in Crockford base32 (a valid ULID shape): `prefix` then the number. */
export const seededId = (prefix: string, n: number) => `${prefix}${String(n).padStart(26 - prefix.length, '0')}`;

const spanIdOf = (kind: string, n: number) => `${kind}${String(n).padStart(15, '0')}`;
const sessionOf = (n: number) => seededId('01S', n % 50);
const agentOf = (n: number) => (n % 3 ? 'triage' : 'planner');

/** The events of run `n`: agent span, model call with a tool call, tool, answer (a failure every 7th run). */
function runEvents(n: number, runId: string, at: number): RuntimeEvent[] {
  const agent = spanIdOf('a', n);
  const model = spanIdOf('b', n);
  const tool = spanIdOf('c', n);
  const failed = n % 7 === 3;
  const base = { runId };
  return [
    // Written as older versions did, without `history` and `policies`: the export fills in their defaults.
    {
      ...base,
      at,
      type: 'run.started',
      sessionId: sessionOf(n),
      agent: agentOf(n),
      version: '0.1.0',
      digest: 'd',
      mode: 'dry',
      provider: 'cassette',
      model: 'gpt-4o-mini',
      input: `q ${n}`,
    },
    { ...base, at, type: 'span.started', spanId: agent, parentSpanId: null, kind: 'agent', name: 'triage@0.1.0' },
    { ...base, at: at + 1, type: 'span.started', spanId: model, parentSpanId: agent, kind: 'model', name: 'gpt-4o-mini' },
    { ...base, at: at + 1, type: 'model.request', spanId: model, model: 'gpt-4o-mini', key: `sha256:${'ab'.repeat(32)}`, messages: 2, tools: ['lookup'] },
    {
      ...base,
      at: at + 5,
      type: 'model.response',
      spanId: model,
      model: 'gpt-4o-mini',
      key: `sha256:${'ab'.repeat(32)}`,
      content: null,
      toolCalls: [{ id: `c${n}`, name: 'lookup', arguments: { query: `question ${n}` } }],
      usage: { inputTokens: 40 + (n % 13), outputTokens: 7 },
      costUsd: n % 2 ? 0.0001 : 0.00015,
      latencyMs: 4,
      finishReason: 'tool_calls',
    },
    { ...base, at: at + 5, type: 'span.ended', spanId: model, status: 'ok', attributes: { inputTokens: 40, outputTokens: 7, costUsd: 0.0001 } },
    { ...base, at: at + 6, type: 'span.started', spanId: tool, parentSpanId: agent, kind: 'tool', name: 'lookup' },
    { ...base, at: at + 6, type: 'tool.call', spanId: tool, tool: 'lookup', input: { query: `question ${n}` } },
    failed
      ? { ...base, at: at + 7, type: 'tool.error', spanId: tool, tool: 'lookup', error: `no mock of lookup matches "question ${n}"` }
      : { ...base, at: at + 7, type: 'tool.result', spanId: tool, tool: 'lookup', output: { passage: `answer ${n} ünïcödé "quoted"` }, source: 'mock' },
    { ...base, at: at + 7, type: 'span.ended', spanId: tool, status: failed ? 'error' : 'ok', attributes: failed ? { error: 'no mock' } : {} },
    { ...base, at: at + 8, type: 'span.ended', spanId: agent, status: failed ? 'error' : 'ok', attributes: {} },
    {
      ...base,
      at: at + 9,
      type: 'run.finished',
      status: failed ? 'failed' : 'succeeded',
      output: failed ? null : `answer ${n}`,
      errorClass: failed ? 'tool-error' : null,
      error: failed ? 'the tool failed' : null,
      fallback: null,
      modelErrors: [],
      steps: 2,
      usage: { inputTokens: 40 + (n % 13), outputTokens: 7 },
      costUsd: 0.0001,
      latencyMs: 9,
    },
  ] as RuntimeEvent[];
}

/**
 * A workspace at `root` (a config file, so commands find it) whose event log holds `count` runs. Run 0's
 * tool result is over the claim-check threshold (a blob), and its input carries a key the log redacts.
 */
export function seedRuns(root: string, count: number): void {
  mkdirSync(join(root, '.agentctl'), { recursive: true });
  writeFileSync(join(root, '.agentctl/config.yaml'), 'team: team-qa\n');
  const registry = Registry.open({ registryPath: join(root, '.agentctl/registry.db'), blobsDir: join(root, '.agentctl/blobs') });
  try {
    const log = registry.runs.openLog({ redact: createRedactor(), commitRunEnds: false, batchSize: 8192, flushMs: 60_000 });
    for (let n = 0; n < count; n++) {
      const runId = seededId('01J', n);
      // Two runs share each start time, so the export's order also rests on the run id.
      const at = T0 + Math.floor(n / 2) * 1000;
      const input = n === 0 ? 'use sk-proj-abcdefghijklmnopqrstuvwxyz0123 please' : `question ${n}`;
      log.beginRun({
        runId,
        sessionId: sessionOf(n),
        agent: agentOf(n),
        version: '0.1.0',
        digest: `sha256:${'cd'.repeat(32)}`,
        owner: 'team-qa',
        team: 'team-qa',
        actor: 'tester',
        source: 'workspace',
        mode: 'dry',
        provider: 'cassette',
        model: 'gpt-4o-mini',
        snapshot: `sha256:${'ef'.repeat(32)}`,
        replayOf: null,
        input,
        startedAt: at,
      });
      const events = runEvents(n, runId, at);
      if (n === 0)
        events.splice(8, 1, {
          runId,
          at: at + 7,
          type: 'tool.result',
          spanId: spanIdOf('c', 0),
          tool: 'lookup',
          output: { passage: 'x'.repeat(20_000) },
          source: 'mock',
        });
      for (const event of events) log.append(event);
    }
    log.flush();
  } finally {
    registry.close();
  }
}
